package dev.jvmm.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.jvmm.cpu.riscv.Engine;
import dev.jvmm.cpu.riscv.translate.TranslatorOptions;
import dev.jvmm.machine.ExitReason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Builds every conformance program and runs it on QEMU, which proves the program right (it must
 * pass there), then on jvmm with each engine: the interpreter and the translator (with the hot
 * threshold this module's surefire configuration gives, 1: every block is translated when first
 * run). A failing program names its case number: on QEMU through the exit status and serial line,
 * on jvmm through {@link ExitReason.GuestFailure}. The two engines must also print exactly the
 * same: the programs are deterministic (the timer-driven checks in interrupts.S print nothing but
 * the result), and smc.S and smcpte.S print which code ran where the ISA allows either.
 *
 * <p>{@link dev.jvmm.machine.VirtMachine} does not expose the translator's counters, so these runs
 * cannot show that code was translated; {@link ConformanceLockstepTest}
 * runs the same programs at hart level with the same translator options and asserts it.
 */
class ConformanceTest {

    /** The programs, one per area, in src/test/asm/&lt;name&gt;.S. */
    static final List<String> PROGRAMS = List.of(
            "rv64i", "rv64m", "rv64a", "rvc", "csr", "paging", "misaligned", "fp", "interrupts", "trapctl", "smc", "smcpte");

    /** Both of jvmm's engines, the reference first. */
    static final List<Engine> ENGINES = List.of(Engine.INTERPRETER, Engine.JIT);

    /** smc.S makes its functions hot with 40 calls; with a threshold near that they would barely be translated. */
    static final int MAX_HOT_THRESHOLD = 32;

    static final long QEMU_TIMEOUT_SECONDS = 30;
    static final long JVMM_TIMEOUT_SECONDS = 30;

    private static final Path SOURCES = Path.of(System.getProperty("jvmm.conformance.asm", "src/test/asm"));
    private static final Path OUT = Path.of(System.getProperty("jvmm.conformance.out", "target/conformance"));
    private static final CrossToolchain TOOLCHAIN = new CrossToolchain(SOURCES);
    /** Each program is built once per test run (QEMU, jvmm and the coverage count share the ELF). */
    private static final Map<String, Path> BUILT = new ConcurrentHashMap<>();
    /** Each program's jvmm run per engine, kept for the comparison of the engines' output. */
    private static final Map<String, JvmmRun.Outcome> RUNS = new ConcurrentHashMap<>();

    @TestFactory
    Stream<DynamicNode> everyProgramPassesOnQemuAndOnBothEnginesOfJvmm() {
        List<DynamicNode> nodes = new ArrayList<>();
        for (String name : PROGRAMS) {
            nodes.add(dynamicContainer(name, Stream.of(
                    dynamicTest(name + " passes on QEMU", () -> runOnQemu(name)),
                    dynamicTest(name + " passes on jvmm's interpreter", () -> runOnJvmm(name, Engine.INTERPRETER)),
                    dynamicTest(name + " passes on jvmm's translator", () -> runOnJvmm(name, Engine.JIT)),
                    dynamicTest(name + " prints the same on both engines", () -> sameOutputOnBothEngines(name)))));
        }
        return nodes.stream();
    }

    /** selfcheck.S fails its case 0x123 on purpose: every runner must say so, or a pass here means nothing. */
    @Test
    void aDeliberatelyFailingProgramIsReportedWithItsCaseOnQemuAndOnBothEngines() throws Exception {
        Path elf = build("selfcheck");
        QemuRun.Outcome q = QemuRun.run(elf, QEMU_TIMEOUT_SECONDS);
        assertThat(q.exitStatus()).as("QEMU exit status (the low 8 bits of the case)").isEqualTo(0x23);
        assertThat(q.console()).contains("FAIL case 0x0000000000000123").doesNotContain("PASS");
        for (Engine engine : ENGINES) {
            JvmmRun.Outcome j = JvmmRun.run(elf, JVMM_TIMEOUT_SECONDS, engine);
            assertThat(j.reason()).as("exit on %s", engine).isEqualTo(new ExitReason.GuestFailure(0x123));
            assertThat(j.console()).as("console on %s", engine)
                    .contains("FAIL case 0x0000000000000123").doesNotContain("PASS");
        }
    }

    /**
     * The translator runs above use a hot threshold low enough for these short programs (1 in this
     * module's build: every block is compiled when first run); the default, 100000, would leave them
     * interpreted, and the jit runs would prove nothing.
     */
    @Test
    void theTranslatorRunsUseAHotThresholdThatTranslatesTheseShortPrograms() {
        assertThat(TranslatorOptions.fromSystemProperties().hotThreshold())
                .as("jvmm.jit.hotThreshold (set in this module's surefire configuration)")
                .isLessThanOrEqualTo(MAX_HOT_THRESHOLD);
    }

    /** The ELF of {@code src/test/asm/<name>.S}, built on first use. */
    static Path build(String name) throws IOException, InterruptedException {
        Path elf = BUILT.get(name);
        if (elf == null) {
            if (BUILT.isEmpty() && !CrossToolchain.available()) {
                throw new IllegalStateException(CrossToolchain.GCC + " not found: install Debian's gcc-riscv64-linux-gnu "
                        + "(the conformance programs are built from source at test time)");
            }
            assertTrue(Files.isRegularFile(SOURCES.resolve(name + ".S")), "missing program " + name + ".S");
            elf = TOOLCHAIN.build(name, OUT);
            BUILT.put(name, elf);
        }
        return elf;
    }

    private static void runOnQemu(String name) throws Exception {
        Path elf = build(name);
        if (!QemuRun.available()) {
            throw new IllegalStateException(QemuRun.QEMU + " not found: install Debian's qemu-system-misc");
        }
        QemuRun.Outcome o = QemuRun.run(elf, QEMU_TIMEOUT_SECONDS);
        if (o.timedOut()) {
            fail("%s on QEMU: no result within %d s; console:%n%s".formatted(name, QEMU_TIMEOUT_SECONDS, o.console()));
        }
        // The finisher's exit status carries only the low 8 bits of the case, so the PASS line is required too.
        if (o.exitStatus() != 0 || !o.console().contains("PASS")) {
            fail("%s on QEMU: case %d failed (exit status %d); console:%n%s"
                    .formatted(name, o.exitStatus(), o.exitStatus(), o.console()));
        }
    }

    /** The outcome of {@code name} on jvmm with {@code engine}, run once per test run. */
    private static JvmmRun.Outcome jvmmRun(String name, Engine engine) throws Exception {
        String key = name + "/" + engine;
        JvmmRun.Outcome o = RUNS.get(key);
        if (o == null) {
            o = JvmmRun.run(build(name), JVMM_TIMEOUT_SECONDS, engine);
            RUNS.put(key, o);
        }
        return o;
    }

    private static void runOnJvmm(String name, Engine engine) throws Exception {
        JvmmRun.Outcome o = jvmmRun(name, engine);
        String on = "%s on jvmm (%s)".formatted(name, engine);
        switch (o.reason()) {
            case ExitReason.PowerOff p -> { }
            case ExitReason.GuestFailure f -> fail("%s: case %d failed; console:%n%s"
                    .formatted(on, f.code(), o.console()));
            case ExitReason.Reboot r -> fail("%s: the guest asked for a reboot; console:%n%s"
                    .formatted(on, o.console()));
            case ExitReason.Stopped s -> fail("%s: stopped: %s; console:%n%s"
                    .formatted(on, s.message(), o.console()));
            case ExitReason.Migrated m -> fail("%s: migrated to %s; console:%n%s"
                    .formatted(on, m.destination(), o.console()));
        }
    }

    private static void sameOutputOnBothEngines(String name) throws Exception {
        JvmmRun.Outcome interpreter = jvmmRun(name, Engine.INTERPRETER);
        JvmmRun.Outcome jit = jvmmRun(name, Engine.JIT);
        assertThat(jit.console()).as("%s: the translator's console against the interpreter's", name)
                .isEqualTo(interpreter.console());
        assertThat(jit.reason()).as("%s: the translator's exit against the interpreter's", name)
                .isEqualTo(interpreter.reason());
    }
}

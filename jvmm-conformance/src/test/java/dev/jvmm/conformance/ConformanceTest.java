package dev.jvmm.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

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
 * Builds every conformance program and runs each twice: on QEMU, which proves the program
 * right (it must pass there), and on jvmm, which is what is being tested. A failing program
 * names its case number: on QEMU through the exit status and serial line, on jvmm through
 * {@link ExitReason.GuestFailure}.
 */
class ConformanceTest {

    /** The programs, one per area, in src/test/asm/&lt;name&gt;.S. */
    static final List<String> PROGRAMS = List.of(
            "rv64i", "rv64m", "rv64a", "rvc", "csr", "paging", "misaligned", "fp", "interrupts", "trapctl");

    static final long QEMU_TIMEOUT_SECONDS = 30;
    static final long JVMM_TIMEOUT_SECONDS = 30;

    private static final Path SOURCES = Path.of(System.getProperty("jvmm.conformance.asm", "src/test/asm"));
    private static final Path OUT = Path.of(System.getProperty("jvmm.conformance.out", "target/conformance"));
    private static final CrossToolchain TOOLCHAIN = new CrossToolchain(SOURCES);
    /** Each program is built once per test run (QEMU, jvmm and the coverage count share the ELF). */
    private static final Map<String, Path> BUILT = new ConcurrentHashMap<>();

    @TestFactory
    Stream<DynamicNode> everyProgramPassesOnQemuAndOnJvmm() {
        List<DynamicNode> nodes = new ArrayList<>();
        for (String name : PROGRAMS) {
            nodes.add(dynamicContainer(name, Stream.of(
                    dynamicTest(name + " passes on QEMU", () -> runOnQemu(name)),
                    dynamicTest(name + " passes on jvmm", () -> runOnJvmm(name)))));
        }
        return nodes.stream();
    }

    /** selfcheck.S fails its case 0x123 on purpose: both runners must say so, or a pass here means nothing. */
    @Test
    void aDeliberatelyFailingProgramIsReportedWithItsCaseOnQemuAndOnJvmm() throws Exception {
        Path elf = build("selfcheck");
        QemuRun.Outcome q = QemuRun.run(elf, QEMU_TIMEOUT_SECONDS);
        assertThat(q.exitStatus()).as("QEMU exit status (the low 8 bits of the case)").isEqualTo(0x23);
        assertThat(q.console()).contains("FAIL case 0x0000000000000123").doesNotContain("PASS");
        JvmmRun.Outcome j = JvmmRun.run(elf, JVMM_TIMEOUT_SECONDS);
        assertThat(j.reason()).isEqualTo(new ExitReason.GuestFailure(0x123));
        assertThat(j.console()).contains("FAIL case 0x0000000000000123").doesNotContain("PASS");
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

    private static void runOnJvmm(String name) throws Exception {
        Path elf = build(name);
        JvmmRun.Outcome o = JvmmRun.run(elf, JVMM_TIMEOUT_SECONDS);
        switch (o.reason()) {
            case ExitReason.PowerOff p -> { }
            case ExitReason.GuestFailure f -> fail("%s on jvmm: case %d failed; console:%n%s"
                    .formatted(name, f.code(), o.console()));
            case ExitReason.Reboot r -> fail("%s on jvmm: the guest asked for a reboot; console:%n%s"
                    .formatted(name, o.console()));
            case ExitReason.Stopped s -> fail("%s on jvmm: stopped: %s; console:%n%s"
                    .formatted(name, s.message(), o.console()));
            case ExitReason.Migrated m -> fail("%s on jvmm: migrated to %s; console:%n%s"
                    .formatted(name, m.destination(), o.console()));
        }
    }
}

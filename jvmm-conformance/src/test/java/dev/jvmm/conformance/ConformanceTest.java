package dev.jvmm.conformance;

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
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
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
            "rv64i", "rv64m", "rv64a", "rvc", "csr", "paging", "misaligned", "fp");

    static final long QEMU_TIMEOUT_SECONDS = 30;
    static final long JVMM_TIMEOUT_SECONDS = 30;

    private static final Path SOURCES = Path.of(System.getProperty("jvmm.conformance.asm", "src/test/asm"));
    private static final Path OUT = Path.of(System.getProperty("jvmm.conformance.out", "target/conformance"));

    @TestFactory
    Stream<DynamicNode> everyProgramPassesOnQemuAndOnJvmm() throws IOException {
        if (!CrossToolchain.available()) {
            throw new IllegalStateException(CrossToolchain.GCC + " not found: install Debian's gcc-riscv64-linux-gnu "
                    + "(the conformance programs are built from source at test time)");
        }
        Path kernel = JvmmRun.writePlaceholderKernel(OUT);
        CrossToolchain gcc = new CrossToolchain(SOURCES);
        List<DynamicNode> nodes = new ArrayList<>();
        for (String name : PROGRAMS) {
            nodes.add(dynamicContainer(name, Stream.of(
                    dynamicTest(name + " passes on QEMU", () -> runOnQemu(gcc, name)),
                    dynamicTest(name + " passes on jvmm", () -> runOnJvmm(gcc, name, kernel)))));
        }
        return nodes.stream();
    }

    private static Path build(CrossToolchain gcc, String name) throws IOException, InterruptedException {
        assertTrue(Files.isRegularFile(SOURCES.resolve(name + ".S")), "missing program " + name + ".S");
        return gcc.build(name, OUT);
    }

    private static void runOnQemu(CrossToolchain gcc, String name) throws Exception {
        Path elf = build(gcc, name);
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

    private static void runOnJvmm(CrossToolchain gcc, String name, Path kernel) throws Exception {
        Path elf = build(gcc, name);
        JvmmRun.Outcome o = JvmmRun.run(elf, kernel, JVMM_TIMEOUT_SECONDS);
        switch (o.reason()) {
            case ExitReason.PowerOff p -> { }
            case ExitReason.GuestFailure f -> fail("%s on jvmm: case %d failed; console:%n%s"
                    .formatted(name, f.code(), o.console()));
            case ExitReason.Reboot r -> fail("%s on jvmm: the guest asked for a reboot; console:%n%s"
                    .formatted(name, o.console()));
            case ExitReason.Stopped s -> fail("%s on jvmm: stopped: %s; console:%n%s"
                    .formatted(name, s.message(), o.console()));
        }
    }
}

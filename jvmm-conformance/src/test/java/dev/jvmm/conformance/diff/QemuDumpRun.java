package dev.jvmm.conformance.diff;

import dev.jvmm.conformance.QemuRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs a batch ELF on QEMU's virt board (M-mode from its entry, no firmware, as
 * {@link QemuRun} does) with semihosting on, in its own working directory, where the runtime's
 * diff_done writes the batch's records as {@code diff-dump.bin}.
 */
final class QemuDumpRun {

    /** QEMU's exit status, its serial output, whether it was killed, and the records' bytes (empty if none). */
    record Outcome(int exitStatus, String console, boolean timedOut, byte[] dump) { }

    private QemuDumpRun() {
    }

    static Outcome run(Path elf, Path workDir, long timeoutSeconds) throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        Path dump = workDir.resolve("diff-dump.bin");
        Files.deleteIfExists(dump);
        QemuRun.Outcome run = QemuRun.run(elf, List.of("-semihosting-config", "enable=on,target=native"),
                workDir, timeoutSeconds);
        byte[] bytes = Files.exists(dump) ? Files.readAllBytes(dump) : new byte[0];
        Files.deleteIfExists(dump);
        return new Outcome(run.exitStatus(), run.console(), run.timedOut(), bytes);
    }
}

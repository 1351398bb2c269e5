package dev.jvmm.conformance.diff;

import dev.jvmm.conformance.QemuRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
        Process p = new ProcessBuilder(List.of(QemuRun.QEMU, "-M", "virt", "-m", "128M", "-nographic",
                "-bios", "none", "-semihosting-config", "enable=on,target=native", "-kernel", elf.toString()))
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        p.getOutputStream().close();
        CompletableFuture<String> console = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(console unreadable: " + e.getMessage() + ")";
            }
        });
        boolean finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        String text;
        try {
            text = console.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            text = "(console not captured)";
        }
        byte[] bytes = Files.exists(dump) ? Files.readAllBytes(dump) : new byte[0];
        Files.deleteIfExists(dump);
        return new Outcome(finished ? p.exitValue() : -1, text, !finished, bytes);
    }
}

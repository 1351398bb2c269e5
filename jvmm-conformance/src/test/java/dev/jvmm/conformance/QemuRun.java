package dev.jvmm.conformance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Runs a bare-metal program on QEMU's virt board, M-mode from its ELF entry, no firmware. */
public final class QemuRun {

    public static final String QEMU = "qemu-system-riscv64";

    /** QEMU's exit status (the finisher's code, 0 for pass) and its serial output; timedOut when killed. */
    public record Outcome(int exitStatus, String console, boolean timedOut) { }

    private QemuRun() {
    }

    /** Whether QEMU can be started at all (asked once per test run). */
    public static boolean available() {
        return Probe.AVAILABLE;
    }

    /** Holds the answer; initialised on first use. */
    private static final class Probe {
        static final boolean AVAILABLE = probe();
    }

    private static boolean probe() {
        try {
            Process p = new ProcessBuilder(QEMU, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs {@code elf} with {@code -bios none}; kills QEMU after {@code timeoutSeconds}. */
    public static Outcome run(Path elf, long timeoutSeconds) throws IOException, InterruptedException {
        return run(elf, List.of(), Path.of("."), timeoutSeconds);
    }

    /** As {@link #run(Path, long)}, with {@code extraArgs} for QEMU and {@code workDir} as its working directory. */
    public static Outcome run(Path elf, List<String> extraArgs, Path workDir, long timeoutSeconds)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(QEMU, "-M", "virt", "-m", "128M", "-nographic", "-bios", "none"));
        command.addAll(extraArgs);
        command.addAll(List.of("-kernel", elf.toString()));
        Process p = new ProcessBuilder(command)
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
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            text = "(console not captured)";
        }
        return new Outcome(finished ? p.exitValue() : -1, text, !finished);
    }
}

package dev.jvmm.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Puts the terminal on standard input in raw mode (no echo, no line editing, no signals from
 * Ctrl-C) with {@code stty}, and restores the saved settings exactly once: on {@link #restore()}
 * or, whatever the exit path (Ctrl-A x, SIGTERM, an error), from a shutdown hook.
 */
final class TerminalMode {

    private final String saved;
    private final Thread hook;
    private boolean restored;

    private TerminalMode(String saved) {
        this.saved = saved;
        this.hook = new Thread(this::restoreQuietly, "jvmm-terminal-restore");
    }

    /** Raw mode if standard input is a terminal; empty (and nothing changed) otherwise. */
    static Optional<TerminalMode> enterRawIfTerminal() {
        Optional<String> settings = stty(List.of("-g"));
        if (settings.isEmpty() || settings.get().isBlank()) {
            return Optional.empty();
        }
        TerminalMode mode = new TerminalMode(settings.get().strip());
        Runtime.getRuntime().addShutdownHook(mode.hook);
        if (stty(List.of("raw", "-echo")).isEmpty()) {
            mode.restore();
            return Optional.empty();
        }
        return Optional.of(mode);
    }

    synchronized void restore() {
        restoreQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook is running or has run
        }
    }

    private synchronized void restoreQuietly() {
        if (!restored) {
            restored = true;
            stty(List.of(saved));
        }
    }

    /** Runs stty on our own standard input; its output, or empty if it failed (stdin is no terminal). */
    private static Optional<String> stty(List<String> args) {
        try {
            List<String> command = new java.util.ArrayList<>(List.of("stty"));
            command.addAll(args);
            Process p = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.INHERIT)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroy();
                return Optional.empty();
            }
            return p.exitValue() == 0 ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}

package dev.jvmm.cli;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Whether this process's standard error is a terminal. Java cannot ask {@code isatty} of one
 * stream, so a shell, given our stderr, is asked with {@code test -t 2} (as {@link TerminalMode}
 * asks {@code stty}).
 */
final class Tty {

    private Tty() {
    }

    /** True if stderr is a terminal; false if not, or if it cannot be told. */
    static boolean stderrIsTerminal() {
        try {
            Process p = new ProcessBuilder("sh", "-c", "test -t 2")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroy();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

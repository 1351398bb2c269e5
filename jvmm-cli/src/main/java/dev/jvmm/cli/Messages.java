package dev.jvmm.cli;

import java.io.PrintStream;

/**
 * jvmm's own lines on stderr, {@code jvmm: [LABEL] text}: the label names a clone when several
 * guests share the terminal. While the terminal is raw a line ends in CR LF, or the next would
 * start where this one ended.
 */
final class Messages {

    private final PrintStream err;
    private final String label;
    private volatile boolean raw;

    /** {@code label}: empty, or such as {@code "[clone 3] "}. */
    Messages(PrintStream err, String label) {
        this.err = err;
        this.label = label;
    }

    void raw(boolean raw) {
        this.raw = raw;
    }

    /** Prints {@code jvmm: LABEL text}. */
    void line(String text) {
        print("jvmm: " + label + text);
    }

    /** Prints a message that already starts with {@code jvmm: } (as {@link ExitStatus}'s), adding the label. */
    void message(String message) {
        print(message.startsWith("jvmm: ") ? "jvmm: " + label + message.substring("jvmm: ".length()) : message);
    }

    private void print(String line) {
        synchronized (err) {
            err.print(line + (raw ? "\r\n" : System.lineSeparator()));
            err.flush();
        }
    }
}

package dev.jvmm.cli;

import java.io.PrintStream;
import java.util.Locale;

import dev.jvmm.cli.control.MigrationInfo;

/**
 * {@code jvmm migrate}'s progress on stderr: on a terminal one line, redrawn in place after
 * {@code \r} at every update; elsewhere (a log file) a line at most once a second.
 */
final class MigrationProgress {

    static final int BAR_WIDTH = 16;
    /** A redrawn line must not wrap, or {@code \r} would only go back to its last row. */
    static final int TERMINAL_WIDTH = 79;
    static final long LOG_INTERVAL_NANOS = 1_000_000_000L;

    private final PrintStream err;
    private final boolean terminal;
    private int shownLength;
    private long lastLogged = Long.MIN_VALUE;
    private boolean drawn;

    MigrationProgress(PrintStream err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** Shows {@code info} (on a terminal at once; otherwise if a second has passed since the last line). */
    void update(MigrationInfo info, long nowNanos) {
        String line = line(info);
        if (terminal) {
            line = line.length() > TERMINAL_WIDTH ? line.substring(0, TERMINAL_WIDTH) : line;
            // Blank out what is left of a longer previous line.
            String padding = " ".repeat(Math.max(0, shownLength - line.length()));
            err.print("\r" + line + padding);
            err.flush();
            shownLength = line.length();
            drawn = true;
        } else if (lastLogged == Long.MIN_VALUE || nowNanos - lastLogged >= LOG_INTERVAL_NANOS) {
            err.println(line);
            lastLogged = nowNanos;
        }
    }

    /** Ends the redrawn line, so that what follows starts on a line of its own. */
    void finish() {
        if (terminal && drawn) {
            err.println();
            drawn = false;
        }
    }

    /** One progress line: bar, percent, elapsed time, RAM sent and left, dirty rate, throttle (the least telling last). */
    static String line(MigrationInfo info) {
        double done = info.fractionDone();
        int filled = (int) Math.round(done * BAR_WIDTH);
        StringBuilder s = new StringBuilder("[");
        s.append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ");
        s.append(String.format(Locale.ROOT, "%3d%% %.1f s", (int) Math.floor(done * 100), info.totalTime() / 1000.0));
        s.append(", ").append(bytes(info.transferredBytes())).append(" sent");
        s.append(", ").append(bytes(info.remainingBytes())).append(" left");
        s.append(", dirty ").append(info.dirtyPagesRate()).append("/s");
        if (info.throttlePercent() > 0) {
            s.append(", throttle ").append(info.throttlePercent()).append('%');
        }
        return s.toString();
    }

    /** Bytes in binary units with one decimal: {@code 512.0 MiB}. */
    static String bytes(long n) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double value = n;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? n + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}

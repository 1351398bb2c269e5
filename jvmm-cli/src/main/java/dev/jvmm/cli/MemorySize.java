package dev.jvmm.cli;

import java.util.Locale;

/**
 * Parses guest memory sizes: plain bytes or a number with a binary suffix {@code K}, {@code M},
 * {@code G} or {@code T} (case-insensitive; {@code 512M}, {@code 2G}, {@code 1048576K}). A size must
 * be at least 16 MiB and a whole number of 4 KiB pages.
 */
final class MemorySize {

    static final long MIN_BYTES = 16L << 20;
    static final long PAGE = 4096;

    private MemorySize() {
    }

    static long parse(String text) throws UsageException {
        String t = text.trim().toUpperCase(Locale.ROOT);
        int shift = 0;
        if (!t.isEmpty()) {
            switch (t.charAt(t.length() - 1)) {
                case 'K' -> shift = 10;
                case 'M' -> shift = 20;
                case 'G' -> shift = 30;
                case 'T' -> shift = 40;
                default -> { }
            }
        }
        String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
        if (!digits.matches("[0-9]{1,19}")) {
            throw new UsageException("bad memory size '" + text + "' (examples: 512M, 2G, 1048576K, 268435456)");
        }
        long value;
        try {
            value = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new UsageException("memory size '" + text + "' is too large");
        }
        if (shift > 0 && value > (Long.MAX_VALUE >> shift)) {
            throw new UsageException("memory size '" + text + "' is too large");
        }
        long bytes = value << shift;
        if (bytes < MIN_BYTES) {
            throw new UsageException("memory size '" + text + "' is too small (at least 16M)");
        }
        if (bytes % PAGE != 0) {
            throw new UsageException("memory size '" + text + "' is not a multiple of 4K");
        }
        return bytes;
    }
}

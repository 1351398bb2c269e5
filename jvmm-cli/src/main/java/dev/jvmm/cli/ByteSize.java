package dev.jvmm.cli;

import java.util.Locale;

/**
 * The size syntax shared by memory and disk options: plain bytes or a number with a binary
 * suffix {@code K}, {@code M}, {@code G} or {@code T} (case-insensitive).
 */
final class ByteSize {

    private ByteSize() {
    }

    /**
     * Parses {@code text} as a size of at most {@code maxBytes}; {@code what} ("memory size",
     * "disk size") and {@code examples} go into the one-line error.
     */
    static long parse(String what, String text, String examples, long maxBytes, String maxText) throws UsageException {
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
            throw new UsageException("bad " + what + " '" + text + "' (examples: " + examples + ")");
        }
        long value;
        try {
            value = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new UsageException(what + " '" + text + "' is too large (at most " + maxText + ")");
        }
        if (value > (maxBytes >> shift)) {
            throw new UsageException(what + " '" + text + "' is too large (at most " + maxText + ")");
        }
        return value << shift;
    }
}

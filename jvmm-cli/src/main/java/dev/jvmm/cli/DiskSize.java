package dev.jvmm.cli;

import java.util.Locale;

/**
 * Parses disk sizes: bytes or a number with a binary suffix {@code K}, {@code M}, {@code G} or
 * {@code T} (case-insensitive); the size must be positive and a whole number of 512-byte sectors.
 */
final class DiskSize {

    static final long SECTOR = 512;
    /** qcow2's limit on this board's storage (and far past any real disk). */
    static final long MAX_BYTES = 1L << 50;

    private DiskSize() {
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
        if (!digits.matches("[0-9]{1,16}")) {
            throw new UsageException("bad disk size '" + text + "' (examples: 1G, 512M, 1048576)");
        }
        long value = Long.parseLong(digits);
        if (value > (MAX_BYTES >> shift)) {
            throw new UsageException("disk size '" + text + "' is too large (at most 1024T)");
        }
        long bytes = value << shift;
        if (bytes == 0) {
            throw new UsageException("disk size must not be zero");
        }
        if (bytes % SECTOR != 0) {
            throw new UsageException("disk size '" + text + "' is not a multiple of 512 bytes");
        }
        return bytes;
    }
}

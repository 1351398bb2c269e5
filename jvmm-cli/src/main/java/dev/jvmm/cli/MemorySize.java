package dev.jvmm.cli;

/**
 * Parses guest memory sizes ({@link ByteSize} syntax: {@code 512M}, {@code 2G}, {@code 1048576K}).
 * A size must be at least 16 MiB and a whole number of 4 KiB pages.
 */
final class MemorySize {

    static final long MIN_BYTES = 16L << 20;
    static final long PAGE = 4096;

    private MemorySize() {
    }

    static long parse(String text) throws UsageException {
        long bytes = ByteSize.parse("memory size", text, "512M, 2G, 1048576K, 268435456", Long.MAX_VALUE, "8E");
        if (bytes < MIN_BYTES) {
            throw new UsageException("memory size '" + text + "' is too small (at least 16M)");
        }
        if (bytes % PAGE != 0) {
            throw new UsageException("memory size '" + text + "' is not a multiple of 4K");
        }
        return bytes;
    }
}

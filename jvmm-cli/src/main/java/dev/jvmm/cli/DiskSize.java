package dev.jvmm.cli;

/**
 * Parses disk sizes ({@link ByteSize} syntax); the size must be positive and a whole number of
 * 512-byte sectors.
 */
final class DiskSize {

    static final long SECTOR = 512;
    /** qcow2's limit on this board's storage (and far past any real disk). */
    static final long MAX_BYTES = 1L << 50;

    private DiskSize() {
    }

    static long parse(String text) throws UsageException {
        long bytes = ByteSize.parse("disk size", text, "1G, 512M, 1048576", MAX_BYTES, "1024T");
        if (bytes == 0) {
            throw new UsageException("disk size must not be zero");
        }
        if (bytes % SECTOR != 0) {
            throw new UsageException("disk size '" + text + "' is not a multiple of 512 bytes");
        }
        return bytes;
    }
}

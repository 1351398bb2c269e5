package dev.jvmm.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a new, empty version 3 qcow2 image (16-bit refcounts, zlib compression type, no
 * features), optionally over a backing file. Layout: header cluster (header, backing-format
 * extension, backing file name), refcount table, refcount blocks, L1 table.
 */
public final class Qcow2Creator {

    /** qemu-img's default cluster size. */
    public static final int DEFAULT_CLUSTER_SIZE = 64 * 1024;
    private static final int HEADER_LENGTH = 112;

    private Qcow2Creator() {
    }

    /**
     * Creates {@code path} (which must not exist).
     *
     * @param size          virtual size in bytes, rounded up to a multiple of 512; negative to
     *                      take the backing file's size
     * @param clusterSize   a power of two from 512 to 2 MiB
     * @param backingFile   backing file name as stored in the header (relative names are
     *                      relative to {@code path}'s directory), or null
     * @param backingFormat the backing file's format, or null to probe it
     */
    public static void create(Path path, long size, int clusterSize, String backingFile, ImageFormat backingFormat)
            throws IOException {
        if (Integer.bitCount(clusterSize) != 1 || clusterSize < 512 || clusterSize > (2 << 20)) {
            throw invalid(path, "cluster size " + clusterSize + " is not a power of two from 512 to 2097152");
        }
        byte[] backingName = null;
        if (backingFile != null) {
            backingName = backingFile.getBytes(StandardCharsets.UTF_8);
            if (backingName.length == 0 || backingName.length > Qcow2Header.MAX_BACKING_NAME) {
                throw invalid(path, "backing file name must be 1.." + Qcow2Header.MAX_BACKING_NAME + " bytes");
            }
            Path resolved = path.toAbsolutePath().getParent().resolve(backingFile);
            ImageFormat fmt = backingFormat != null ? backingFormat : DiskImages.probe(resolved);
            try (BlockBackend b = DiskImages.open(resolved, fmt, true)) {
                if (size < 0) {
                    size = b.size();
                }
            }
            backingFormat = fmt;
        }
        if (size < 0) {
            throw invalid(path, "negative size and no backing file to take it from");
        }
        size = (size + 511) & ~511L;
        int clusterBits = Integer.numberOfTrailingZeros(clusterSize);
        long l2Entries = clusterSize / 8;
        long guestClusters = (size + clusterSize - 1) >>> clusterBits;
        long l1Entries = Math.max(1, (guestClusters + l2Entries - 1) / l2Entries);
        if (l1Entries * 8 > Qcow2Header.MAX_L1_BYTES) {
            throw invalid(path, "size " + size + " too large for cluster size " + clusterSize);
        }
        long l1Clusters = (l1Entries * 8 + clusterSize - 1) / clusterSize;
        long perBlock = clusterSize / 2; // 16-bit refcounts
        long blocks = 1;
        long tableClusters = 1;
        while (true) {
            long total = 1 + tableClusters + blocks + l1Clusters;
            long b = (total + perBlock - 1) / perBlock;
            long t = (b * 8 + clusterSize - 1) / clusterSize;
            if (b == blocks && t == tableClusters) {
                break;
            }
            blocks = b;
            tableClusters = t;
        }
        long total = 1 + tableClusters + blocks + l1Clusters;
        long tableOff = clusterSize;
        long blocksOff = tableOff + tableClusters * clusterSize;
        long l1Off = blocksOff + blocks * clusterSize;

        ByteBuffer hdr = ByteBuffer.allocate(clusterSize);
        hdr.putInt(0, Qcow2Header.MAGIC).putInt(4, 3);
        hdr.putInt(20, clusterBits).putLong(24, size).putInt(32, 0);
        hdr.putInt(36, (int) l1Entries).putLong(40, l1Off);
        hdr.putLong(48, tableOff).putInt(56, (int) tableClusters);
        hdr.putInt(60, 0).putLong(64, 0);
        hdr.putLong(72, 0).putLong(80, 0).putLong(88, 0);
        hdr.putInt(96, 4).putInt(100, HEADER_LENGTH);
        int pos = HEADER_LENGTH;
        if (backingName != null) {
            byte[] fmt = backingFormat.qemuName().getBytes(StandardCharsets.US_ASCII);
            hdr.putInt(pos, Qcow2Header.EXT_BACKING_FORMAT).putInt(pos + 4, fmt.length);
            hdr.put(pos + 8, fmt);
            pos += 8 + ((fmt.length + 7) & ~7);
        }
        pos += 8; // end-of-extensions marker (type 0, length 0)
        if (backingName != null) {
            if (pos + backingName.length > clusterSize) {
                throw invalid(path, "backing file name does not fit in the header cluster");
            }
            hdr.put(pos, backingName);
            hdr.putLong(8, pos).putInt(16, backingName.length);
        }

        ByteBuffer table = ByteBuffer.allocate((int) (tableClusters * clusterSize));
        for (long i = 0; i < blocks; i++) {
            table.putLong((int) (i * 8), blocksOff + i * clusterSize);
        }
        ByteBuffer refblocks = ByteBuffer.allocate((int) (blocks * clusterSize));
        for (long c = 0; c < total; c++) {
            refblocks.putShort((int) (c * 2), (short) 1);
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            FileIo.writeFully(ch, hdr, 0);
            FileIo.writeFully(ch, table, tableOff);
            FileIo.writeFully(ch, refblocks, blocksOff);
            // The L1 table is all zeros: extending the file to cover it is enough.
            FileIo.writeFully(ch, ByteBuffer.allocate(1), total * clusterSize - 1);
            ch.force(true);
        }
    }

    private static StorageException invalid(Path path, String problem) {
        return new StorageException(StorageException.Reason.INVALID_ARGUMENT, path + ": " + problem);
    }
}

package dev.jvmm.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The refcount table and refcount blocks of one qcow2 image, and cluster allocation.
 *
 * <p>Updates are written through to the file at once. Allocation is by reservation: a batch of
 * free clusters gets refcount 1, the file is extended over them and synced, and only then are
 * they handed out, so anything that later links one of them is ordered after its refcount.
 * Unused reservations are released on close (a crash leaks them, which is harmless). Frees are
 * deferred until the caller has synced the entries that stopped referencing the clusters.
 *
 * <p>Not thread-safe: the owning image serialises calls.
 */
final class Qcow2Refcounts {

    private static final long REFTABLE_OFFSET_MASK = 0xffff_ffff_ffff_fe00L;
    private static final int BLOCK_CACHE_BYTES = 4 << 20;

    private final Path path;
    private final FileChannel ch;
    private final int clusterBits;
    private final int clusterSize;
    private final int refBits;
    private final long maxRefcount;
    /** Refcount entries per refcount block. */
    private final long entriesPerBlock;
    private final int batchSize;

    private long[] table;
    private long tableOffset;
    private int tableClusters;
    private final Map<Long, byte[]> blockCache;

    private final ArrayDeque<Long> reserved = new ArrayDeque<>();
    private final List<long[]> deferredFrees = new ArrayList<>();
    private long freeHint;
    private long fileLength;
    /** End of everything handed out or written as metadata; the file may be trimmed to this on close. */
    private long usedEnd;
    private boolean unsynced;

    Qcow2Refcounts(Path path, FileChannel ch, Qcow2Header h) throws IOException {
        this.path = path;
        this.ch = ch;
        this.clusterBits = h.clusterBits();
        this.clusterSize = h.clusterSize();
        this.refBits = 1 << h.refcountOrder();
        this.maxRefcount = refBits == 64 ? Long.MAX_VALUE : (1L << refBits) - 1;
        this.entriesPerBlock = (long) clusterSize * 8 / refBits;
        this.batchSize = Math.max(2, Math.min(64, (4 << 20) / clusterSize));
        this.fileLength = ch.size();
        this.usedEnd = fileLength;
        this.tableOffset = h.refcountTableOffset();
        this.tableClusters = h.refcountTableClusters();
        int entries = tableClusters * (clusterSize / 8);
        ByteBuffer buf = ByteBuffer.allocate(entries * 8);
        FileIo.readFully(ch, buf, tableOffset);
        buf.flip();
        table = new long[entries];
        for (int i = 0; i < entries; i++) {
            table[i] = buf.getLong();
        }
        if ((table[0] & REFTABLE_OFFSET_MASK) == 0) {
            throw StorageException.corrupt(path, "refcount table has no block for the header cluster");
        }
        int cacheBlocks = Math.max(4, BLOCK_CACHE_BYTES / clusterSize);
        blockCache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
                return size() > cacheBlocks;
            }
        };
    }

    long fileLength() {
        return fileLength;
    }

    /** Records that the file now extends to at least {@code end}. */
    void noteWritten(long end) {
        fileLength = Math.max(fileLength, end);
        usedEnd = Math.max(usedEnd, end);
    }

    /** Whether refcount or metadata writes happened since the last {@link #synced()}. */
    boolean unsynced() {
        return unsynced;
    }

    void markUnsynced() {
        unsynced = true;
    }

    void synced() {
        unsynced = false;
    }

    /** The refcount of the cluster at host offset {@code offset}. */
    long get(long offset) throws IOException {
        long cluster = offset >>> clusterBits;
        long t = cluster / entriesPerBlock;
        if (t >= table.length) {
            return 0;
        }
        long blockOffset = table[(int) t] & REFTABLE_OFFSET_MASK;
        if (blockOffset == 0) {
            return 0;
        }
        return readEntry(block(blockOffset), cluster % entriesPerBlock);
    }

    /** Hands out one cluster (host offset) whose refcount is already durable as 1. */
    long allocate() throws IOException {
        if (reserved.isEmpty()) {
            reserve(batchSize);
        }
        long off = reserved.removeFirst();
        usedEnd = Math.max(usedEnd, off + clusterSize);
        return off;
    }

    /** Queues a decrement of every cluster touched by {@code [offset, offset+length)}, applied by {@link #applyDeferredFrees}. */
    void deferFree(long offset, long length) {
        deferredFrees.add(new long[] {offset, length});
    }

    boolean hasDeferredFrees() {
        return !deferredFrees.isEmpty();
    }

    /** Applies queued decrements; the caller must have synced the entries that dropped the references. */
    void applyDeferredFrees() throws IOException {
        for (long[] f : deferredFrees) {
            long first = f[0] >>> clusterBits;
            long last = (f[0] + f[1] - 1) >>> clusterBits;
            for (long c = first; c <= last; c++) {
                long off = c << clusterBits;
                long rc = get(off);
                if (rc == 0) {
                    throw StorageException.corrupt(path, "freeing cluster 0x" + Long.toHexString(off) + " with refcount 0");
                }
                set(off, rc - 1);
                if (rc == 1) {
                    freeHint = Math.min(freeHint, c);
                }
            }
        }
        deferredFrees.clear();
    }

    /** Gives back reserved clusters nobody linked. They were never referenced, so no ordering is needed. */
    void releaseReserved() throws IOException {
        while (!reserved.isEmpty()) {
            long off = reserved.removeFirst();
            set(off, get(off) - 1);
            freeHint = Math.min(freeHint, off >>> clusterBits);
        }
    }

    /** Shrinks the file back to the end of used clusters (trailing released reservations). */
    void trimTail() throws IOException {
        if (fileLength > usedEnd) {
            ch.truncate(usedEnd);
            fileLength = usedEnd;
        }
    }

    private void reserve(int count) throws IOException {
        long end = fileLength;
        while (reserved.size() < count) {
            long c = freeHint;
            long off = c << clusterBits;
            if (get(off) == 0) {
                ensureBlock(c / entriesPerBlock);
                if (get(off) == 0) {
                    set(off, 1);
                    reserved.addLast(off);
                    end = Math.max(end, off + clusterSize);
                }
            }
            freeHint = c + 1;
        }
        if (end > fileLength) {
            // Cover every refcounted cluster with file bytes so checkers never see refcounts past EOF.
            FileIo.writeFully(ch, ByteBuffer.allocate(1), end - 1);
            fileLength = end;
        }
        ch.force(false);
        unsynced = false;
    }

    /** Makes sure refcount block {@code t} exists, creating it (and growing the table) if needed. */
    private void ensureBlock(long t) throws IOException {
        if (t < table.length && (table[(int) t] & REFTABLE_OFFSET_MASK) != 0) {
            return;
        }
        if (t >= table.length) {
            growTable(t);
            return;
        }
        // Every cluster covered by a missing block is free, so the new block can sit inside its
        // own range (past the current end of file where possible, to avoid touching stray data).
        long rangeStart = t * entriesPerBlock;
        long at = Math.max(rangeStart, (fileLength + clusterSize - 1) >>> clusterBits);
        if (at >= rangeStart + entriesPerBlock) {
            at = rangeStart;
        }
        byte[] block = new byte[clusterSize];
        writeEntry(block, at - rangeStart, 1);
        long blockOff = at << clusterBits;
        FileIo.writeFully(ch, ByteBuffer.wrap(block), blockOff);
        noteWritten(blockOff + clusterSize);
        ch.force(false);
        table[(int) t] = blockOff;
        blockCache.put(blockOff, block);
        ByteBuffer e = ByteBuffer.allocate(8).putLong(0, blockOff);
        FileIo.writeFully(ch, e, tableOffset + t * 8);
        unsynced = true;
    }

    /**
     * Replaces the refcount table with a larger one that covers block {@code t}. The new table
     * and a new refcount block for range {@code t} (which counts both) are written and synced
     * before the header switches to them; the old table's clusters are freed afterwards.
     */
    private void growTable(long t) throws IOException {
        long entriesPerTableCluster = clusterSize / 8;
        long maxEntries = Qcow2Header.MAX_REFTABLE_BYTES / 8;
        long wanted = Math.max(t + 1, (long) table.length * 2);
        long rangeStart = t * entriesPerBlock;
        long at = Math.max(rangeStart, (fileLength + clusterSize - 1) >>> clusterBits);
        if (at + 1 >= rangeStart + entriesPerBlock) {
            at = rangeStart;
        }
        long newEntries = 0;
        long k = 0;
        for (long w : new long[] {wanted, t + 1}) {
            long clusters = (Math.min(w, maxEntries) + entriesPerTableCluster - 1) / entriesPerTableCluster;
            if (clusters * entriesPerTableCluster > t && at + 1 + clusters <= rangeStart + entriesPerBlock) {
                k = clusters;
                newEntries = clusters * entriesPerTableCluster;
                break;
            }
        }
        if (k == 0) {
            throw StorageException.unsupported(path, "refcount table cannot grow to cover refcount block " + t);
        }
        byte[] block = new byte[clusterSize];
        for (long i = 0; i <= k; i++) {
            writeEntry(block, at - rangeStart + i, 1);
        }
        long blockOff = at << clusterBits;
        long newTableOff = blockOff + clusterSize;
        long[] newTable = new long[(int) newEntries];
        System.arraycopy(table, 0, newTable, 0, table.length);
        newTable[(int) t] = blockOff;
        ByteBuffer tb = ByteBuffer.allocate((int) (newEntries * 8));
        for (long v : newTable) {
            tb.putLong(v);
        }
        tb.flip();
        FileIo.writeFully(ch, ByteBuffer.wrap(block), blockOff);
        FileIo.writeFully(ch, tb, newTableOff);
        noteWritten(newTableOff + k * clusterSize);
        ch.force(false);
        ByteBuffer hdr = ByteBuffer.allocate(12).putLong(0, newTableOff).putInt(8, (int) k);
        FileIo.writeFully(ch, hdr, Qcow2Header.REFTABLE_FIELDS_OFFSET);
        ch.force(false);
        long oldOff = tableOffset;
        int oldClusters = tableClusters;
        table = newTable;
        tableOffset = newTableOff;
        tableClusters = (int) k;
        blockCache.put(blockOff, block);
        // The old table is unreferenced now that the header change is durable.
        for (int i = 0; i < oldClusters; i++) {
            long off = oldOff + ((long) i << clusterBits);
            set(off, get(off) - 1);
        }
        freeHint = Math.min(freeHint, oldOff >>> clusterBits);
        unsynced = true;
    }

    /** Sets the refcount of the cluster at {@code offset}, creating its refcount block if needed. */
    void set(long offset, long value) throws IOException {
        if (value < 0 || value > maxRefcount) {
            throw new StorageException(StorageException.Reason.UNSUPPORTED,
                    path + ": refcount " + value + " does not fit in " + refBits + " bits");
        }
        long cluster = offset >>> clusterBits;
        long t = cluster / entriesPerBlock;
        ensureBlock(t);
        long blockOff = table[(int) t] & REFTABLE_OFFSET_MASK;
        byte[] block = block(blockOff);
        long index = cluster % entriesPerBlock;
        writeEntry(block, index, value);
        int width = Math.max(1, refBits / 8);
        int byteIndex = (int) (index * refBits / 8);
        FileIo.writeFully(ch, ByteBuffer.wrap(block, byteIndex, width), blockOff + byteIndex);
        unsynced = true;
    }

    private byte[] block(long blockOffset) throws IOException {
        byte[] b = blockCache.get(blockOffset);
        if (b != null) {
            return b;
        }
        if ((blockOffset & (clusterSize - 1)) != 0 || blockOffset > fileLength - clusterSize) {
            throw StorageException.corrupt(path, "refcount block at 0x" + Long.toHexString(blockOffset)
                    + " unaligned or past end of file");
        }
        b = new byte[clusterSize];
        FileIo.readFully(ch, ByteBuffer.wrap(b), blockOffset);
        blockCache.put(blockOffset, b);
        return b;
    }

    private long readEntry(byte[] block, long index) {
        return switch (refBits) {
            case 1, 2, 4 -> {
                int perByte = 8 / refBits;
                int b = block[(int) (index / perByte)] & 0xff;
                yield (b >>> ((index % perByte) * refBits)) & ((1 << refBits) - 1);
            }
            case 8 -> block[(int) index] & 0xffL;
            case 16 -> ByteBuffer.wrap(block).getShort((int) index * 2) & 0xffffL;
            case 32 -> ByteBuffer.wrap(block).getInt((int) index * 4) & 0xffff_ffffL;
            default -> ByteBuffer.wrap(block).getLong((int) index * 8);
        };
    }

    private void writeEntry(byte[] block, long index, long value) {
        switch (refBits) {
            case 1, 2, 4 -> {
                int perByte = 8 / refBits;
                int i = (int) (index / perByte);
                int shift = (int) (index % perByte) * refBits;
                int mask = ((1 << refBits) - 1) << shift;
                block[i] = (byte) ((block[i] & ~mask) | ((int) value << shift & mask));
            }
            case 8 -> block[(int) index] = (byte) value;
            case 16 -> ByteBuffer.wrap(block).putShort((int) index * 2, (short) value);
            case 32 -> ByteBuffer.wrap(block).putInt((int) index * 4, (int) value);
            default -> ByteBuffer.wrap(block).putLong((int) index * 8, value);
        }
    }
}

package dev.jvmm.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A qcow2 image (versions 2 and 3) as a {@link BlockBackend}: two-level L1/L2 mapping of guest
 * clusters to host clusters, refcounted allocation, copy-on-write from a backing file (raw or
 * qcow2, opened read-only), v3 zero clusters, and reading of zlib-compressed clusters.
 *
 * <p>Writing an unallocated, zero, compressed or shared cluster allocates a fresh cluster,
 * fills it with the old contents plus the new bytes and only then links it in the L2 table
 * (see the package documentation for the crash-safety ordering). Discard unlinks clusters
 * (or, over a backing file, sets the v3 zero flag) and frees them after the next sync.
 *
 * <p>Not supported: internal snapshots for writing (read-only open works), external data
 * files, extended L2 entries, encryption, zstd compression, writing compressed clusters.
 * Images with the dirty bit (lazy refcounts) or the corrupt bit open read-only only.
 *
 * <p>Thread-safety: every request is serialised on the image.
 */
public final class Qcow2Image implements BlockBackend {

    static final long OFFSET_MASK = 0x00ff_ffff_ffff_fe00L;
    static final long COPIED = 1L << 63;
    static final long COMPRESSED = 1L << 62;
    static final long ZERO = 1L;
    static final int MAX_CHAIN_DEPTH = 16;
    private static final int L2_CACHE_BYTES = 8 << 20;

    private final Path path;
    private final FileChannel ch;
    private final boolean readOnly;
    private final Qcow2Header header;
    private final int clusterBits;
    private final int clusterSize;
    private final int l2Bits;
    private final long[] l1;
    private final Qcow2Refcounts refcounts;
    private final BlockBackend backing;
    private final Map<Long, long[]> l2Cache;
    private long cachedCompressedEntry = -1;
    private byte[] cachedCompressedData;
    private boolean closed;

    private Qcow2Image(Path path, FileChannel ch, boolean readOnly, Qcow2Header header, long[] l1,
                       Qcow2Refcounts refcounts, BlockBackend backing) {
        this.path = path;
        this.ch = ch;
        this.readOnly = readOnly;
        this.header = header;
        this.clusterBits = header.clusterBits();
        this.clusterSize = header.clusterSize();
        this.l2Bits = clusterBits - 3;
        this.l1 = l1;
        this.refcounts = refcounts;
        this.backing = backing;
        int tables = Math.max(4, L2_CACHE_BYTES / clusterSize);
        this.l2Cache = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, long[]> eldest) {
                return size() > tables;
            }
        };
    }

    /** Opens a qcow2 image and its backing chain (backing files always read-only). */
    public static Qcow2Image open(Path path, boolean readOnly) throws IOException {
        return open(path, readOnly, 0, new HashSet<>());
    }

    /**
     * Creates a version 3 qcow2 image; see {@link Qcow2Creator#create}. {@code size < 0} takes
     * the backing file's size.
     */
    public static void create(Path path, long size, int clusterSize, String backingFile, ImageFormat backingFormat)
            throws IOException {
        Qcow2Creator.create(path, size, clusterSize, backingFile, backingFormat);
    }

    static Qcow2Image open(Path path, boolean readOnly, int depth, Set<Path> chain) throws IOException {
        if (depth > MAX_CHAIN_DEPTH) {
            throw StorageException.unsupported(path, "backing chain deeper than " + MAX_CHAIN_DEPTH);
        }
        if (!chain.add(path.toRealPath())) {
            throw StorageException.corrupt(path, "backing chain refers back to this file");
        }
        FileChannel ch = readOnly
                ? FileChannel.open(path, StandardOpenOption.READ)
                : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        BlockBackend backing = null;
        try {
            Qcow2Header h = Qcow2Header.read(ch, path);
            if (!readOnly) {
                if (h.corrupt()) {
                    throw StorageException.corrupt(path, "image is marked corrupt; open it read-only or repair it");
                }
                if (h.dirty()) {
                    throw StorageException.unsupported(path,
                            "dirty image (lazy refcounts) for writing; run 'qemu-img check -r all' first");
                }
                if (h.nbSnapshots() > 0) {
                    throw StorageException.unsupported(path, "writing to an image with internal snapshots");
                }
            }
            long[] l1 = new long[h.l1Size()];
            ByteBuffer b = ByteBuffer.allocate(h.l1Size() * 8);
            FileIo.readFully(ch, b, h.l1TableOffset());
            b.flip();
            for (int i = 0; i < l1.length; i++) {
                l1[i] = b.getLong();
            }
            Qcow2Refcounts refcounts = new Qcow2Refcounts(path, ch, h);
            if (h.backingFile() != null) {
                backing = openBacking(path, h, depth, chain);
            }
            if (!readOnly && h.autoclearFeatures() != 0) {
                // We maintain none of the autoclear structures (e.g. bitmaps): declare them stale.
                FileIo.writeFully(ch, ByteBuffer.allocate(8), Qcow2Header.AUTOCLEAR_OFFSET);
                ch.force(false);
            }
            return new Qcow2Image(path, ch, readOnly, h, l1, refcounts, backing);
        } catch (IOException | RuntimeException e) {
            ch.close();
            if (backing != null) {
                backing.close();
            }
            throw e;
        }
    }

    private static BlockBackend openBacking(Path path, Qcow2Header h, int depth, Set<Path> chain) throws IOException {
        String name = h.backingFile();
        Path dir = path.toAbsolutePath().getParent();
        Path bp;
        try {
            bp = dir.resolve(name);
        } catch (RuntimeException e) {
            throw StorageException.unsupported(path, "backing file name '" + name + "'");
        }
        if (!Files.isRegularFile(bp)) {
            throw new StorageException(StorageException.Reason.INVALID_ARGUMENT,
                    path + ": backing file '" + name + "' not found (looked at " + bp + ")");
        }
        ImageFormat fmt;
        if (h.backingFormat() == null) {
            fmt = DiskImages.probe(bp);
        } else {
            try {
                fmt = ImageFormat.fromQemuName(h.backingFormat());
            } catch (StorageException e) {
                throw StorageException.unsupported(path, "backing file format '" + h.backingFormat() + "'");
            }
        }
        return DiskImages.open(bp, fmt, true, depth + 1, chain);
    }

    @Override
    public long size() {
        return header.size();
    }

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    /** Cluster size in bytes. */
    public int clusterSize() {
        return clusterSize;
    }

    /** qcow2 version (2 or 3). */
    public int version() {
        return header.version();
    }

    /** The backing file name as stored in the header, if any. */
    public Optional<String> backingFile() {
        return Optional.ofNullable(header.backingFile());
    }

    @Override
    public synchronized void read(long offset, ByteBuffer dst) throws IOException {
        ensureOpen();
        StorageException.checkRange(path, size(), offset, dst.remaining());
        while (dst.hasRemaining()) {
            int in = (int) (offset & (clusterSize - 1));
            int n = Math.min(clusterSize - in, dst.remaining());
            ByteBuffer chunk = dst.slice(dst.position(), n);
            readInCluster(offset, chunk);
            dst.position(dst.position() + n);
            offset += n;
        }
    }

    private void readInCluster(long offset, ByteBuffer chunk) throws IOException {
        long vc = offset >>> clusterBits;
        int in = (int) (offset & (clusterSize - 1));
        long e = l2Entry(vc);
        if ((e & COMPRESSED) != 0) {
            chunk.put(decompress(e), in, chunk.remaining());
        } else if (header.hasZeroFlag() && (e & ZERO) != 0) {
            FileIo.fillZeros(chunk, chunk.remaining());
        } else {
            long host = e & OFFSET_MASK;
            if (host == 0) {
                readBacking(offset, chunk);
            } else {
                checkDataCluster(host);
                FileIo.readFully(ch, chunk, host + in);
            }
        }
    }

    private void readBacking(long offset, ByteBuffer dst) throws IOException {
        int n = dst.remaining();
        int fromBacking = backing == null ? 0 : (int) Math.max(0, Math.min(n, backing.size() - offset));
        if (fromBacking > 0) {
            ByteBuffer part = dst.slice(dst.position(), fromBacking);
            backing.read(offset, part);
            dst.position(dst.position() + fromBacking);
        }
        FileIo.fillZeros(dst, n - fromBacking);
    }

    @Override
    public synchronized void write(long offset, ByteBuffer src) throws IOException {
        ensureWritable();
        StorageException.checkRange(path, size(), offset, src.remaining());
        while (src.hasRemaining()) {
            int in = (int) (offset & (clusterSize - 1));
            int n = Math.min(clusterSize - in, src.remaining());
            writeInCluster(offset, src.slice(src.position(), n));
            src.position(src.position() + n);
            offset += n;
        }
    }

    private void writeInCluster(long offset, ByteBuffer data) throws IOException {
        long vc = offset >>> clusterBits;
        int in = (int) (offset & (clusterSize - 1));
        int n = data.remaining();
        long e = l2Entry(vc);
        long host = e & OFFSET_MASK;
        boolean compressed = (e & COMPRESSED) != 0;
        boolean zero = header.hasZeroFlag() && (e & ZERO) != 0;
        if (!compressed && host != 0 && ((e & COPIED) != 0 || refcounts.get(host) == 1)) {
            checkDataCluster(host);
            if (!zero) {
                FileIo.writeFully(ch, data, host + in);
                refcounts.noteWritten(host + in + n);
                return;
            }
            // A preallocated zero cluster: write zeros around the new bytes, then drop the flag.
            byte[] buf = new byte[clusterSize];
            data.get(buf, in, n);
            FileIo.writeFully(ch, ByteBuffer.wrap(buf), host);
            refcounts.noteWritten(host + clusterSize);
            setL2Entry(vc, host | COPIED);
            return;
        }
        byte[] buf = new byte[clusterSize];
        if (n < clusterSize) {
            if (compressed) {
                System.arraycopy(decompress(e), 0, buf, 0, clusterSize);
            } else if (!zero) {
                if (host != 0) {
                    checkDataCluster(host);
                    FileIo.readFully(ch, ByteBuffer.wrap(buf), host);
                } else {
                    readBacking(vc << clusterBits, ByteBuffer.wrap(buf));
                }
            }
        }
        data.get(buf, in, n);
        long fresh = refcounts.allocate();
        FileIo.writeFully(ch, ByteBuffer.wrap(buf), fresh);
        refcounts.noteWritten(fresh + clusterSize);
        setL2Entry(vc, fresh | COPIED);
        freeLater(e);
    }

    /** Queues the release of whatever host space {@code oldEntry} referenced (it has been unlinked). */
    private void freeLater(long oldEntry) {
        if ((oldEntry & COMPRESSED) != 0) {
            CompressedRef c = compressedRef(oldEntry);
            refcounts.deferFree(c.offset(), c.length());
        } else if ((oldEntry & OFFSET_MASK) != 0) {
            refcounts.deferFree(oldEntry & OFFSET_MASK, clusterSize);
        }
    }

    /** Stores {@code entry} for guest cluster {@code vc}, allocating its L2 table if needed; linking follows a sync barrier. */
    private void setL2Entry(long vc, long entry) throws IOException {
        int l1i = (int) (vc >>> l2Bits);
        int idx = (int) (vc & ((1L << l2Bits) - 1));
        long l2Off = l2Offset(l1i);
        if (l2Off == 0) {
            long fresh = refcounts.allocate();
            long[] table = new long[1 << l2Bits];
            table[idx] = entry;
            ByteBuffer b = ByteBuffer.allocate(clusterSize);
            b.putLong(idx * 8, entry);
            FileIo.writeFully(ch, b, fresh);
            refcounts.noteWritten(fresh + clusterSize);
            refcounts.markUnsynced();
            barrier();
            l1[l1i] = fresh | COPIED;
            FileIo.writeFully(ch, ByteBuffer.allocate(8).putLong(0, l1[l1i]), header.l1TableOffset() + l1i * 8L);
            l2Cache.put(fresh, table);
            return;
        }
        long[] table = l2Table(l2Off);
        barrier();
        table[idx] = entry;
        FileIo.writeFully(ch, ByteBuffer.allocate(8).putLong(0, entry), l2Off + idx * 8L);
    }

    /** Makes earlier refcount and new-table writes durable before a write that links to them. */
    private void barrier() throws IOException {
        if (refcounts.unsynced()) {
            ch.force(false);
            refcounts.synced();
        }
    }

    @Override
    public synchronized void discard(long offset, long length) throws IOException {
        ensureWritable();
        StorageException.checkRange(path, size(), offset, length);
        long first = (offset + clusterSize - 1) >>> clusterBits;
        long endByte = offset + length;
        // The disk's last cluster may be partial: reaching the disk's end covers it.
        long end = endByte == size() ? (endByte + clusterSize - 1) >>> clusterBits : endByte >>> clusterBits;
        for (long vc = first; vc < end; vc++) {
            long newEntry;
            if (backing == null) {
                newEntry = 0;
            } else if (header.hasZeroFlag()) {
                newEntry = ZERO;
            } else {
                return; // v2 over a backing file cannot express "zeros": keep the data.
            }
            long e = l2Entry(vc);
            if (e == newEntry) {
                continue;
            }
            setL2Entry(vc, newEntry);
            freeLater(e);
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        ensureWritable();
        ch.force(true);
        refcounts.synced();
        if (refcounts.hasDeferredFrees()) {
            refcounts.applyDeferredFrees();
            ch.force(true);
            refcounts.synced();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!readOnly) {
                ch.force(true);
                refcounts.applyDeferredFrees();
                refcounts.releaseReserved();
                refcounts.trimTail();
                ch.force(true);
            }
        } finally {
            try {
                ch.close();
            } finally {
                if (backing != null) {
                    backing.close();
                }
            }
        }
    }

    // ---- metadata lookup -------------------------------------------------------------------

    private long l2Entry(long vc) throws IOException {
        long l2Off = l2Offset((int) (vc >>> l2Bits));
        if (l2Off == 0) {
            return 0;
        }
        return l2Table(l2Off)[(int) (vc & ((1L << l2Bits) - 1))];
    }

    private long l2Offset(int l1Index) throws StorageException {
        if (l1Index < 0 || l1Index >= l1.length) {
            throw StorageException.corrupt(path, "L1 index " + l1Index + " beyond l1_size " + l1.length);
        }
        long off = l1[l1Index] & OFFSET_MASK;
        if (off != 0 && ((off & (clusterSize - 1)) != 0 || off > refcounts.fileLength() - clusterSize)) {
            throw StorageException.corrupt(path, "L2 table offset 0x" + Long.toHexString(off) + " (L1 entry "
                    + l1Index + ") unaligned or past end of file");
        }
        return off;
    }

    private long[] l2Table(long off) throws IOException {
        long[] t = l2Cache.get(off);
        if (t == null) {
            ByteBuffer b = ByteBuffer.allocate(clusterSize);
            FileIo.readFully(ch, b, off);
            b.flip();
            t = new long[1 << l2Bits];
            for (int i = 0; i < t.length; i++) {
                t[i] = b.getLong();
            }
            l2Cache.put(off, t);
        }
        return t;
    }

    private void checkDataCluster(long host) throws StorageException {
        if ((host & (clusterSize - 1)) != 0 || host >= refcounts.fileLength()) {
            throw StorageException.corrupt(path, "data cluster offset 0x" + Long.toHexString(host)
                    + " unaligned or past end of file");
        }
    }

    private record CompressedRef(long offset, int length) {
    }

    private CompressedRef compressedRef(long e) {
        int x = 62 - (clusterBits - 8);
        long offset = e & ((1L << x) - 1);
        long sectors = ((e >>> x) & ((1L << (clusterBits - 8)) - 1)) + 1;
        return new CompressedRef(offset, (int) (sectors * 512 - (offset & 511)));
    }

    private byte[] decompress(long e) throws IOException {
        if (e == cachedCompressedEntry) {
            return cachedCompressedData;
        }
        CompressedRef c = compressedRef(e);
        long fileLength = refcounts.fileLength();
        if (c.offset() < clusterSize || c.offset() >= fileLength) {
            throw StorageException.corrupt(path, "compressed cluster at 0x" + Long.toHexString(c.offset())
                    + " outside the file");
        }
        int len = (int) Math.min(c.length(), fileLength - c.offset());
        byte[] in = new byte[len];
        FileIo.readFully(ch, ByteBuffer.wrap(in), c.offset());
        byte[] out = new byte[clusterSize];
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(in);
            int got = 0;
            while (got < clusterSize) {
                int k = inflater.inflate(out, got, clusterSize - got);
                if (k == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                got += k;
            }
            if (got != clusterSize) {
                throw StorageException.corrupt(path, "compressed cluster at 0x" + Long.toHexString(c.offset())
                        + " inflates to " + got + " bytes, not " + clusterSize);
            }
        } catch (DataFormatException ex) {
            throw StorageException.corrupt(path, "compressed cluster at 0x" + Long.toHexString(c.offset())
                    + " is not valid deflate data");
        } finally {
            inflater.end();
        }
        cachedCompressedEntry = e;
        cachedCompressedData = out;
        return out;
    }

    private void ensureOpen() throws StorageException {
        if (closed) {
            throw StorageException.closed(path);
        }
    }

    private void ensureWritable() throws StorageException {
        ensureOpen();
        if (readOnly) {
            throw StorageException.readOnly(path);
        }
    }

    @Override
    public String toString() {
        return "Qcow2Image[" + path + "]";
    }
}

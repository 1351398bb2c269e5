package dev.jvmm.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The parsed and validated qcow2 header (QEMU docs/interop/qcow2.txt), including the header
 * extensions this implementation understands. Parsing never trusts the file: every field is
 * range-checked against the file length and the cluster size before anything uses it.
 */
record Qcow2Header(
        int version,
        int clusterBits,
        long size,
        int l1Size,
        long l1TableOffset,
        long refcountTableOffset,
        int refcountTableClusters,
        int nbSnapshots,
        long incompatibleFeatures,
        long compatibleFeatures,
        long autoclearFeatures,
        int refcountOrder,
        int headerLength,
        String backingFile,
        String backingFormat) {

    static final int MAGIC = 0x514649fb;
    static final int V2_HEADER_LENGTH = 72;
    static final int V3_HEADER_LENGTH = 104;

    static final long INCOMPAT_DIRTY = 1L;
    static final long INCOMPAT_CORRUPT = 1L << 1;
    static final long INCOMPAT_EXTERNAL_DATA = 1L << 2;
    static final long INCOMPAT_COMPRESSION_TYPE = 1L << 3;
    static final long INCOMPAT_EXTENDED_L2 = 1L << 4;

    static final int EXT_END = 0;
    static final int EXT_BACKING_FORMAT = 0xe2792aca;
    static final int EXT_FEATURE_NAMES = 0x6803f857;
    static final int EXT_ENCRYPTION = 0x0537be77;
    static final int EXT_EXTERNAL_DATA_FILE = 0x44415441;

    static final int MIN_CLUSTER_BITS = 9;
    static final int MAX_CLUSTER_BITS = 21;
    /** Largest L1 table accepted (QEMU's own limit): 32 MiB. */
    static final long MAX_L1_BYTES = 32L << 20;
    /** Largest refcount table accepted (QEMU's own limit): 8 MiB. */
    static final long MAX_REFTABLE_BYTES = 8L << 20;
    static final int MAX_BACKING_NAME = 1023;

    /** Offset of refcount_table_offset (8 bytes) followed by refcount_table_clusters (4 bytes). */
    static final int REFTABLE_FIELDS_OFFSET = 48;
    static final int AUTOCLEAR_OFFSET = 88;

    int clusterSize() {
        return 1 << clusterBits;
    }

    boolean dirty() {
        return (incompatibleFeatures & INCOMPAT_DIRTY) != 0;
    }

    boolean corrupt() {
        return (incompatibleFeatures & INCOMPAT_CORRUPT) != 0;
    }

    /** Whether the v3 zero flag in L2 entries is meaningful. */
    boolean hasZeroFlag() {
        return version >= 3;
    }

    /** Reads and validates the header of the qcow2 image open on {@code ch}. */
    static Qcow2Header read(FileChannel ch, Path path) throws IOException {
        long fileLength = ch.size();
        if (fileLength < V2_HEADER_LENGTH) {
            throw StorageException.corrupt(path, "file of " + fileLength + " bytes is too short for a qcow2 header");
        }
        ByteBuffer fixed = ByteBuffer.allocate((int) Math.min(fileLength, V3_HEADER_LENGTH + 8));
        FileIo.readFully(ch, fixed, 0);
        fixed.flip();
        if (fixed.getInt(0) != MAGIC) {
            throw StorageException.corrupt(path, "not a qcow2 image (bad magic)");
        }
        int version = fixed.getInt(4);
        if (version != 2 && version != 3) {
            throw StorageException.unsupported(path, "qcow2 version " + Integer.toUnsignedString(version));
        }
        long backingOffset = fixed.getLong(8);
        int backingSize = fixed.getInt(16);
        int clusterBits = fixed.getInt(20);
        if (clusterBits < MIN_CLUSTER_BITS || clusterBits > MAX_CLUSTER_BITS) {
            throw StorageException.corrupt(path, "cluster_bits " + Integer.toUnsignedString(clusterBits)
                    + " outside " + MIN_CLUSTER_BITS + ".." + MAX_CLUSTER_BITS);
        }
        int clusterSize = 1 << clusterBits;
        long size = fixed.getLong(24);
        int cryptMethod = fixed.getInt(32);
        long l1Size = Integer.toUnsignedLong(fixed.getInt(36));
        long l1Offset = fixed.getLong(40);
        long refTableOffset = fixed.getLong(48);
        long refTableClusters = Integer.toUnsignedLong(fixed.getInt(56));
        long nbSnapshots = Integer.toUnsignedLong(fixed.getInt(60));

        long incompatible = 0;
        long compatible = 0;
        long autoclear = 0;
        int refcountOrder = 4;
        int headerLength = V2_HEADER_LENGTH;
        int compressionType = 0;
        if (version == 3) {
            if (fileLength < V3_HEADER_LENGTH) {
                throw StorageException.corrupt(path, "file too short for a version 3 header");
            }
            incompatible = fixed.getLong(72);
            compatible = fixed.getLong(80);
            autoclear = fixed.getLong(88);
            refcountOrder = fixed.getInt(96);
            headerLength = fixed.getInt(100);
            if (headerLength < V3_HEADER_LENGTH || headerLength > clusterSize || headerLength % 8 != 0) {
                throw StorageException.corrupt(path, "header_length " + Integer.toUnsignedString(headerLength) + " invalid");
            }
            if (headerLength > V3_HEADER_LENGTH && fixed.limit() > V3_HEADER_LENGTH) {
                compressionType = fixed.get(V3_HEADER_LENGTH) & 0xff;
            }
        }
        if (Integer.toUnsignedLong(refcountOrder) > 6) {
            throw StorageException.corrupt(path, "refcount_order " + Integer.toUnsignedString(refcountOrder) + " > 6");
        }

        // The first cluster holds the header, its extensions and the backing file name.
        ByteBuffer first = ByteBuffer.allocate((int) Math.min(fileLength, clusterSize));
        FileIo.readFully(ch, first, 0);
        first.flip();
        Map<Integer, String> featureNames = new HashMap<>();
        String backingFormat = null;
        boolean externalDataName = false;
        long pos = headerLength;
        while (pos + 8 <= first.limit()) {
            int type = first.getInt((int) pos);
            long len = Integer.toUnsignedLong(first.getInt((int) pos + 4));
            if (type == EXT_END) {
                break;
            }
            long dataStart = pos + 8;
            if (len > first.limit() - dataStart) {
                throw StorageException.corrupt(path, "header extension 0x" + Integer.toHexString(type)
                        + " of " + len + " bytes runs past the first cluster");
            }
            switch (type) {
                case EXT_BACKING_FORMAT -> backingFormat = ascii(first, (int) dataStart, (int) len);
                case EXT_FEATURE_NAMES -> {
                    for (long e = dataStart; e + 48 <= dataStart + len; e += 48) {
                        int kind = first.get((int) e) & 0xff;
                        int bit = first.get((int) e + 1) & 0xff;
                        featureNames.put(kind * 64 + bit, ascii(first, (int) e + 2, 46).replace("\0", ""));
                    }
                }
                case EXT_ENCRYPTION -> throw StorageException.unsupported(path, "encrypted image");
                case EXT_EXTERNAL_DATA_FILE -> externalDataName = true;
                default -> {
                    // Unknown extensions are optional by definition: skip them.
                }
            }
            pos = dataStart + ((len + 7) & ~7L);
        }

        long known = INCOMPAT_DIRTY | INCOMPAT_CORRUPT | INCOMPAT_COMPRESSION_TYPE;
        if ((incompatible & INCOMPAT_EXTERNAL_DATA) != 0 || externalDataName) {
            throw StorageException.unsupported(path, "external data file");
        }
        if ((incompatible & INCOMPAT_EXTENDED_L2) != 0) {
            throw StorageException.unsupported(path, "extended L2 entries (subclusters)");
        }
        long unknown = incompatible & ~known;
        if (unknown != 0) {
            int bit = Long.numberOfTrailingZeros(unknown);
            String name = featureNames.get(bit);
            throw StorageException.unsupported(path, "unknown incompatible feature bit " + bit
                    + (name != null && !name.isEmpty() ? " (" + name + ")" : "") + ", refusing to open");
        }
        if (compressionType != 0) {
            throw StorageException.unsupported(path, "compression type " + compressionType + " (only zlib)");
        }
        if (cryptMethod != 0) {
            throw StorageException.unsupported(path, "encrypted image (crypt_method " + Integer.toUnsignedString(cryptMethod) + ")");
        }

        if (size < 0) {
            throw StorageException.corrupt(path, "negative virtual size");
        }
        long l2Entries = clusterSize / 8;
        long guestClusters = Long.divideUnsigned(size + clusterSize - 1, clusterSize);
        if (size > Long.MAX_VALUE - clusterSize) {
            throw StorageException.corrupt(path, "virtual size " + size + " too large");
        }
        long l1Needed = (guestClusters + l2Entries - 1) / l2Entries;
        if (l1Size * 8 > MAX_L1_BYTES) {
            throw StorageException.corrupt(path, "l1_size " + l1Size + " exceeds the " + (MAX_L1_BYTES >> 20) + " MiB limit");
        }
        if (l1Size < l1Needed) {
            throw StorageException.corrupt(path, "l1_size " + l1Size + " too small for virtual size " + size);
        }
        if (l1Size > 0) {
            checkTable(path, "L1 table", l1Offset, l1Size * 8, clusterSize, fileLength);
        }
        if (refTableClusters == 0 || refTableClusters * clusterSize > MAX_REFTABLE_BYTES) {
            throw StorageException.corrupt(path, "refcount_table_clusters " + refTableClusters + " out of range");
        }
        checkTable(path, "refcount table", refTableOffset, refTableClusters * clusterSize, clusterSize, fileLength);

        String backingFile = null;
        if (backingOffset != 0) {
            if (backingOffset < 0 || backingOffset >= clusterSize
                    || Integer.toUnsignedLong(backingSize) > Math.min(MAX_BACKING_NAME, clusterSize - backingOffset)
                    || backingOffset + Integer.toUnsignedLong(backingSize) > first.limit()) {
                throw StorageException.corrupt(path, "backing file name (offset " + backingOffset
                        + ", size " + Integer.toUnsignedString(backingSize) + ") outside the first cluster");
            }
            backingFile = new String(bytes(first, (int) backingOffset, backingSize), StandardCharsets.UTF_8);
            if (backingFile.isEmpty() || backingFile.indexOf('\0') >= 0) {
                throw StorageException.corrupt(path, "empty or malformed backing file name");
            }
        }
        return new Qcow2Header(version, clusterBits, size, (int) l1Size, l1Offset, refTableOffset,
                (int) refTableClusters, (int) Math.min(nbSnapshots, Integer.MAX_VALUE), incompatible, compatible,
                autoclear, refcountOrder, headerLength, backingFile, backingFormat);
    }

    private static void checkTable(Path path, String what, long offset, long bytes, int clusterSize, long fileLength)
            throws StorageException {
        if (offset <= 0 || (offset & (clusterSize - 1)) != 0) {
            throw StorageException.corrupt(path, what + " offset 0x" + Long.toHexString(offset) + " not cluster aligned");
        }
        if (offset > fileLength || bytes > fileLength - offset) {
            throw StorageException.corrupt(path, what + " at 0x" + Long.toHexString(offset) + " (" + bytes
                    + " bytes) extends past end of file (" + fileLength + " bytes)");
        }
    }

    private static byte[] bytes(ByteBuffer b, int off, int len) {
        byte[] out = new byte[len];
        b.get(off, out);
        return out;
    }

    private static String ascii(ByteBuffer b, int off, int len) {
        return new String(bytes(b, off, len), StandardCharsets.US_ASCII);
    }
}

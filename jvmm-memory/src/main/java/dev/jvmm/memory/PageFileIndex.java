package dev.jvmm.memory;

import dev.jvmm.memory.state.StateException;
import dev.jvmm.memory.state.StateReader;
import dev.jvmm.memory.state.StateWriter;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * What a {@link PageFile} holds: the memory size, the chunk size, which chunks hold data (the
 * others are holes, read as zeros) and a CRC32C of each data chunk. Chunk {@code i} covers RAM
 * offsets {@code [i * chunkSize, min((i + 1) * chunkSize, memorySize))}; only the last chunk may
 * be shorter than {@code chunkSize}.
 *
 * <p>The record ({@link #save}) is: int layout (1), long memory size, int chunk size, int number
 * of data chunks, then per data chunk in increasing order its int index and int CRC32C.
 * {@link #load} checks every field, since a snapshot is untrusted input.
 */
public final class PageFileIndex {

    /** Largest memory a page file describes: 1 TiB. */
    public static final long MAX_MEMORY_SIZE = 1L << 40;

    /** Largest chunk size {@link #load} accepts. */
    static final int MAX_CHUNK_SIZE = 64 * 1024 * 1024;

    private static final int LAYOUT = 1;

    private final long memorySize;
    private final int chunkSize;
    private final int[] dataChunks;
    private final int[] checksums;

    /** Arrays are taken over, not copied: callers hand in fresh ones. */
    PageFileIndex(long memorySize, int chunkSize, int[] dataChunks, int[] checksums) {
        this.memorySize = memorySize;
        this.chunkSize = chunkSize;
        this.dataChunks = dataChunks;
        this.checksums = checksums;
    }

    /** Bytes of RAM the file maps (and its length). */
    public long memorySize() {
        return memorySize;
    }

    public int chunkSize() {
        return chunkSize;
    }

    /** Chunks covering the memory, holes included. */
    public int chunkCount() {
        return chunkCount(memorySize, chunkSize);
    }

    /** Indexes of the chunks that hold data, in increasing order (a copy). */
    public int[] dataChunks() {
        return dataChunks.clone();
    }

    /** Bytes actually stored in the file: the data chunks, not the holes. */
    public long dataBytes() {
        long bytes = (long) dataChunks.length * chunkSize;
        int count = dataChunks.length;
        if (count > 0 && dataChunks[count - 1] == chunkCount() - 1) {
            bytes -= (long) chunkCount() * chunkSize - memorySize; // the last chunk may be short
        }
        return bytes;
    }

    /** Writes this index as one state record (layout in the class comment). */
    public void save(StateWriter out) {
        out.putInt(LAYOUT);
        out.putLong(memorySize);
        out.putInt(chunkSize);
        out.putInt(dataChunks.length);
        for (int i = 0; i < dataChunks.length; i++) {
            out.putInt(dataChunks[i]);
            out.putInt(checksums[i]);
        }
    }

    /** Reads an index written by {@link #save}, rejecting any record that is not exactly one. */
    public static PageFileIndex load(StateReader in) throws StateException {
        int layout = in.getInt("page file index layout");
        if (layout != LAYOUT) {
            throw in.bad("page file index layout", "%d is not understood (expected %d)".formatted(layout, LAYOUT));
        }
        long memorySize = in.getLong("memory size");
        if (memorySize <= 0 || memorySize > MAX_MEMORY_SIZE || memorySize % GuestMemory.PAGE_SIZE != 0) {
            throw in.bad("memory size", "%d is not a positive multiple of 4 KiB of at most 2^40".formatted(memorySize));
        }
        int chunkSize = in.getInt("chunk size");
        if (chunkSize < GuestMemory.PAGE_SIZE || chunkSize > MAX_CHUNK_SIZE || Integer.bitCount(chunkSize) != 1) {
            throw in.bad("chunk size", "%d is not a power of two in [4 KiB, 64 MiB]".formatted(chunkSize));
        }
        int chunkCount = chunkCount(memorySize, chunkSize);
        int count = in.getInt("data chunk count");
        if (count < 0 || count > chunkCount) {
            throw in.bad("data chunk count", "%d is outside [0, %d]".formatted(count, chunkCount));
        }
        // Check the length before allocating, so a garbled count cannot ask for gigabytes.
        if ((long) count * 2 * Integer.BYTES != in.remaining()) {
            throw in.bad("data chunks", "take %d bytes, the record has %d left".formatted(
                    (long) count * 2 * Integer.BYTES, in.remaining()));
        }
        int[] dataChunks = new int[count];
        int[] checksums = new int[count];
        int previous = -1;
        for (int i = 0; i < count; i++) {
            int chunk = in.getInt("data chunk");
            if (chunk <= previous || chunk >= chunkCount) {
                throw in.bad("data chunk " + i, "index %d is not in increasing order within [0, %d)".formatted(chunk, chunkCount));
            }
            dataChunks[i] = chunk;
            checksums[i] = in.getInt("data chunk checksum");
            previous = chunk;
        }
        in.expectEnd();
        return new PageFileIndex(memorySize, chunkSize, dataChunks, checksums);
    }

    /**
     * Checks that {@code mapped} (RAM mapped from the page file, before the guest runs) holds
     * what was written: recomputes the CRC32C of every data chunk. Holes are not read, so this
     * costs the data, not the memory size.
     *
     * @throws StateException if the size differs or a chunk does not match its checksum
     */
    public void verify(GuestMemory mapped) throws StateException {
        if (mapped.size() != memorySize) {
            throw new StateException("memory is %d bytes, the page file index describes %d".formatted(mapped.size(), memorySize));
        }
        MemorySegment ram = mapped.segment();
        CRC32C crc = new CRC32C();
        for (int i = 0; i < dataChunks.length; i++) {
            long offset = (long) dataChunks[i] * chunkSize;
            long length = Math.min(chunkSize, memorySize - offset);
            crc.reset();
            crc.update(ram.asSlice(offset, length).asByteBuffer());
            if ((int) crc.getValue() != checksums[i]) {
                throw new StateException("memory file is corrupted at offset 0x%x".formatted(offset));
            }
        }
    }

    static int chunkCount(long memorySize, int chunkSize) {
        return Math.toIntExact((memorySize + chunkSize - 1) / chunkSize);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PageFileIndex other
                && memorySize == other.memorySize
                && chunkSize == other.chunkSize
                && Arrays.equals(dataChunks, other.dataChunks)
                && Arrays.equals(checksums, other.checksums);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(memorySize) * 31 + chunkSize * 17 + Arrays.hashCode(dataChunks) + 7 * Arrays.hashCode(checksums);
    }

    @Override
    public String toString() {
        return "PageFileIndex[memorySize=%d, chunkSize=%d, dataChunks=%d]".formatted(memorySize, chunkSize, dataChunks.length);
    }
}

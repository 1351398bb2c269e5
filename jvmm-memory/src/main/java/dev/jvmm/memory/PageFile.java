package dev.jvmm.memory;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Writes guest RAM to a snapshot's memory file: byte {@code i} of RAM at file offset {@code i},
 * so {@link GuestMemory#mapPrivate} can map the file back as RAM without reading it.
 *
 * <p>The file is sparse. RAM is cut into {@link #CHUNK_SIZE} chunks; an all-zero chunk is not
 * written and stays a hole, so a mostly idle guest costs disk only for what it used. The
 * returned {@link PageFileIndex} lists the chunks that hold data with a CRC32C of each, for
 * {@link PageFileIndex#verify} at restore.
 *
 * <p>The machine must be paused while a file is written: nothing may store into the RAM.
 */
public final class PageFile {

    /** Granularity of hole detection and checksums: 64 KiB. */
    public static final int CHUNK_SIZE = 64 * 1024;

    /** Adjacent data chunks are written with one call, up to this many bytes. */
    private static final int MAX_WRITE = 8 * 1024 * 1024;

    /** Compared against to find all-zero chunks. */
    private static final MemorySegment ZERO_CHUNK = MemorySegment.ofArray(new long[CHUNK_SIZE / Long.BYTES]);

    private PageFile() {
    }

    /**
     * Writes {@code memory} to the new file {@code file} and forces it to disk.
     *
     * <p>The file is created with owner-only permissions where the file system has POSIX
     * permissions (guest RAM holds the guest's secrets). It must not exist yet. On failure the
     * partial file is deleted. The caller syncs the directory if it needs the name to be durable.
     *
     * @throws java.nio.file.FileAlreadyExistsException if {@code file} exists
     * @throws IOException                               if writing fails
     */
    public static PageFileIndex write(GuestMemory memory, Path file) throws IOException {
        long size = memory.size();
        if (size > PageFileIndex.MAX_MEMORY_SIZE) {
            throw new IllegalArgumentException("guest memory too large for a page file: " + size);
        }
        createOwnerOnly(file);
        try {
            PageFileIndex index;
            // RandomAccessFile only to extend the file without writing (ftruncate leaves a hole).
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw");
                 FileChannel channel = raf.getChannel()) {
                raf.setLength(size);
                index = writeChunks(memory.segment(), channel);
                channel.force(true);
            }
            return index;
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static void createOwnerOnly(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(file);
        }
    }

    private static PageFileIndex writeChunks(MemorySegment ram, FileChannel channel) throws IOException {
        long size = ram.byteSize();
        int chunkCount = PageFileIndex.chunkCount(size, CHUNK_SIZE);
        int[] dataChunks = new int[16];
        int[] checksums = new int[16];
        int dataCount = 0;
        CRC32C crc = new CRC32C();
        long runStart = -1; // first byte of the pending run of adjacent data chunks, or -1
        for (int chunk = 0; chunk < chunkCount; chunk++) {
            long offset = (long) chunk * CHUNK_SIZE;
            long length = Math.min(CHUNK_SIZE, size - offset);
            MemorySegment slice = ram.asSlice(offset, length);
            boolean zero = slice.mismatch(ZERO_CHUNK.asSlice(0, length)) == -1;
            if (zero || (runStart >= 0 && offset - runStart >= MAX_WRITE)) {
                if (runStart >= 0) {
                    writeFully(channel, ram.asSlice(runStart, offset - runStart), runStart);
                    runStart = -1;
                }
            }
            if (zero) {
                continue;
            }
            if (runStart < 0) {
                runStart = offset;
            }
            crc.reset();
            crc.update(slice.asByteBuffer());
            if (dataCount == dataChunks.length) {
                dataChunks = Arrays.copyOf(dataChunks, dataCount * 2);
                checksums = Arrays.copyOf(checksums, dataCount * 2);
            }
            dataChunks[dataCount] = chunk;
            checksums[dataCount] = (int) crc.getValue();
            dataCount++;
        }
        if (runStart >= 0) {
            writeFully(channel, ram.asSlice(runStart, size - runStart), runStart);
        }
        return new PageFileIndex(size, CHUNK_SIZE,
                Arrays.copyOf(dataChunks, dataCount), Arrays.copyOf(checksums, dataCount));
    }

    private static void writeFully(FileChannel channel, MemorySegment bytes, long position) throws IOException {
        ByteBuffer buffer = bytes.asByteBuffer();
        while (buffer.hasRemaining()) {
            position += channel.write(buffer, position);
        }
    }
}

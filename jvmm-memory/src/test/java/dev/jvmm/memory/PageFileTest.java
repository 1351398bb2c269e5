package dev.jvmm.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvmm.memory.state.StateException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PageFileTest {

    private static final long BASE = 0x8000_0000L;
    private static final int CHUNK = PageFile.CHUNK_SIZE;

    @TempDir
    Path dir;

    /** Bytes the file system has allocated for {@code file}, from stat(1). */
    private static long allocatedBytes(Path file) throws IOException, InterruptedException {
        Process stat = new ProcessBuilder("stat", "-c", "%b %B", file.toString()).redirectErrorStream(true).start();
        String out = new String(stat.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertThat(stat.waitFor()).as("stat: %s", out).isZero();
        String[] fields = out.split(" ");
        return Long.parseLong(fields[0]) * Long.parseLong(fields[1]);
    }

    @Test
    void mostlyZeroRamBecomesASparseFileOfFullLength() throws Exception {
        long size = 64L * 1024 * 1024;
        Path file = dir.resolve("memory");
        try (GuestMemory ram = GuestMemory.allocate(BASE, size)) {
            ram.writeLong(BASE + 5, -1L);
            ram.writeByte(BASE + 20L * 1024 * 1024, (byte) 1);
            ram.writeByte(BASE + size - 1, (byte) 1);

            PageFileIndex index = PageFile.write(ram, file);

            assertThat(index.dataBytes()).isEqualTo(3L * CHUNK);
        }
        assertThat(Files.size(file)).isEqualTo(size);
        assertThat(allocatedBytes(file)).isLessThan(1024 * 1024);
    }

    @Test
    void indexListsExactlyTheChunksThatAreNotAllZero() throws IOException {
        try (GuestMemory ram = GuestMemory.allocate(BASE, 8L * CHUNK)) {
            ram.writeByte(BASE + CHUNK - 1, (byte) 1);       // last byte of chunk 0
            ram.writeShort(BASE + 4L * CHUNK - 1, (short) -1); // straddles chunks 3 and 4
            ram.writeLong(BASE + 7L * CHUNK, 0L);             // a write of zeros leaves chunk 7 empty

            PageFileIndex index = PageFile.write(ram, dir.resolve("memory"));

            assertThat(index.memorySize()).isEqualTo(8L * CHUNK);
            assertThat(index.chunkSize()).isEqualTo(CHUNK);
            assertThat(index.chunkCount()).isEqualTo(8);
            assertThat(index.dataChunks()).containsExactly(0, 3, 4);
            assertThat(index.dataBytes()).isEqualTo(3L * CHUNK);
        }
    }

    @Test
    void fileHoldsRamByteForByteAtTheSameOffsets() throws IOException {
        Path file = dir.resolve("memory");
        try (GuestMemory ram = GuestMemory.allocate(BASE, 4L * CHUNK)) {
            for (int i = 0; i < 3000; i++) {
                ram.writeInt(BASE + CHUNK + 4L * i, i * 0x9e3779b9);
            }
            ram.writeByte(BASE + 3L * CHUNK + 77, (byte) 0x42);

            PageFile.write(ram, file);

            assertThat(Files.readAllBytes(file)).isEqualTo(ram.segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void shortLastChunkIsWrittenCheckedAndCounted() throws Exception {
        long size = CHUNK + 2 * GuestMemory.PAGE_SIZE;
        Path file = dir.resolve("memory");
        try (GuestMemory ram = GuestMemory.allocate(BASE, size)) {
            ram.writeLong(BASE + size - 8, 0x1234L);

            PageFileIndex index = PageFile.write(ram, file);

            assertThat(index.chunkCount()).isEqualTo(2);
            assertThat(index.dataChunks()).containsExactly(1);
            assertThat(index.dataBytes()).isEqualTo(2 * GuestMemory.PAGE_SIZE);
            try (GuestMemory mapped = GuestMemory.mapPrivate(file, BASE, size)) {
                index.verify(mapped);
                assertThat(mapped.readLong(BASE + size - 8)).isEqualTo(0x1234L);
            }
        }
    }

    @Test
    void largeRunOfDataChunksRoundTrips() throws Exception {
        long size = 20L * 1024 * 1024;
        Path file = dir.resolve("memory");
        try (GuestMemory ram = GuestMemory.allocate(BASE, size)) {
            for (long offset = 0; offset < size; offset += 512) {
                ram.writeLong(BASE + offset, offset * 31 + 1);
            }

            PageFileIndex index = PageFile.write(ram, file);

            assertThat(index.dataBytes()).isEqualTo(size);
            try (GuestMemory mapped = GuestMemory.mapPrivate(file, BASE, size)) {
                index.verify(mapped);
                assertThat(mapped.segment().mismatch(ram.segment())).isEqualTo(-1);
            }
        }
    }

    @Test
    void verifyAcceptsAnIntactFile() throws Exception {
        Path file = dir.resolve("memory");
        PageFileIndex index;
        try (GuestMemory ram = GuestMemory.allocate(BASE, 4L * CHUNK)) {
            ram.write(BASE + CHUNK + 100, "hello".getBytes(StandardCharsets.US_ASCII));
            index = PageFile.write(ram, file);
        }

        try (GuestMemory mapped = GuestMemory.mapPrivate(file, BASE, 4L * CHUNK)) {
            index.verify(mapped); // throws on a mismatch
            assertThat(mapped.readByte(BASE + CHUNK + 100)).isEqualTo((byte) 'h');
        }
    }

    @Test
    void verifyReportsTheChunkOfAFlippedByte() throws Exception {
        Path file = dir.resolve("memory");
        PageFileIndex index;
        try (GuestMemory ram = GuestMemory.allocate(BASE, 4L * CHUNK)) {
            ram.writeLong(BASE + 2L * CHUNK + 0x100, 0x0102_0304_0506_0708L);
            index = PageFile.write(ram, file);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, 2L * CHUNK + 0x1234);
            one.put(0, (byte) (one.get(0) ^ 0x10)).rewind();
            channel.write(one, 2L * CHUNK + 0x1234);
        }

        try (GuestMemory mapped = GuestMemory.mapPrivate(file, BASE, 4L * CHUNK)) {
            assertThatThrownBy(() -> index.verify(mapped))
                    .isInstanceOf(StateException.class)
                    .hasMessage("memory file is corrupted at offset 0x20000");
        }
    }

    @Test
    void verifyRejectsMemoryOfAnotherSize() throws Exception {
        PageFileIndex index;
        try (GuestMemory ram = GuestMemory.allocate(BASE, 2L * CHUNK)) {
            index = PageFile.write(ram, dir.resolve("memory"));
        }
        try (GuestMemory other = GuestMemory.allocate(BASE, 4L * CHUNK)) {
            assertThatThrownBy(() -> index.verify(other)).isInstanceOf(StateException.class);
        }
    }

    @Test
    void writeRefusesAnExistingFileAndLeavesIt() throws IOException {
        Path file = dir.resolve("memory");
        Files.writeString(file, "keep me");
        try (GuestMemory ram = GuestMemory.allocate(BASE, CHUNK)) {
            assertThatThrownBy(() -> PageFile.write(ram, file)).isInstanceOf(FileAlreadyExistsException.class);
        }
        assertThat(Files.readString(file)).isEqualTo("keep me");
    }

    @Test
    void fileIsReadableAndWritableByItsOwnerOnly() throws IOException {
        Path file = dir.resolve("memory");
        try (GuestMemory ram = GuestMemory.allocate(BASE, CHUNK)) {
            PageFile.write(ram, file);
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }
}

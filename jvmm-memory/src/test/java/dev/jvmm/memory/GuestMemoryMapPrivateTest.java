package dev.jvmm.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestMemoryMapPrivateTest {

    private static final long BASE = 0x8000_0000L;
    private static final long SIZE = 1024 * 1024;

    @TempDir
    Path dir;

    /** RAM with random bytes in a few scattered places and zeros elsewhere. */
    private static GuestMemory patternedRam() {
        GuestMemory ram = GuestMemory.allocate(BASE, SIZE);
        Random random = new Random(42);
        for (long offset : new long[] {0, 0x1_0ff0, 0x8_0000, SIZE - 4096}) {
            byte[] bytes = new byte[4096];
            random.nextBytes(bytes);
            ram.write(BASE + offset, bytes);
        }
        return ram;
    }

    private Path writePageFile(GuestMemory ram) throws IOException {
        Path file = dir.resolve("memory");
        PageFile.write(ram, file);
        return file;
    }

    @Test
    void mappedPageFileReadsExactlyAsTheRamThatWasWritten() throws IOException {
        try (GuestMemory ram = patternedRam()) {
            Path file = writePageFile(ram);

            try (GuestMemory mapped = GuestMemory.mapPrivate(file, BASE, SIZE)) {
                assertThat(mapped.base()).isEqualTo(BASE);
                assertThat(mapped.size()).isEqualTo(SIZE);
                assertThat(mapped.segment().mismatch(ram.segment())).isEqualTo(-1);
                assertThat(mapped.readLong(BASE + 0x1_0ff8)).isEqualTo(ram.readLong(BASE + 0x1_0ff8));
            }
        }
    }

    @Test
    void writesToMappedMemoryNeverReachTheFile() throws IOException {
        Path file;
        byte[] before;
        try (GuestMemory ram = patternedRam()) {
            file = writePageFile(ram);
            before = Files.readAllBytes(file);
        }

        try (GuestMemory mapped = GuestMemory.mapPrivate(file, BASE, SIZE)) {
            mapped.writeLong(BASE, 0x0123_4567_89ab_cdefL);
            mapped.zero(BASE + 0x8_0000, 4096);
            mapped.write(BASE + 0x4_0000, new byte[] {1, 2, 3});
            mapped.atomicCompareExchangeInt(BASE + 0x5_0000, 0, 9);

            assertThat(mapped.readLong(BASE)).isEqualTo(0x0123_4567_89ab_cdefL);
            assertThat(mapped.readByte(BASE + 0x4_0001)).isEqualTo((byte) 2);
            assertThat(mapped.readInt(BASE + 0x5_0000)).isEqualTo(9);
        }

        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    @Test
    void mappedMemoryKeepsADirtyPageLogLikeAllocatedMemory() throws IOException {
        try (GuestMemory ram = patternedRam()) {
            Path file = writePageFile(ram);
            try (GuestMemory mapped = GuestMemory.mapPrivate(file, BASE, SIZE)) {
                DirtyPageLog log = mapped.dirtyPages();
                assertThat(log.pageCount()).isEqualTo((int) (SIZE / GuestMemory.PAGE_SIZE));
                assertThat(log.dirtyCount()).isEqualTo(log.pageCount());

                log.collect(page -> true);
                mapped.writeInt(BASE + 3 * GuestMemory.PAGE_SIZE - 2, -1);

                assertThat(log.dirtyCount()).isEqualTo(2);
                assertThat(log.isDirty(2)).isTrue();
                assertThat(log.isDirty(3)).isTrue();
            }
        }
    }

    @Test
    void fileWithHolesMapsHolesAsZeros() throws IOException {
        Path file = dir.resolve("holes");
        try (var raf = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(SIZE);
            raf.seek(0x2_0000);
            raf.write(0x7f);
        }

        try (GuestMemory mapped = GuestMemory.mapPrivate(file, BASE, SIZE)) {
            assertThat(mapped.readByte(BASE + 0x2_0000)).isEqualTo((byte) 0x7f);
            assertThat(mapped.segment().asSlice(0x2_0001).toArray(ValueLayout.JAVA_BYTE)).containsOnly((byte) 0);
            assertThat(mapped.readLong(BASE)).isZero();
        }
    }

    @Test
    void fileShorterThanTheMemorySizeIsRejected() throws IOException {
        Path file = dir.resolve("short");
        Files.write(file, new byte[(int) SIZE - 4096]);

        assertThatThrownBy(() -> GuestMemory.mapPrivate(file, BASE, SIZE))
                .isInstanceOf(IOException.class)
                .hasMessage("memory file %s is %d bytes, expected %d", file, SIZE - 4096, SIZE);
    }

    @Test
    void fileLongerThanTheMemorySizeIsRejected() throws IOException {
        Path file = dir.resolve("long");
        Files.write(file, new byte[(int) SIZE + 1]);

        assertThatThrownBy(() -> GuestMemory.mapPrivate(file, BASE, SIZE))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("is %d bytes, expected %d", SIZE + 1, SIZE);
    }

    @Test
    void missingFileIsAnIoException() {
        assertThatThrownBy(() -> GuestMemory.mapPrivate(dir.resolve("absent"), BASE, SIZE))
                .isInstanceOf(IOException.class);
    }

    @Test
    void sizeThatIsNotWholePagesIsRejectedBeforeTheFileIsOpened() {
        assertThatThrownBy(() -> GuestMemory.mapPrivate(dir.resolve("absent"), BASE, 1000))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void closeUnmapsTheFile() throws IOException {
        try (GuestMemory ram = patternedRam()) {
            Path file = writePageFile(ram);
            GuestMemory mapped = GuestMemory.mapPrivate(file, BASE, SIZE);
            mapped.close();

            assertThatThrownBy(() -> mapped.readByte(BASE)).isInstanceOf(IllegalStateException.class);
        }
    }
}

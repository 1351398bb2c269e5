package dev.jvmm.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RawImageTest extends AbstractBlockBackendTest {

    private Path file;

    @Override
    BlockBackend newBackend() throws IOException {
        file = Files.createTempFile(dir, "disk", ".raw");
        Files.delete(file);
        RawImage.create(file, SIZE);
        return RawImage.open(file, false);
    }

    @Override
    BlockBackend reopenReadOnly(BlockBackend writable) throws IOException {
        return RawImage.open(file, true);
    }

    @Test
    void writesLandAtTheSameFileOffsets() throws IOException {
        try (BlockBackend b = newBackend()) {
            b.write(1000, ByteBuffer.wrap(new byte[] {7, 8, 9}));
            b.flush();
        }
        byte[] all = Files.readAllBytes(file);
        assertThat(all).hasSize((int) SIZE);
        assertThat(all[1000]).isEqualTo((byte) 7);
        assertThat(all[1002]).isEqualTo((byte) 9);
    }

    @Test
    void probeSaysRawForAFileWithoutQcow2Magic() throws IOException {
        try (BlockBackend b = newBackend()) {
            assertThat(b.size()).isEqualTo(SIZE);
        }
        assertThat(DiskImages.probe(file)).isEqualTo(ImageFormat.RAW);
        try (BlockBackend b = DiskImages.open(file, null, true)) {
            assertThat(b).isInstanceOf(RawImage.class);
        }
    }
}

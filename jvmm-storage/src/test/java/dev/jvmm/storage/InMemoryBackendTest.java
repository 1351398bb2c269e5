package dev.jvmm.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class InMemoryBackendTest extends AbstractBlockBackendTest {

    @Override
    BlockBackend newBackend() {
        return new InMemoryBackend(SIZE);
    }

    @Override
    BlockBackend reopenReadOnly(BlockBackend writable) {
        return ((InMemoryBackend) writable).readOnlyCopy();
    }

    @Test
    void countsFlushes() throws IOException {
        InMemoryBackend b = new InMemoryBackend(4096);
        b.flush();
        b.flush();
        assertThat(b.flushCount()).isEqualTo(2);
    }

    @Test
    void ofCopiesInitialContents() throws IOException {
        InMemoryBackend b = InMemoryBackend.of(new byte[] {1, 2, 3}, false);
        ByteBuffer dst = ByteBuffer.allocate(3);
        b.read(0, dst);
        assertThat(dst.array()).containsExactly(1, 2, 3);
    }
}

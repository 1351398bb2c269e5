package dev.jvmm.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvmm.storage.InMemoryBackend;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ProbedRawGuardTest {

    private static final byte[] MAGIC = {'Q', 'F', 'I', (byte) 0xfb};

    @Test
    void writeOfTheQcow2MagicAtOffsetZeroIsRefusedAndLeavesTheDiskUnchanged() throws IOException {
        ProbedRawGuard disk = new ProbedRawGuard(new InMemoryBackend(4096));
        byte[] sector = new byte[512];
        System.arraycopy(MAGIC, 0, sector, 0, 4);
        assertThatThrownBy(() -> disk.write(0, ByteBuffer.wrap(sector))).isInstanceOf(IOException.class)
                .hasMessageContaining("format=raw");
        ByteBuffer head = ByteBuffer.allocate(4);
        disk.read(0, head);
        assertThat(head.array()).containsExactly(0, 0, 0, 0);
    }

    @Test
    void magicCompletedByAnUnalignedWriteIsRefusedToo() throws IOException {
        ProbedRawGuard disk = new ProbedRawGuard(new InMemoryBackend(4096));
        disk.write(0, ByteBuffer.wrap(new byte[] {'Q', 'F'}));
        assertThatThrownBy(() -> disk.write(2, ByteBuffer.wrap(new byte[] {'I', (byte) 0xfb})))
                .isInstanceOf(IOException.class);
    }

    @Test
    void otherWritesGoThrough() throws IOException {
        ProbedRawGuard disk = new ProbedRawGuard(new InMemoryBackend(4096));
        disk.write(0, ByteBuffer.wrap(new byte[] {'Q', 'F', 'I', 0}));
        disk.write(512, ByteBuffer.wrap(MAGIC));
        ByteBuffer b = ByteBuffer.allocate(4);
        disk.read(512, b);
        assertThat(b.array()).containsExactly(MAGIC);
    }
}

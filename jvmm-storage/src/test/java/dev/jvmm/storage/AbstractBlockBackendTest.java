package dev.jvmm.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@link BlockBackend} contract; each implementation has a small subclass. */
abstract class AbstractBlockBackendTest {

    static final long SIZE = 1 << 20;

    @TempDir
    Path dir;

    /** A fresh, zero-filled, writable backend of {@link #SIZE} bytes. */
    abstract BlockBackend newBackend() throws IOException;

    /** The same storage as {@code writable} (already closed), reopened read-only. */
    abstract BlockBackend reopenReadOnly(BlockBackend writable) throws IOException;

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] read(BlockBackend b, long offset, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        b.read(offset, buf);
        assertThat(buf.hasRemaining()).isFalse();
        return buf.array();
    }

    @Test
    void reportsSizeAndWritability() throws IOException {
        try (BlockBackend b = newBackend()) {
            assertThat(b.size()).isEqualTo(SIZE);
            assertThat(b.isReadOnly()).isFalse();
        }
    }

    @Test
    void neverWrittenRangeReadsAsZeros() throws IOException {
        try (BlockBackend b = newBackend()) {
            assertThat(read(b, 12345, 70000)).containsOnly(0);
        }
    }

    @Test
    void writtenBytesReadBackIncludingUnalignedRangesAcrossBoundaries() throws IOException {
        try (BlockBackend b = newBackend()) {
            byte[] data = random(200_000, 1);
            b.write(65_536 - 777, ByteBuffer.wrap(data));
            byte[] small = random(3, 2);
            b.write(5, ByteBuffer.wrap(small));
            assertThat(read(b, 65_536 - 777, data.length)).isEqualTo(data);
            assertThat(read(b, 5, 3)).isEqualTo(small);
            assertThat(read(b, 0, 5)).containsOnly(0);
            assertThat(read(b, 8, 100)).containsOnly(0);
        }
    }

    @Test
    void overwriteReplacesOnlyTheWrittenBytes() throws IOException {
        try (BlockBackend b = newBackend()) {
            b.write(4096, ByteBuffer.wrap(random(8192, 3)));
            byte[] patch = random(100, 4);
            b.write(4096 + 1000, ByteBuffer.wrap(patch));
            byte[] expected = random(8192, 3);
            System.arraycopy(patch, 0, expected, 1000, 100);
            assertThat(read(b, 4096, 8192)).isEqualTo(expected);
        }
    }

    @Test
    void writeAtTheLastByteWorks() throws IOException {
        try (BlockBackend b = newBackend()) {
            b.write(SIZE - 1, ByteBuffer.wrap(new byte[] {42}));
            assertThat(read(b, SIZE - 1, 1)).containsExactly(42);
        }
    }

    @Test
    void outOfRangeRequestsThrow() throws IOException {
        try (BlockBackend b = newBackend()) {
            assertThatThrownBy(() -> b.read(SIZE - 10, ByteBuffer.allocate(11)))
                    .isInstanceOf(StorageException.class)
                    .satisfies(e -> assertThat(((StorageException) e).reason()).isEqualTo(StorageException.Reason.OUT_OF_RANGE));
            assertThatThrownBy(() -> b.write(SIZE, ByteBuffer.allocate(1))).isInstanceOf(StorageException.class);
            assertThatThrownBy(() -> b.read(-1, ByteBuffer.allocate(1))).isInstanceOf(StorageException.class);
            assertThatThrownBy(() -> b.write(Long.MAX_VALUE, ByteBuffer.allocate(2))).isInstanceOf(StorageException.class);
            assertThatThrownBy(() -> b.discard(0, SIZE + 1)).isInstanceOf(StorageException.class);
        }
    }

    @Test
    void readOnlyBackendRefusesWritesButReadsData() throws IOException {
        BlockBackend w = newBackend();
        byte[] data = random(1000, 5);
        w.write(3000, ByteBuffer.wrap(data));
        w.flush();
        w.close();
        try (BlockBackend r = reopenReadOnly(w)) {
            assertThat(r.isReadOnly()).isTrue();
            assertThat(read(r, 3000, 1000)).isEqualTo(data);
            assertThatThrownBy(() -> r.write(0, ByteBuffer.allocate(512)))
                    .isInstanceOf(StorageException.class)
                    .satisfies(e -> assertThat(((StorageException) e).reason()).isEqualTo(StorageException.Reason.READ_ONLY));
            assertThatThrownBy(r::flush).isInstanceOf(StorageException.class);
            assertThatThrownBy(() -> r.discard(0, 512)).isInstanceOf(StorageException.class);
        }
    }

    @Test
    void flushSucceedsAndKeepsData() throws IOException {
        try (BlockBackend b = newBackend()) {
            byte[] data = random(4096, 6);
            b.write(8192, ByteBuffer.wrap(data));
            b.flush();
            b.flush();
            assertThat(read(b, 8192, 4096)).isEqualTo(data);
        }
    }

    @Test
    void discardedRangeReadsAsZerosOrOldData() throws IOException {
        try (BlockBackend b = newBackend()) {
            byte[] data = random(256 * 1024, 7);
            b.write(0, ByteBuffer.wrap(data));
            b.discard(0, 256 * 1024);
            byte[] after = read(b, 0, 256 * 1024);
            for (int i = 0; i < after.length; i += 512) {
                byte[] sector = java.util.Arrays.copyOfRange(after, i, i + 512);
                byte[] old = java.util.Arrays.copyOfRange(data, i, i + 512);
                assertThat(sector).satisfiesAnyOf(s -> assertThat(s).containsOnly(0), s -> assertThat(s).isEqualTo(old));
            }
        }
    }

    @Test
    void concurrentWritersToDisjointRangesAllLand() throws Exception {
        try (BlockBackend b = newBackend()) {
            int threads = 4;
            int chunk = (int) (SIZE / threads);
            java.util.List<Thread> workers = new java.util.ArrayList<>();
            java.util.concurrent.ConcurrentLinkedQueue<Throwable> errors = new java.util.concurrent.ConcurrentLinkedQueue<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                workers.add(Thread.ofPlatform().start(() -> {
                    try {
                        byte[] data = random(chunk, 100 + id);
                        for (int off = 0; off < chunk; off += 3000) {
                            int n = Math.min(3000, chunk - off);
                            b.write((long) id * chunk + off, ByteBuffer.wrap(data, off, n));
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }));
            }
            for (Thread w : workers) {
                w.join();
            }
            assertThat(errors).isEmpty();
            for (int t = 0; t < threads; t++) {
                assertThat(read(b, (long) t * chunk, chunk)).isEqualTo(random(chunk, 100 + t));
            }
        }
    }

    @Test
    void closedBackendRefusesRequests() throws IOException {
        BlockBackend b = newBackend();
        b.close();
        assertThatThrownBy(() -> b.read(0, ByteBuffer.allocate(1))).isInstanceOf(StorageException.class);
    }
}

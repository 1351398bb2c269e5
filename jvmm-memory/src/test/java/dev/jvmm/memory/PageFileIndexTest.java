package dev.jvmm.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.jvmm.memory.state.StateException;
import dev.jvmm.memory.state.StateReader;
import dev.jvmm.memory.state.StateWriter;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PageFileIndexTest {

    private static final int CHUNK = PageFile.CHUNK_SIZE;
    private static final long SIZE = 10L * CHUNK + 4096; // 11 chunks, the last one short

    private static final PageFileIndex INDEX =
            new PageFileIndex(SIZE, CHUNK, new int[] {0, 4, 10}, new int[] {0x11111111, 0xdeadbeef, -7});

    private static byte[] record(PageFileIndex index) {
        StateWriter out = new StateWriter();
        index.save(out);
        return out.toByteArray();
    }

    private static PageFileIndex load(byte[] record) throws StateException {
        return PageFileIndex.load(new StateReader("memory index", record));
    }

    /** A record with the given header fields and (chunk, checksum) pairs. */
    private static byte[] record(int layout, long memorySize, int chunkSize, int count, int... pairs) {
        StateWriter out = new StateWriter().putInt(layout).putLong(memorySize).putInt(chunkSize).putInt(count);
        for (int v : pairs) {
            out.putInt(v);
        }
        return out.toByteArray();
    }

    @Test
    void saveThenLoadGivesTheSameIndex() throws StateException {
        PageFileIndex loaded = load(record(INDEX));

        assertThat(loaded).isEqualTo(INDEX);
        assertThat(loaded.memorySize()).isEqualTo(SIZE);
        assertThat(loaded.chunkSize()).isEqualTo(CHUNK);
        assertThat(loaded.dataChunks()).containsExactly(0, 4, 10);
    }

    @Test
    void emptyIndexRoundTrips() throws StateException {
        PageFileIndex empty = new PageFileIndex(CHUNK, CHUNK, new int[0], new int[0]);

        assertThat(load(record(empty))).isEqualTo(empty);
        assertThat(empty.dataBytes()).isZero();
    }

    @Test
    void dataBytesCountsAShortLastChunkByItsLength() {
        assertThat(INDEX.dataBytes()).isEqualTo(2L * CHUNK + 4096);
    }

    @Test
    void everyTruncationIsRejected() {
        byte[] full = record(INDEX);
        for (int length = 0; length < full.length; length++) {
            byte[] truncated = Arrays.copyOf(full, length);
            assertThatThrownBy(() -> load(truncated)).as("record cut to %d bytes", length)
                    .isInstanceOf(StateException.class);
        }
    }

    @Test
    void trailingBytesAreRejected() {
        byte[] longer = Arrays.copyOf(record(INDEX), record(INDEX).length + 1);

        assertThatThrownBy(() -> load(longer)).isInstanceOf(StateException.class);
    }

    @Test
    void unknownLayoutIsRejected() {
        assertThatThrownBy(() -> load(record(2, SIZE, CHUNK, 0)))
                .isInstanceOf(StateException.class).hasMessageContaining("layout");
    }

    @Test
    void impossibleMemorySizesAreRejected() {
        for (long size : new long[] {0, -4096, 4095, 4096 + 1, (1L << 40) + 4096, Long.MIN_VALUE}) {
            assertThatThrownBy(() -> load(record(1, size, CHUNK, 0))).as("memory size %d", size)
                    .isInstanceOf(StateException.class).hasMessageContaining("memory size");
        }
    }

    @Test
    void largestMemorySizeIsAccepted() throws StateException {
        assertThat(load(record(1, 1L << 40, CHUNK, 0)).chunkCount()).isEqualTo(1 << 24);
    }

    @Test
    void impossibleChunkSizesAreRejected() {
        for (int chunk : new int[] {0, -CHUNK, 2048, 3 * 4096, 128 * 1024 * 1024, Integer.MIN_VALUE}) {
            assertThatThrownBy(() -> load(record(1, SIZE, chunk, 0))).as("chunk size %d", chunk)
                    .isInstanceOf(StateException.class).hasMessageContaining("chunk size");
        }
    }

    @Test
    void countLargerThanTheChunksOfTheMemoryIsRejected() {
        int[] pairs = new int[2 * 12];
        for (int i = 0; i < 12; i++) {
            pairs[2 * i] = i;
        }
        assertThatThrownBy(() -> load(record(1, SIZE, CHUNK, 12, pairs)))
                .isInstanceOf(StateException.class).hasMessageContaining("data chunk count");
    }

    @Test
    void negativeOrHugeCountIsRejectedWithoutAllocating() {
        assertThatThrownBy(() -> load(record(1, SIZE, CHUNK, -1))).isInstanceOf(StateException.class);
        assertThatThrownBy(() -> load(record(1, 1L << 40, 4096, 1 << 28))).isInstanceOf(StateException.class);
    }

    @Test
    void countThatDisagreesWithTheRecordLengthIsRejected() {
        assertThatThrownBy(() -> load(record(1, SIZE, CHUNK, 3, 0, 0, 1, 0)))
                .isInstanceOf(StateException.class).hasMessageContaining("data chunks");
    }

    @Test
    void chunksOutOfOrderOrRepeatedAreRejected() {
        assertThatThrownBy(() -> load(record(1, SIZE, CHUNK, 2, 4, 0, 3, 0))).isInstanceOf(StateException.class);
        assertThatThrownBy(() -> load(record(1, SIZE, CHUNK, 2, 4, 0, 4, 0))).isInstanceOf(StateException.class);
    }

    @Test
    void chunkIndexPastTheMemoryIsRejected() {
        assertThatThrownBy(() -> load(record(1, SIZE, CHUNK, 1, 11, 0))).isInstanceOf(StateException.class);
        assertThatThrownBy(() -> load(record(1, SIZE, CHUNK, 1, -1, 0))).isInstanceOf(StateException.class);
    }

    @Test
    void garbledRecordsFailOnlyWithStateExceptionOrLoadAsWhatTheyEncode() {
        byte[] good = record(INDEX);
        SplittableRandom random = new SplittableRandom(7);
        for (int trial = 0; trial < 5000; trial++) {
            byte[] garbled = good.clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                garbled[random.nextInt(garbled.length)] ^= (byte) (1 + random.nextInt(255));
            }
            try {
                // Some flips still form a well-formed index (a checksum, a larger memory size):
                // what is accepted must then be exactly what it encodes.
                assertThat(record(load(garbled))).isEqualTo(garbled);
            } catch (StateException expected) {
                // rejected as it should be
            } catch (RuntimeException e) {
                fail("garbled record %s threw %s", Arrays.toString(garbled), e);
            }
        }
    }
}

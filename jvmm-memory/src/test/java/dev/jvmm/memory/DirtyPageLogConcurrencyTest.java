package dev.jvmm.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Migration's round protocol under a running writer: copies taken by {@link DirtyPageLog#collect}
 * while a guest writes, plus one final round after it stops, hold exactly the RAM.
 *
 * <p>A write missed by one round heals if its page is written again later, so only the last
 * writes before the writer stops can reveal a lost write. The test therefore runs many short
 * episodes (a burst of writes, collection all the while, then a final round and a comparison),
 * each one ending at a different point of a round.
 */
class DirtyPageLogConcurrencyTest {

    private static final long BASE = 0x8000_0000L;
    private static final int PAGES = 16;
    private static final int SIZE = PAGES * GuestMemory.PAGE_SIZE;
    private static final long RUN_NANOS = 300_000_000L;

    @Test
    void writeConcurrentWithCollectIsNeverLost() throws Exception {
        long seed = System.nanoTime();
        try (GuestMemory memory = GuestMemory.allocate(BASE, SIZE)) {
            MemorySegment shadow = MemorySegment.ofArray(new byte[SIZE]);
            DirtyPageLog log = memory.dirtyPages();
            Semaphore go = new Semaphore(0);
            AtomicInteger finishedEpisode = new AtomicInteger();
            AtomicReference<Throwable> writerFailure = new AtomicReference<>();
            Thread writer = new Thread(() -> writeEpisodes(memory, seed, go, finishedEpisode, writerFailure), "guest-writer");
            writer.setDaemon(true);
            writer.start();

            int episode = 0;
            long rounds = 0;
            long deadline = 0; // set after the first episode, which warms the code up
            try {
                while ((episode == 0 || System.nanoTime() - deadline < 0) && writerFailure.get() == null) {
                    episode++;
                    go.release();
                    while (finishedEpisode.get() < episode && writerFailure.get() == null) {
                        log.collect(page -> copyPage(memory, shadow, page));
                        rounds++;
                        Thread.yield(); // leave the writer CPU on a busy machine
                    }
                    log.collect(page -> copyPage(memory, shadow, page));

                    long mismatch = shadow.mismatch(memory.segment());
                    assertThat(mismatch)
                            .as("first byte where the copy differs from RAM after episode %d (seed %d)", episode, seed)
                            .isEqualTo(-1);
                    if (episode == 1) {
                        deadline = System.nanoTime() + RUN_NANOS;
                    }
                }
            } finally {
                writer.interrupt();
            }
            writer.join(5_000);

            assertThat(writerFailure.get()).isNull();
            assertThat(episode).as("episodes").isGreaterThan(10);
            assertThat(rounds).as("rounds taken while the writer ran").isPositive();
        }
    }

    /** Waits for each go, then writes a burst of values never written before. */
    private static void writeEpisodes(GuestMemory memory, long seed, Semaphore go,
                                      AtomicInteger finishedEpisode, AtomicReference<Throwable> failure) {
        SplittableRandom random = new SplittableRandom(seed);
        long counter = 1;
        try {
            while (true) {
                go.acquire();
                for (int n = 1 + random.nextInt(400); n > 0; n--, counter++) {
                    long offset = random.nextInt(SIZE - 16);
                    long aligned = BASE + (offset & ~7L);
                    switch (random.nextInt(4)) {
                        case 0 -> memory.writeLong(aligned, counter);
                        case 1 -> memory.writeInt(BASE + offset, (int) counter); // may straddle two pages
                        case 2 -> memory.write(BASE + offset, new byte[] {(byte) counter, (byte) (counter >> 8), 1});
                        default -> memory.atomicCompareExchangeLong(aligned, memory.readLong(aligned), counter);
                    }
                }
                finishedEpisode.incrementAndGet();
            }
        } catch (InterruptedException stop) {
            // the test is over
        } catch (Throwable t) {
            failure.set(t);
        }
    }

    private static boolean copyPage(GuestMemory memory, MemorySegment shadow, int page) {
        long offset = (long) page * GuestMemory.PAGE_SIZE;
        MemorySegment.copy(memory.segment(), offset, shadow, offset, GuestMemory.PAGE_SIZE);
        return true;
    }
}

package dev.jvmm.cpu.riscv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.cpu.riscv.translate.TranslatorOptions;
import dev.jvmm.memory.DirtyPageLog;
import dev.jvmm.memory.GuestMemory;
import dev.jvmm.memory.MmioDevice;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hart stores into RAM leave their pages marked in the dirty-page log, on every store path,
 * including stores through store TLB entries cached before the log was collected (the MMU is a
 * cached writer under DirtyPageLog's rules).
 */
class DirtyPageMarkingTest {

    private static final int DATA_PAGE = 0x100; // page index from RAM base of 0x80100000
    /** A device whose every write collects the rig's dirty-page log, as a migration round would mid-slice. */
    private static final long COLLECTOR = 0x1000_0000L;

    /** Stores one word into each of 8 pages from 0x80100000, then stops at {@code done}. */
    private static final String EIGHT_PAGES = """
                li   t1, 0x80100000
                li   t2, 8
                li   t3, 4096
            loop:
                sd   t2, 0(t1)
                add  t1, t1, t3
                addi t2, t2, -1
                bnez t2, loop
            done:
                j done
            """;

    private static List<Integer> collect(DirtyPageLog log) {
        List<Integer> pages = new ArrayList<>();
        log.collect(p -> pages.add(p));
        return pages;
    }

    private static List<Integer> pages(int first, int count) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(first + i);
        }
        return out;
    }

    /** Maps {@link #COLLECTOR}; returns the pages its collections took. */
    private static List<Integer> mapCollector(TestRig rig) {
        List<Integer> taken = new ArrayList<>();
        rig.bus.map(COLLECTOR, 0x1000, new MmioDevice() {
            @Override
            public long read(long offset, int size) {
                return 0;
            }

            @Override
            public void write(long offset, int size, long value) {
                taken.addAll(collect(rig.ram.dirtyPages()));
            }
        });
        return taken;
    }

    private static void runToDone(TestRig rig) {
        rig.hart.run(2_000);
        assertThat(rig.hart.pc()).isEqualTo(rig.symbol("done"));
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void storesThroughWarmTlbMarkEveryPageWritten(Engine engine) {
        try (TestRig rig = new TestRig()) {
            rig.hart.setEngine(engine, TranslatorOptions.defaults().withHotThreshold(1));
            rig.load(EIGHT_PAGES);
            runToDone(rig); // first pass: store TLB misses fill the TLB (and compile the loop)
            collect(rig.ram.dirtyPages());
            long translatedBefore = rig.hart.translatorStats().translatedInstructions();

            rig.hart.setPc(rig.program.symbol("_start"));
            runToDone(rig); // second pass: its run drops the cached store entries first (marking them), then refills them

            assertThat(collect(rig.ram.dirtyPages())).containsExactlyElementsOf(pages(DATA_PAGE, 8));
            if (engine == Engine.JIT) {
                assertThat(rig.hart.translatorStats().translatedInstructions())
                        .as("the second pass ran translated code").isGreaterThan(translatedBefore + 8);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void firstStoreToAPageThroughTheSlowPathMarksIt(Engine engine) {
        try (TestRig rig = new TestRig()) {
            rig.hart.setEngine(engine, TranslatorOptions.defaults().withHotThreshold(1));
            rig.load(EIGHT_PAGES);
            collect(rig.ram.dirtyPages());
            runToDone(rig);
            assertThat(collect(rig.ram.dirtyPages())).containsExactlyElementsOf(pages(DATA_PAGE, 8));
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void misalignedStoreAcrossAPageBoundaryMarksBothPages(Engine engine) {
        try (TestRig rig = new TestRig()) {
            rig.hart.setEngine(engine, TranslatorOptions.defaults().withHotThreshold(1));
            rig.load("""
                    li   t1, 0x80201ffc
                    li   t2, -1
                    sd   t2, 0(t1)
                done:
                    j done
                    """);
            collect(rig.ram.dirtyPages());
            runToDone(rig);
            assertThat(rig.ram.readLong(0x80201ffcL)).isEqualTo(-1L);
            assertThat(collect(rig.ram.dirtyPages())).containsExactly(0x201, 0x202);
        }
    }

    @Test
    void floatingPointStoreMarksItsPage() {
        try (TestRig rig = new TestRig()) {
            rig.load("""
                    li   t0, 0x2000
                    csrs mstatus, t0
                    li   t1, 0x80300000
                    fmv.d.x ft0, t1
                    fsd  ft0, 16(t1)
                    fsw  ft0, 0x7f0(t1)
                done:
                    j done
                    """);
            collect(rig.ram.dirtyPages());
            runToDone(rig);
            assertThat(collect(rig.ram.dirtyPages())).containsExactly(0x300);
        }
    }

    @Test
    void loadsLeaveThePageUnmarked() {
        try (TestRig rig = new TestRig()) {
            rig.load("""
                    li   t1, 0x80400000
                    ld   t2, 0(t1)
                    lw   t2, 8(t1)
                    lbu  t2, 2047(t1)
                done:
                    j done
                    """);
            collect(rig.ram.dirtyPages());
            runToDone(rig);
            assertThat(collect(rig.ram.dirtyPages())).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void storesThroughEntriesCachedBeforeACollectionAreMarked(Engine engine) {
        try (TestRig rig = new TestRig()) {
            rig.hart.setEngine(engine, TranslatorOptions.defaults().withHotThreshold(1));
            List<Integer> taken = mapCollector(rig);
            rig.load("""
                        li   t1, 0x80100000
                        li   t3, 4096
                        li   t4, 0x10000000
                        li   t2, 8
                        mv   t5, t1
                    first:
                        sd   t2, 0(t5)
                        add  t5, t5, t3
                        addi t2, t2, -1
                        bnez t2, first
                        sw   zero, 0(t4)
                        li   t2, 8
                        mv   t5, t1
                    second:
                        sd   t2, 8(t5)
                        add  t5, t5, t3
                        addi t2, t2, -1
                        bnez t2, second
                    done:
                        j done
                    """);
            collect(rig.ram.dirtyPages());
            runToDone(rig);
            assertThat(taken).as("the mid-run collection took the first pass's pages").containsExactlyElementsOf(pages(DATA_PAGE, 8));
            assertThat(collect(rig.ram.dirtyPages())).as("the second pass, through the same store TLB entries")
                    .containsExactlyElementsOf(pages(DATA_PAGE, 8));
        }
    }

    /** How a store TLB entry goes before the hart looks at the log again. */
    enum Drop {
        REPLACED("li t6, 0x80200000\n    sd zero, 0(t6)", 0x100, 0x200), // same TLB index, 256 pages on
        FULL_FENCE("sfence.vma", 0x100),
        PAGE_FENCE("sfence.vma t1, zero", 0x100);

        final String code;
        final Integer[] marked;

        Drop(String code, Integer... marked) {
            this.code = code;
            this.marked = marked;
        }
    }

    @ParameterizedTest
    @EnumSource(Drop.class)
    void aStoreThroughAnEntryDroppedBeforeTheHartLooksIsMarked(Drop drop) {
        for (Engine engine : Engine.values()) {
            try (TestRig rig = new TestRig()) {
                rig.hart.setEngine(engine, TranslatorOptions.defaults().withHotThreshold(1));
                mapCollector(rig);
                rig.load("""
                            li   t1, 0x80100000
                            li   t4, 0x10000000
                            sd   zero, 0(t1)
                            sw   zero, 0(t4)
                            sd   t1, 8(t1)
                            %s
                        done:
                            j done
                        """.formatted(drop.code));
                collect(rig.ram.dirtyPages());
                runToDone(rig);
                assertThat(rig.ram.readLong(0x80100008L)).isEqualTo(0x80100000L);
                assertThat(collect(rig.ram.dirtyPages())).as("%s", engine).containsExactly(drop.marked);
            }
        }
    }

    /**
     * Migration's round protocol with a hart as the writer: rounds collected on another thread
     * while the hart stores at random (inline through its store TLB, compiled or interpreted),
     * then, once it stopped and looked at the log as a pausing hart does, a last round: the
     * copies equal RAM. Many short episodes, so that the last writes fall at many points of a
     * round (an earlier lost write heals when its page is written again).
     */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void roundsTakenWhileTheHartStoresLoseNoWrite(Engine engine) throws Exception {
        try (TestRig rig = new TestRig()) {
            rig.hart.setEngine(engine, TranslatorOptions.defaults().withHotThreshold(50));
            rig.load("""
                        li   t1, 0x80100000
                        li   t2, 6364136223846793005
                    loop:
                        mul  a0, a0, t2
                        addi a0, a0, 1
                        srli t3, a0, 58
                        slli t3, t3, 12
                        srli t4, a0, 32
                        andi t4, t4, 0x7f8
                        add  t3, t3, t4
                        add  t3, t3, t1
                        sd   a0, 0(t3)
                        sb   a1, 0x7ff(t3)
                        addi a1, a1, -1
                        bnez a1, loop
                    done:
                        j done
                    """);
            long start = rig.symbol("_start");
            long done = rig.symbol("done");
            DirtyPageLog log = rig.ram.dirtyPages();
            MemorySegment shadow = MemorySegment.ofArray(new byte[(int) TestRig.RAM_SIZE]);
            long seed = System.nanoTime();
            SplittableRandom random = new SplittableRandom(seed);
            Semaphore go = new Semaphore(0);
            Semaphore stopped = new Semaphore(0);
            Semaphore pause = new Semaphore(0);
            Semaphore paused = new Semaphore(0);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            long[] episodeSeeds = random.longs(400).toArray();
            Thread hartThread = new Thread(() -> {
                try {
                    for (long episodeSeed : episodeSeeds) {
                        go.acquire();
                        rig.hart.setPc(start);
                        rig.hart.setRegister(10, episodeSeed);
                        rig.hart.setRegister(11, 1 + Math.floorMod(episodeSeed, 20_000));
                        while (rig.hart.pc() != done) {
                            rig.hart.run(5_000);
                        }
                        stopped.release();
                        pause.acquire();
                        rig.hart.syncDirtyLog(); // as a hart does before it parks for a pause
                        paused.release();
                    }
                } catch (InterruptedException end) {
                    // the test is over
                } catch (Throwable t) {
                    failure.set(t);
                    stopped.release();
                    paused.release();
                }
            }, "hart");
            hartThread.setDaemon(true);
            hartThread.start();
            int episodes = 0;
            long deadline = System.nanoTime() + 400_000_000L;
            try {
                while (episodes < episodeSeeds.length && System.nanoTime() - deadline < 0) {
                    go.release();
                    while (!stopped.tryAcquire()) {
                        log.collect(page -> copyPage(rig.ram, shadow, page));
                        Thread.yield();
                    }
                    pause.release();
                    paused.acquire();
                    assertThat(failure.get()).isNull();
                    log.collect(page -> copyPage(rig.ram, shadow, page));
                    episodes++;
                    assertThat(shadow.mismatch(rig.ram.segment()))
                            .as("first byte where the copy differs from RAM after episode %d (seed %d)", episodes, seed)
                            .isEqualTo(-1);
                }
            } finally {
                hartThread.interrupt();
                hartThread.join(5_000);
            }
            assertThat(episodes).as("episodes").isGreaterThan(10);
        }
    }

    private static boolean copyPage(GuestMemory memory, MemorySegment shadow, int page) {
        long offset = (long) page * GuestMemory.PAGE_SIZE;
        MemorySegment.copy(memory.segment(), offset, shadow, offset, GuestMemory.PAGE_SIZE);
        return true;
    }
}

package dev.jvmm.cpu.riscv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.cpu.riscv.translate.TranslatorOptions;
import dev.jvmm.memory.DirtyPageLog;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Hart stores into RAM leave their pages marked in the dirty-page log, on every store path. */
class DirtyPageMarkingTest {

    private static final int DATA_PAGE = 0x100; // page index from RAM base of 0x80100000

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
            runToDone(rig); // second pass: every store hits the TLB inline

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
}

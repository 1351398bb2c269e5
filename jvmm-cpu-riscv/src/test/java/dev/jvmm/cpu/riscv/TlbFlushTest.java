package dev.jvmm.cpu.riscv;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TlbFlushTest {

    @Test
    void flushRequestedFromAnotherThreadIsCarriedOutBeforeTheNextBlock() throws Exception {
        try (TestRig rig = new TestRig()) {
            rig.load("spin: j spin\n");
            rig.hart.run(10); // this thread now owns the hart
            Thread other = Thread.ofPlatform().start(rig.hart::flushTlb);
            other.join();
            assertThat(rig.hart.isTlbFlushPending()).isTrue();
            rig.hart.run(1);
            assertThat(rig.hart.isTlbFlushPending()).isFalse();
        }
    }

    @Test
    void fenceIMakesRewrittenCodeVisible() {
        try (TestRig rig = new TestRig()) {
            rig.load("""
                    la t0, patch
                    li t1, 0x02a00513      # addi a0, zero, 42
                    sw t1, 0(t0)
                    fence.i
                patch:
                    .4byte 0x00100513      # addi a0, zero, 1 (uncompressed)
                done: j done
                """).runTo("done");
            assertThat(rig.x("a0")).isEqualTo(42);
        }
    }
}

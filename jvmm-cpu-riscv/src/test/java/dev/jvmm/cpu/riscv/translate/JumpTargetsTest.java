package dev.jvmm.cpu.riscv.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The targets a block's computed jump is noted to take: distinct, in its page, a bounded number. */
class JumpTargetsTest {

    private static final long PC = 0x8000_1000L;

    /** The entry for a block that is one {@code jr t1}. */
    private static Translation jumpBlock() {
        byte[] page = new byte[4096];
        int jrT1 = 0x00030067; // jalr x0, 0(t1)
        for (int k = 0; k < 4; k++) {
            page[k] = (byte) (jrT1 >>> (8 * k));
        }
        return new Translation(PC, 0x1000, BlockDecoder.decode(MemorySegment.ofArray(page), PC, 0, 16, true), 0);
    }

    @Test
    void targetsAreKeptOnceInTheOrderFirstSeen() {
        Translation t = jumpBlock();
        assertThat(t.jumpTargets()).isEmpty();
        t.noteJumpTarget(PC + 0x40);
        t.noteJumpTarget(PC + 0x20);
        t.noteJumpTarget(PC + 0x40);
        assertThat(t.jumpTargets()).containsExactly(PC + 0x40, PC + 0x20);
    }

    @Test
    void targetsInAnotherPageAreNotKept() {
        Translation t = jumpBlock();
        t.noteJumpTarget(PC + 0x1000);
        t.noteJumpTarget(PC - 2);
        assertThat(t.jumpTargets()).isEmpty();
    }

    @Test
    void atMostTheLimitIsKept() {
        Translation t = jumpBlock();
        for (int k = 0; k < Translation.MAX_JUMP_TARGETS + 5; k++) {
            t.noteJumpTarget(PC + 8 + 4L * k);
        }
        assertThat(t.jumpTargets()).hasSize(Translation.MAX_JUMP_TARGETS).startsWith(PC + 8, PC + 12);
    }
}

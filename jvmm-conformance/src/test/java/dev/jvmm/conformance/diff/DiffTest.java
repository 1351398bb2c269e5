package dev.jvmm.conformance.diff;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * jvmm's CPU against QEMU's on random RV64GC programs: 20 programs of 200 instruction units
 * (seeds 1..20), in one boot on QEMU and one on each of jvmm's engines (the interpreter, and the
 * translator compiling every block when first run); every program must end in the same
 * architectural state on each (x1..x31, f0..f31, fcsr, mscratch, the trap log, the data memory's
 * hash and every unit's traced result), so the translator's equals QEMU's and the interpreter's.
 * The long mode is {@link DiffLongRunTest}; {@link DiffLockstepTest} runs the same batch on the two
 * engines in lockstep.
 */
class DiffTest {

    static final long FIRST_SEED = 1;
    static final int PROGRAMS = 20;
    static final int LENGTH = 200;
    /** Divergences narrowed to their culprit instruction (each takes a few more boots). */
    static final int LOCATE = 5;

    @Test
    void randomProgramsEndInTheSameStateOnBothEnginesAsOnQemu() throws Exception {
        DiffHarness h = new DiffHarness(DiffSettings.workDir());
        List<Divergence> found = DiffRun.run(h, new DiffRun.Plan(FIRST_SEED, PROGRAMS, LENGTH, PROGRAMS, LOCATE),
                System.out);
        if (!found.isEmpty()) {
            fail(DiffRun.summary(found));
        }
    }
}

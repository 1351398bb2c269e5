package dev.jvmm.conformance.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.conformance.diff.BatchSource.Entry;
import dev.jvmm.conformance.lockstep.EngineLockstep;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * Random programs (seeds 1001..1003, 120 units, one batch; others than {@link DiffTest}'s) on
 * jvmm's two engines in lockstep ({@link EngineLockstep}): the interpreter and the translator
 * (with the options the jit runs get: hot threshold 1 in this module's build) must agree on the
 * whole architectural state after every step of random length, not only in the final records. A
 * divergence names the step, the pc and what differs; the batch's source then stays in
 * target/diff/src. Few programs, because at hot threshold 1 the translator compiles about one
 * block per unit; {@code DiffLongRunTest} with {@code -Ddiff.lockstep=true} runs many.
 */
class DiffLockstepTest {

    static final long FIRST_SEED = 1001;
    static final int PROGRAMS = 3;
    static final int LENGTH = 120;

    @Test
    void randomProgramsRunAlikeOnBothEnginesAfterEveryStep() throws Exception {
        DiffHarness h = new DiffHarness(DiffSettings.workDir());
        List<Entry> entries = LongStream.range(FIRST_SEED, FIRST_SEED + PROGRAMS)
                .mapToObj(s -> Entry.whole(ProgramGenerator.generate(s, LENGTH))).toList();
        Path elf = h.build("lockstep", entries, false);
        EngineLockstep.Result r = BatchLockstep.run(elf, entries, FIRST_SEED);
        System.out.printf("lockstep of random programs: %d instructions in %d steps, %.0f%% translated, translator %s%n",
                r.instructions(), r.steps(), 100 * r.jit().translatedShare(), r.jit());
        assertThat(r.jit().compileFailures()).isZero();
        assertThat(r.jit().translatedInstructions()).isPositive();
        h.discard("lockstep");
    }
}

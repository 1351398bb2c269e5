package dev.jvmm.conformance.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.conformance.diff.BatchSource.Entry;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The reference side on its own: the generated programs assemble, run to completion on QEMU, and
 * give identical output when run twice; so any difference jvmm shows is jvmm's.
 */
class DiffQemuDeterminismTest {

    private static List<Entry> batch(long from, long to, int length) {
        return LongStream.rangeClosed(from, to)
                .mapToObj(s -> Entry.whole(ProgramGenerator.generate(s, length))).toList();
    }

    @Test
    void theSameSeedsGiveTheSameStateOnQemuTwice() throws Exception {
        DiffHarness h = new DiffHarness(DiffSettings.workDir());
        List<Entry> entries = batch(1, 4, 300);
        StateDump first = h.runQemu("determinism-a", entries);
        StateDump second = h.runQemu("determinism-b", batch(1, 4, 300));
        assertThat(second).isEqualTo(first);
        assertThat(first.programs()).hasSize(4);
    }

    @Test
    void programsExerciseTrapsMemoryAndFloatingPoint() throws Exception {
        DiffHarness h = new DiffHarness(DiffSettings.workDir());
        StateDump dump = h.runQemu("exercise", batch(101, 104, 300));
        for (StateDump.ProgramState p : dump.programs().values()) {
            assertThat(Long.parseUnsignedLong(p.values().get("traps"), 16)).as("traps taken").isPositive();
            assertThat(p.values().get("fcsr")).as("fcsr printed").isNotNull();
        }
        // different seeds leave different memory
        assertThat(dump.programs().get(0).values().get("mem@0000"))
                .isNotEqualTo(dump.programs().get(1).values().get("mem@0000"));
    }
}

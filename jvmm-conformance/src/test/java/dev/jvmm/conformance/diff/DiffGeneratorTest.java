package dev.jvmm.conformance.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.conformance.diff.BatchSource.Entry;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The generator's promises that the comparison relies on, checked without running anything. */
class DiffGeneratorTest {

    @Test
    void theSameSeedGivesTheSameProgram() {
        String a = BatchSource.render(List.of(Entry.whole(ProgramGenerator.generate(42, 300))));
        String b = BatchSource.render(List.of(Entry.whole(ProgramGenerator.generate(42, 300))));
        assertThat(a).isEqualTo(b);
    }

    @Test
    void neighbouringSeedsGiveUnrelatedPrograms() {
        for (long seed = 1; seed <= 20; seed++) {
            List<String> a = summaries(ProgramGenerator.generate(seed, 300));
            List<String> b = summaries(ProgramGenerator.generate(seed + 1, 300));
            // not equal, and not one a shifted copy of the other
            assertThat(Collections.indexOfSubList(a, b.subList(0, 8))).as("seed %d", seed).isEqualTo(-1);
            assertThat(Collections.indexOfSubList(b, a.subList(0, 8))).as("seed %d", seed).isEqualTo(-1);
        }
    }

    private static List<String> summaries(RandomProgram p) {
        return p.units().stream().map(Unit::summary).toList();
    }

    @Test
    void branchesOnlyGoForwardAndNoFurtherThanTheEnd() {
        for (long seed = 1; seed <= 50; seed++) {
            List<Unit> units = ProgramGenerator.generate(seed, 200).units();
            for (int i = 0; i < units.size(); i++) {
                Unit u = units.get(i);
                if (u.target() >= 0) {
                    assertThat(u.target()).as("seed %d unit %d", seed, i).isGreaterThan(i).isLessThanOrEqualTo(200);
                }
            }
        }
    }

    @Test
    void randomCodeNeverWritesTheFrameOrBaseRegisters() {
        for (long seed = 1; seed <= 50; seed++) {
            for (Unit u : ProgramGenerator.generate(seed, 200).units()) {
                for (String line : u.lines()) {
                    String rd = destination(line);
                    assertThat(rd).as(line).isNotIn("x4", "x8", "x9", "tp", "s0", "s1");
                }
            }
        }
    }

    /** The first operand of an instruction that writes an integer register there (stores and branches do not). */
    private static String destination(String line) {
        String[] parts = line.strip().split("[ ,]+");
        String op = parts[0];
        boolean writesNoRegister = op.startsWith("s") && !op.startsWith("sl") && !op.startsWith("sr")
                && !op.startsWith("sub") && !op.startsWith("snez") && !op.startsWith("sc")
                || op.startsWith("b") || op.startsWith("c.s") && !op.startsWith("c.sl") && !op.startsWith("c.sr")
                && !op.startsWith("c.sub") || op.startsWith("c.b") || op.startsWith("c.j") || op.startsWith("fs")
                || op.startsWith("c.fs") || op.startsWith(".") || op.startsWith("fence") || op.equals("c.nop")
                || op.equals("ecall") || op.equals("ebreak") || op.equals("c.ebreak");
        return writesNoRegister || parts.length < 2 ? "" : parts[1];
    }
}

package dev.jvmm.conformance.diff;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Parsing the printed states and finding the first difference, on hand-written consoles. */
class DiffStateDumpTest {

    private static final String QEMU = "BEGIN 0000\nu0000 0000000000000001.00\nx1 0000000000000005\nx10 00000000000000ff\n"
            + "END 0000\nBEGIN 0001\nx1 0000000000000007\nEND 0001\nDONE\n";

    @Test
    void firstDifferenceNamesTheEarliestDifferingLineWithBothValues() {
        String jvmm = QEMU.replace("x10 00000000000000ff", "x10 00000000000000fe").replace("x1 0000000000000007", "x1 8");
        StateDump q = StateDump.parse(QEMU);
        StateDump j = StateDump.parse(jvmm);
        assertThat(StateDump.firstDifference(q.programs().get(0), j.programs().get(0)))
                .contains(new StateDump.Difference("x10", "00000000000000ff", "00000000000000fe"));
        assertThat(StateDump.firstDifference(q.programs().get(1), j.programs().get(1)))
                .contains(new StateDump.Difference("x1", "0000000000000007", "8"));
    }

    @Test
    void identicalOutputHasNoDifference() {
        StateDump q = StateDump.parse(QEMU);
        StateDump j = StateDump.parse(QEMU.replace("\n", "\r\n"));
        assertThat(StateDump.firstDifference(q.programs().get(0), j.programs().get(0))).isEmpty();
    }

    @Test
    void outputThatStopsEarlyIsADifference() {
        String truncated = QEMU.substring(0, QEMU.indexOf("x10"));
        StateDump q = StateDump.parse(QEMU);
        StateDump j = StateDump.parse(truncated);
        assertThat(j.programs().get(0).complete()).isFalse();
        assertThat(StateDump.firstDifference(q.programs().get(0), j.programs().get(0)))
                .contains(new StateDump.Difference("x10", "00000000000000ff", "(missing)"));
        assertThat(StateDump.firstDifference(q.programs().get(1), j.programs().get(1))).isPresent();
    }

    @Test
    void aTraceLineNamesItsUnit() {
        assertThat(DiffHarness.traceUnit("u001f")).isEqualTo(31);
        assertThat(DiffHarness.traceUnit("x10")).isEqualTo(-1);
        assertThat(Divergence.abiName("x10")).isEqualTo("x10 (a0)");
    }
}

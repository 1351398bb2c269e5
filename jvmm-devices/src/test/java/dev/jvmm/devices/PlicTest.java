package dev.jvmm.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PlicTest {

    private static final int M_CONTEXT = 0;
    private static final int S_CONTEXT = 1;

    private final RecordingLine machine = new RecordingLine();
    private final RecordingLine supervisor = new RecordingLine();
    private final Plic plic = new Plic(Plic.VIRT_SOURCES, List.of(machine, supervisor));

    private void priority(int source, int value) {
        plic.write(4L * source, 4, value);
    }

    private void enable(int context, int source) {
        long address = 0x2000 + 0x80L * context + 4L * (source / 32);
        long word = plic.read(address, 4);
        plic.write(address, 4, word | 1L << (source % 32));
    }

    private void threshold(int context, int value) {
        plic.write(0x200000 + 0x1000L * context, 4, value);
    }

    private int claim(int context) {
        return (int) plic.read(0x200004 + 0x1000L * context, 4);
    }

    private void complete(int context, int source) {
        plic.write(0x200004 + 0x1000L * context, 4, source);
    }

    @Test
    void claimReturnsHighestPriorityThenCompleteAllowsRepend() {
        priority(10, 1);
        priority(33, 5);
        enable(S_CONTEXT, 10);
        enable(S_CONTEXT, 33);
        plic.source(10).raise();
        plic.source(33).raise();
        assertThat(supervisor.level()).isTrue();

        assertThat(claim(S_CONTEXT)).isEqualTo(33);
        assertThat(claim(S_CONTEXT)).isEqualTo(10);
        assertThat(claim(S_CONTEXT)).isZero();
        assertThat(supervisor.level()).isFalse();

        complete(S_CONTEXT, 33); // line still high: pends again
        assertThat(supervisor.level()).isTrue();
        assertThat(claim(S_CONTEXT)).isEqualTo(33);

        plic.source(10).lower();
        complete(S_CONTEXT, 10); // line low: stays idle
        complete(S_CONTEXT, 33);
        assertThat(claim(S_CONTEXT)).isEqualTo(33);
        assertThat(claim(S_CONTEXT)).isZero();
    }

    @Test
    void equalPrioritiesGoToLowestId() {
        for (int source : new int[] {7, 3, 40}) {
            priority(source, 2);
            enable(M_CONTEXT, source);
            plic.source(source).raise();
        }
        assertThat(claim(M_CONTEXT)).isEqualTo(3);
        assertThat(claim(M_CONTEXT)).isEqualTo(7);
        assertThat(claim(M_CONTEXT)).isEqualTo(40);
    }

    @Test
    void inServiceSourceDoesNotPendAgainUntilComplete() {
        priority(5, 1);
        enable(S_CONTEXT, 5);
        plic.source(5).raise();
        assertThat(claim(S_CONTEXT)).isEqualTo(5);

        plic.source(5).lower();
        plic.source(5).raise();
        assertThat(plic.read(0x1000, 4)).isZero();
        assertThat(supervisor.level()).isFalse();

        complete(S_CONTEXT, 5);
        assertThat(plic.read(0x1000, 4)).isEqualTo(1L << 5);
        assertThat(supervisor.level()).isTrue();
    }

    @Test
    void pendingStaysLatchedAfterLineFalls() {
        priority(9, 1);
        enable(S_CONTEXT, 9);
        plic.source(9).raise();
        plic.source(9).lower();
        assertThat(supervisor.level()).isTrue();
        assertThat(claim(S_CONTEXT)).isEqualTo(9);
    }

    @Test
    void thresholdMasksSourcesAtOrBelowIt() {
        priority(4, 3);
        enable(M_CONTEXT, 4);
        threshold(M_CONTEXT, 3);
        plic.source(4).raise();
        assertThat(machine.level()).isFalse();
        assertThat(claim(M_CONTEXT)).isZero();

        threshold(M_CONTEXT, 2);
        assertThat(machine.level()).isTrue();
        assertThat(claim(M_CONTEXT)).isEqualTo(4);
    }

    @Test
    void zeroPriorityNeverInterrupts() {
        enable(S_CONTEXT, 12);
        plic.source(12).raise();
        assertThat(plic.read(0x1000, 4)).isEqualTo(1L << 12);
        assertThat(supervisor.level()).isFalse();
        assertThat(claim(S_CONTEXT)).isZero();
    }

    @Test
    void outputLineFollowsEnableOfItsOwnContext() {
        priority(1, 1);
        plic.source(1).raise();
        assertThat(machine.level()).isFalse();
        assertThat(supervisor.level()).isFalse();
        enable(M_CONTEXT, 1);
        assertThat(machine.level()).isTrue();
        assertThat(supervisor.level()).isFalse();
        plic.write(0x2000, 4, 0);
        assertThat(machine.level()).isFalse();
    }

    @Test
    void completionForSourceNotEnabledInContextIsIgnored() {
        priority(2, 1);
        enable(S_CONTEXT, 2);
        plic.source(2).raise();
        assertThat(claim(S_CONTEXT)).isEqualTo(2);

        plic.write(0x2080, 4, 0); // disable in S context
        complete(S_CONTEXT, 2);
        enable(S_CONTEXT, 2);
        assertThat(claim(S_CONTEXT)).isZero(); // still in service

        complete(S_CONTEXT, 2);
        assertThat(claim(S_CONTEXT)).isEqualTo(2);
    }

    @Test
    void priorityKeepsThreeBitsAndOversizedThresholdIsIgnored() {
        priority(6, 0xF);
        assertThat(plic.read(4 * 6, 4)).isEqualTo(7);
        threshold(S_CONTEXT, 5);
        threshold(S_CONTEXT, 8);
        assertThat(plic.read(0x201000, 4)).isEqualTo(5);
    }

    @Test
    void pendingBitsAreReadOnlyAndEnableBitsOnlyNameRealSources() {
        plic.write(0x1000, 4, 0xFFFF_FFFFL);
        assertThat(plic.read(0x1000, 4)).isZero();
        plic.write(0x2000, 4, 0xFFFF_FFFFL);
        assertThat(plic.read(0x2000, 4)).isEqualTo(0xFFFF_FFFEL); // source 0 does not exist
        plic.write(0x200C, 4, 0xFFFF_FFFFL); // word 3: sources 96..127 do not exist
        assertThat(plic.read(0x200C, 4)).isZero();
    }

    @Test
    void absentSourcesContextsAndOffsetsReadZeroAndIgnoreWrites() {
        plic.write(0, 4, 7);                       // source 0 priority
        plic.write(4L * 96, 4, 7);                 // source 96 does not exist
        plic.write(0x2000 + 0x80L * 2, 4, -1);     // context 2 does not exist
        plic.write(0x200000 + 0x1000L * 2, 4, 1);
        plic.write(0x200008, 4, 1);                // reserved word in a context block
        plic.write(0x10, 2, 7);                    // 2-byte access
        assertThat(plic.read(0, 4)).isZero();
        assertThat(plic.read(4L * 96, 4)).isZero();
        assertThat(plic.read(0x2000 + 0x80L * 2, 4)).isZero();
        assertThat(plic.read(0x200004 + 0x1000L * 2, 4)).isZero();
        assertThat(plic.read(0x200008, 4)).isZero();
        assertThat(plic.read(0x10, 4)).isZero();
        assertThat(plic.read(0x5FFFFC, 4)).isZero();
        complete(S_CONTEXT, 0);
        complete(S_CONTEXT, 1000);
        assertThat(machine.history()).isEmpty();
        assertThat(supervisor.history()).isEmpty();
    }

    @Test
    void eightByteAccessActsOnTwoWords() {
        plic.write(8, 8, 0x0000_0003_0000_0002L); // sources 2 and 3
        assertThat(plic.read(8, 4)).isEqualTo(2);
        assertThat(plic.read(12, 4)).isEqualTo(3);
        assertThat(plic.read(8, 8)).isEqualTo(0x0000_0003_0000_0002L);
    }

    @Test
    void sourceZeroAndSourcesBeyondCountHaveNoWire() {
        assertThatThrownBy(() -> plic.source(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> plic.source(96)).isInstanceOf(IllegalArgumentException.class);
    }
}

package dev.jvmm.devices;

import static dev.jvmm.devices.StateRecords.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.memory.state.StateException;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlicStateTest {

    private static final int S_CONTEXT = 1;

    private final Plic plic = new Plic(Plic.VIRT_SOURCES, List.of(new RecordingLine(), new RecordingLine()));
    private final RecordingLine machine = new RecordingLine();
    private final RecordingLine supervisor = new RecordingLine();
    private final Plic restored = new Plic(Plic.VIRT_SOURCES, List.of(machine, supervisor));

    private static void priority(Plic plic, int source, int value) {
        plic.write(4L * source, 4, value);
    }

    private static void enable(Plic plic, int context, int source) {
        long address = 0x2000 + 0x80L * context + 4L * (source / 32);
        plic.write(address, 4, plic.read(address, 4) | 1L << (source % 32));
    }

    private static int claim(Plic plic, int context) {
        return (int) plic.read(0x200004 + 0x1000L * context, 4);
    }

    private static void complete(Plic plic, int context, int source) {
        plic.write(0x200004 + 0x1000L * context, 4, source);
    }

    /** Sources 10 (priority 2), 33 (5) and 40 (1) raised in the S context; 33 claimed and in service. */
    private byte[] savedPlic() {
        priority(plic, 10, 2);
        priority(plic, 33, 5);
        priority(plic, 40, 1);
        enable(plic, S_CONTEXT, 10);
        enable(plic, S_CONTEXT, 33);
        enable(plic, S_CONTEXT, 40);
        plic.write(0x200000 + 0x1000L * S_CONTEXT, 4, 1); // threshold 1: source 40 cannot interrupt
        plic.source(10).raise();
        plic.source(33).raise();
        plic.source(40).raise();
        assertThat(claim(plic, S_CONTEXT)).isEqualTo(33);
        return save(plic);
    }

    @Test
    void claimAfterRestoreReturnsTheSameSources() throws StateException {
        byte[] record = savedPlic();
        restore(restored, record);

        assertThat(supervisor.level()).isTrue();
        assertThat(machine.history()).containsExactly(false);
        assertThat(claim(restored, S_CONTEXT)).isEqualTo(claim(plic, S_CONTEXT)).isEqualTo(10);
        assertThat(claim(restored, S_CONTEXT)).isEqualTo(claim(plic, S_CONTEXT)).isZero();
        assertThat(supervisor.level()).isFalse();
    }

    @Test
    void completingTheRestoredInServiceSourceSamplesItsStillHighLine() throws StateException {
        restore(restored, savedPlic());

        complete(restored, S_CONTEXT, 33);

        assertThat(supervisor.level()).isTrue();
        assertThat(claim(restored, S_CONTEXT)).isEqualTo(33);
    }

    @Test
    void restoredRegistersReadBackLikeTheOriginal() throws StateException {
        byte[] record = savedPlic();
        restore(restored, record);
        for (long offset : new long[] {4 * 10, 4 * 33, 0x1000, 0x1004, 0x2080, 0x2084, 0x201000}) {
            assertThat(restored.read(offset, 4)).as("offset 0x%x", offset).isEqualTo(plic.read(offset, 4));
        }
        assertThat(save(restored)).isEqualTo(record);
    }

    @Test
    void restoreAndDeviceRedriveAgreeInEitherOrder() throws StateException {
        byte[] record = savedPlic();
        restored.source(10).raise(); // the UART restored first drives its line
        restored.source(33).raise();
        restored.source(40).raise();
        restore(restored, record);
        assertThat(save(restored)).isEqualTo(record);

        restored.source(10).raise(); // ... or afterwards
        restored.source(33).raise();
        restored.source(40).raise();
        assertThat(save(restored)).isEqualTo(record);
    }

    // Layout: sources, contexts, 96 priorities, then pending, in-service, level (3 words each).
    private static final int PRIORITIES = 8;
    private static final int PENDING = PRIORITIES + 4 * Plic.VIRT_SOURCES;
    private static final int IN_SERVICE = PENDING + 12;
    private static final int LEVEL = IN_SERVICE + 12;

    @Test
    void impossibleRecordsAreRefused() {
        byte[] record = savedPlic();
        assertRefusedAndUnchanged(restored, withInt(record, PRIORITIES + 4 * 10, 8));
        assertRefusedAndUnchanged(restored, withInt(record, PRIORITIES, 1)); // source 0 has no priority
        assertRefusedAndUnchanged(restored, withInt(record, PENDING, 1)); // source 0 pending
        assertRefusedAndUnchanged(restored, withInt(record, IN_SERVICE, 1 << 10)); // 10 pending and in service
        assertRefusedAndUnchanged(restored, withInt(record, PENDING, 0)); // 10 high, idle, not pending
        assertRefusedAndUnchanged(restored, withInt(record, 4, 3)); // context count
        assertThat(supervisor.history()).isEmpty();
    }

    @Test
    void bitsForSourcesBeyondTheLastAreRefused() {
        Plic small = new Plic(40, List.of());
        byte[] record = save(small);
        int pending = 8 + 4 * 40;
        assertRefusedAndUnchanged(small, withInt(record, pending + 4, 1 << 8)); // source 40 does not exist
        assertRefusedAndUnchanged(small, withInt(record, pending + 2 * 4 + 4, 1 << 8)); // nor in service
    }

    @Test
    void truncatedRecordsAndOtherVersionsAreRefusedWithoutEffect() {
        byte[] record = savedPlic();
        assertTruncationsRefused(restored, record);
        assertOtherVersionsRefused(restored, record);
    }
}

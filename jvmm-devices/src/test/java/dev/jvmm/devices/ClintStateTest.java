package dev.jvmm.devices;

import static dev.jvmm.devices.StateRecords.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.memory.state.StateException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClintStateTest {

    private static final Duration PATIENCE = Duration.ofSeconds(5);

    private final ManualClock clock = new ManualClock();
    private final Clint clint = new Clint(clock, List.of(new RecordingLine(), new RecordingLine()),
            List.of(new RecordingLine(), new RecordingLine()));

    private final ManualClock restoredClock = new ManualClock();
    private final RecordingLine software0 = new RecordingLine();
    private final RecordingLine software1 = new RecordingLine();
    private final RecordingLine timer0 = new RecordingLine();
    private final RecordingLine timer1 = new RecordingLine();
    private final Clint restored = new Clint(restoredClock, List.of(software0, software1), List.of(timer0, timer1));

    @AfterEach
    void close() {
        clint.close();
        restored.close();
    }

    /** Hart 0's deadline has passed, hart 1's is ahead, hart 1 has an IPI pending. */
    private byte[] savedBoard() {
        clock.advanceTo(1000);
        clint.setTimeCompare(0, 500);
        clint.setTimeCompare(1, 5000);
        clint.setSoftwarePending(1, true);
        return save(clint);
    }

    @Test
    void restoreKeepsCompareAndMsipAndDrivesTheLines() throws StateException {
        byte[] record = savedBoard();
        restoredClock.advanceTo(1000); // the machine's clock continues from the saved mtime

        restore(restored, record);

        assertThat(restored.timeCompare(0)).isEqualTo(500);
        assertThat(restored.timeCompare(1)).isEqualTo(5000);
        assertThat(restored.read(0x4, 4)).isEqualTo(1);
        assertThat(restored.read(0x0, 4)).isZero();
        assertThat(timer0.level()).isTrue();
        assertThat(timer1.level()).isFalse();
        assertThat(software1.level()).isTrue();
        assertThat(software0.history()).as("software line 0 driven low explicitly").containsExactly(false);
    }

    @Test
    void timerThreadWaitsForTheRestoredDeadline() throws Exception {
        byte[] record = savedBoard();
        restoredClock.advanceTo(1000);
        restore(restored, record);

        restoredClock.advanceTo(5000);

        assertThat(timer1.awaitLevel(true, PATIENCE)).isTrue();
    }

    @Test
    void restoredRegistersReadBackLikeTheOriginal() throws StateException {
        byte[] record = savedBoard();
        restoredClock.advanceTo(1000);
        restore(restored, record);

        for (long offset : new long[] {0x0, 0x4, 0x4000, 0x4004, 0x4008, 0x400C, 0xBFF8}) {
            assertThat(restored.read(offset, 4)).as("offset 0x%x", offset).isEqualTo(clint.read(offset, 4));
        }
        assertThat(save(restored)).isEqualTo(record);
    }

    @Test
    void recordForAnotherHartCountIsRefused() {
        Clint single = new Clint(clock, List.of(new RecordingLine()), List.of(new RecordingLine()));
        try {
            assertRefusedAndUnchanged(restored, save(single));
        } finally {
            single.close();
        }
    }

    @Test
    void msipThatIsNotABooleanIsRefused() {
        byte[] record = savedBoard();
        assertRefusedAndUnchanged(restored, withByte(record, 4, 2));
    }

    @Test
    void truncatedRecordsAndOtherVersionsAreRefusedWithoutEffect() {
        byte[] record = savedBoard();
        assertTruncationsRefused(restored, record);
        assertOtherVersionsRefused(restored, record);
        assertThat(timer0.history()).as("refused restores drive no line").isEmpty();
    }
}

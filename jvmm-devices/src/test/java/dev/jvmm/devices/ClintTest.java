package dev.jvmm.devices;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.memory.HostClock;
import dev.jvmm.memory.InterruptLine;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClintTest {

    private static final Duration PATIENCE = Duration.ofSeconds(5);

    private final ManualClock clock = new ManualClock();
    private final RecordingLine software0 = new RecordingLine();
    private final RecordingLine software1 = new RecordingLine();
    private final RecordingLine timer0 = new RecordingLine();
    private final RecordingLine timer1 = new RecordingLine();
    private final Clint clint = new Clint(clock, List.of(software0, software1), List.of(timer0, timer1));

    @AfterEach
    void close() {
        clint.close();
    }

    @Test
    void timeCompareResetsToAllOnesWithTimerLinesLow() {
        assertThat(clint.timeCompare(0)).isEqualTo(-1L);
        assertThat(clint.read(0x4008, 8)).isEqualTo(-1L);
        assertThat(timer0.level()).isFalse();
        assertThat(timer1.level()).isFalse();
    }

    @Test
    void timerLineRisesAtDeadlineAndFallsWhenCompareMovesAhead() throws InterruptedException {
        clock.advanceTo(50);
        clint.write(0x4000, 8, 100);
        assertThat(timer0.level()).isFalse();

        clock.advanceTo(100);
        assertThat(timer0.awaitLevel(true, PATIENCE)).isTrue();
        assertThat(timer1.level()).isFalse();

        clint.write(0x4000, 8, 200);
        assertThat(timer0.level()).isFalse(); // lowered synchronously by the write
    }

    @Test
    void compareAlreadyPastRaisesLineImmediately() {
        clock.advanceTo(1000);
        clint.setTimeCompare(1, 999);
        assertThat(timer1.level()).isTrue();
        assertThat(clint.timeCompare(1)).isEqualTo(999);
    }

    @Test
    void timerThreadWakesAtTheEarliestOfSeveralDeadlines() throws InterruptedException {
        clint.setTimeCompare(0, 300);
        clint.setTimeCompare(1, 200);
        clock.advanceTo(250);
        assertThat(timer1.awaitLevel(true, PATIENCE)).isTrue();
        assertThat(timer0.level()).isFalse();
        clock.advanceTo(300);
        assertThat(timer0.awaitLevel(true, PATIENCE)).isTrue();
    }

    @Test
    void timerThreadSleepsUntilAHostClockDeadline() throws InterruptedException {
        HostClock host = HostClock.virt();
        RecordingLine timer = new RecordingLine();
        long[] raisedAt = new long[1];
        InterruptLine stamping = level -> {
            if (level) {
                raisedAt[0] = host.ticks();
            }
            timer.set(level);
        };
        try (Clint real = new Clint(host, List.of(InterruptLine.NONE), List.of(stamping))) {
            long deadline = host.ticks() + Duration.ofMillis(30).toNanos() / 100; // 10 MHz ticks
            real.setTimeCompare(0, deadline);
            assertThat(timer.level()).isFalse();
            assertThat(timer.awaitLevel(true, PATIENCE)).isTrue();
            assertThat(raisedAt[0]).isGreaterThanOrEqualTo(deadline);
        }
    }

    @Test
    void compareHalvesCombineIntoOneRegister() {
        clock.advanceTo(0x1_0000_0000L);
        clint.write(0x4004, 4, 0x1);          // high half: compare = 0x1_FFFF_FFFF
        assertThat(timer0.level()).isFalse();
        clint.write(0x4000, 4, 0x0);          // low half: compare = 0x1_0000_0000
        assertThat(clint.timeCompare(0)).isEqualTo(0x1_0000_0000L);
        assertThat(timer0.level()).isTrue();
        assertThat(clint.read(0x4000, 4)).isZero();
        assertThat(clint.read(0x4004, 4)).isEqualTo(1);
    }

    @Test
    void mtimeReadsTheClockAndIgnoresWrites() {
        clock.advanceTo(0x1234_5678_9ABCL);
        assertThat(clint.read(0xBFF8, 8)).isEqualTo(0x1234_5678_9ABCL);
        assertThat(clint.read(0xBFF8, 4)).isEqualTo(0x5678_9ABCL);
        assertThat(clint.read(0xBFFC, 4)).isEqualTo(0x1234L);
        clint.write(0xBFF8, 8, 0);
        assertThat(clint.read(0xBFF8, 8)).isEqualTo(0x1234_5678_9ABCL);
    }

    @Test
    void msipBitZeroDrivesSoftwareLine() {
        clint.write(0x4, 4, 0xFFFF_FFFFL);
        assertThat(software1.level()).isTrue();
        assertThat(software0.level()).isFalse();
        assertThat(clint.read(0x4, 4)).isEqualTo(1);
        clint.write(0x4, 4, 0x2);
        assertThat(software1.level()).isFalse();

        clint.setSoftwarePending(0, true);
        assertThat(clint.read(0x0, 4)).isEqualTo(1);
        assertThat(software0.level()).isTrue();
    }

    @Test
    void eightByteMsipAccessCoversTwoHarts() {
        clint.write(0x0, 8, 0x1_0000_0001L);
        assertThat(software0.level()).isTrue();
        assertThat(software1.level()).isTrue();
        assertThat(clint.read(0x0, 8)).isEqualTo(0x1_0000_0001L);
    }

    @Test
    void absentHartsAndOddAccessesReadZeroAndAreIgnored() {
        clint.write(0x8, 4, 1);                // msip of hart 2: absent
        clint.write(0x4010, 8, 0);             // mtimecmp of hart 2: absent
        clint.write(0x4000, 2, 0);             // 2-byte access
        clint.write(0x4002, 4, 0);             // misaligned
        clint.setTimeCompare(7, 0);
        clint.setSoftwarePending(-1, true);
        assertThat(clint.read(0x8, 4)).isZero();
        assertThat(clint.read(0x4010, 8)).isZero();
        assertThat(clint.read(0x4000, 1)).isZero();
        assertThat(clint.timeCompare(0)).isEqualTo(-1L);
        assertThat(clint.timeCompare(7)).isEqualTo(-1L);
        assertThat(software0.history()).isEmpty();
        assertThat(timer0.history()).isEmpty();
    }

    @Test
    void closeStopsTheTimerThread() throws InterruptedException {
        clint.setTimeCompare(0, 100);
        clint.close();
        clock.advanceTo(200);
        assertThat(timer0.awaitLevel(true, Duration.ofMillis(100))).isFalse();
    }
}

package dev.jvmm.devices;

import static dev.jvmm.devices.StateRecords.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.memory.state.StateException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class GoldfishRtcStateTest {

    private static final long TIME_LOW = 0x00;
    private static final long TIME_HIGH = 0x04;
    private static final long ALARM_LOW = 0x08;
    private static final long ALARM_HIGH = 0x0C;
    private static final long IRQ_ENABLED = 0x10;
    private static final long ALARM_STATUS = 0x18;

    private final AtomicLong hostNanos = new AtomicLong(1_000_000_000_000L);
    private final GoldfishRtc rtc = new GoldfishRtc(new RecordingLine(), hostNanos::get);
    private final RecordingLine irq = new RecordingLine();
    private final GoldfishRtc restored = new GoldfishRtc(irq, hostNanos::get);

    private static void setAlarm(GoldfishRtc rtc, long nanos) {
        rtc.write(ALARM_HIGH, 4, nanos >>> 32);
        rtc.write(ALARM_LOW, 4, nanos & 0xFFFF_FFFFL);
    }

    private static long readTime(GoldfishRtc rtc) {
        long low = rtc.read(TIME_LOW, 4);
        return rtc.read(TIME_HIGH, 4) << 32 | low;
    }

    @Test
    void armedAlarmWhoseTimePassedFiresOnRestore() throws StateException {
        rtc.write(IRQ_ENABLED, 4, 1);
        setAlarm(rtc, hostNanos.get() + 1_000_000_000_000L);
        byte[] record = save(rtc);

        hostNanos.addAndGet(2_000_000_000_000L); // restored much later
        restore(restored, record);

        assertThat(irq.level()).isTrue();
        assertThat(restored.read(ALARM_STATUS, 4)).isZero();
    }

    @Test
    void armedFutureAlarmStaysArmed() throws StateException {
        rtc.write(IRQ_ENABLED, 4, 1);
        setAlarm(rtc, hostNanos.get() + 1_000_000_000_000L);
        restore(restored, save(rtc));

        assertThat(restored.read(ALARM_STATUS, 4)).isEqualTo(1);
        assertThat(restored.read(ALARM_LOW, 4)).isEqualTo(rtc.read(ALARM_LOW, 4));
        assertThat(restored.read(ALARM_HIGH, 4)).isEqualTo(rtc.read(ALARM_HIGH, 4));
        assertThat(irq.level()).isFalse();
        restored.write(0x14, 4, 0); // CLEAR_ALARM stops the restored alarm's thread
    }

    @Test
    void firedAlarmWithIrqDisabledKeepsTheLineLowUntilEnabled() throws StateException {
        setAlarm(rtc, 1); // long past: fires at once
        restore(restored, save(rtc));

        assertThat(irq.level()).isFalse();
        restored.write(IRQ_ENABLED, 4, 1);
        assertThat(irq.level()).isTrue();
    }

    @Test
    void timeTheGuestSetFollowsTheHostClockAfterRestore() throws StateException {
        rtc.write(TIME_HIGH, 4, 0x10);
        long offset = readTime(rtc) - hostNanos.get();
        byte[] record = save(rtc);

        hostNanos.addAndGet(5_000);
        restore(restored, record);

        assertThat(readTime(restored)).isEqualTo(hostNanos.get() + offset);
    }

    @Test
    void quiescedRtcFiresNoAlarmUntilUnquiesced() throws Exception {
        restored.write(IRQ_ENABLED, 4, 1);
        setAlarm(restored, hostNanos.get() + 1_000);
        restored.quiesce();

        hostNanos.addAndGet(2_000);
        Thread.sleep(50);
        assertThat(irq.level()).isFalse();
        assertThat(restored.read(ALARM_STATUS, 4)).as("still armed").isEqualTo(1);

        restored.unquiesce();
        assertThat(irq.level()).isTrue();
        assertThat(restored.read(ALARM_STATUS, 4)).isZero();
    }

    @Test
    void latchedTimeHighWiderThan32BitsIsRefused() {
        byte[] record = save(rtc);
        assertRefusedAndUnchanged(restored, withInt(record, 12, 1));
    }

    @Test
    void truncatedRecordsAndOtherVersionsAreRefusedWithoutEffect() {
        rtc.write(IRQ_ENABLED, 4, 1);
        setAlarm(rtc, 1);
        byte[] record = save(rtc);
        assertTruncationsRefused(restored, record);
        assertOtherVersionsRefused(restored, record);
        assertThat(irq.history()).isEmpty();
    }
}

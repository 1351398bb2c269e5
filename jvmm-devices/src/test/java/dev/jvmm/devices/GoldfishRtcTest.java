package dev.jvmm.devices;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class GoldfishRtcTest {

    private static final long TIME_LOW = 0x00;
    private static final long TIME_HIGH = 0x04;
    private static final long ALARM_LOW = 0x08;
    private static final long ALARM_HIGH = 0x0C;
    private static final long IRQ_ENABLED = 0x10;
    private static final long CLEAR_ALARM = 0x14;
    private static final long ALARM_STATUS = 0x18;
    private static final long CLEAR_INTERRUPT = 0x1C;

    private final AtomicLong hostNanos = new AtomicLong(0x1_2345_6789L);
    private final RecordingLine irq = new RecordingLine();
    private final GoldfishRtc rtc = new GoldfishRtc(irq, hostNanos::get);

    private long readTime() {
        long low = rtc.read(TIME_LOW, 4);
        return rtc.read(TIME_HIGH, 4) << 32 | low;
    }

    private void setAlarm(long nanos) {
        rtc.write(ALARM_HIGH, 4, nanos >>> 32);
        rtc.write(ALARM_LOW, 4, nanos & 0xFFFF_FFFFL);
    }

    @Test
    void timeHighIsLatchedByTimeLowRead() {
        assertThat(rtc.read(TIME_LOW, 4)).isEqualTo(0x2345_6789L);
        hostNanos.set(0x7_0000_0000L);
        assertThat(rtc.read(TIME_HIGH, 4)).isEqualTo(1);
        assertThat(readTime()).isEqualTo(0x7_0000_0000L);
    }

    @Test
    void defaultTimeSourceIsTheHostWallClock() {
        GoldfishRtc wall = new GoldfishRtc(irq);
        long before = System.currentTimeMillis();
        long low = wall.read(TIME_LOW, 4);
        long nanos = wall.read(TIME_HIGH, 4) << 32 | low;
        long after = System.currentTimeMillis();
        assertThat(nanos / 1_000_000).isBetween(before - 1, after + 1);
    }

    @Test
    void writingTimeSetsGuestTimeThatKeepsRunning() {
        long wanted = 0x10_0000_0005L;
        rtc.write(TIME_HIGH, 4, wanted >>> 32);
        rtc.write(TIME_LOW, 4, wanted & 0xFFFF_FFFFL);
        assertThat(readTime()).isEqualTo(wanted);
        hostNanos.addAndGet(1000);
        assertThat(readTime()).isEqualTo(wanted + 1000);
    }

    @Test
    void alarmInThePastFiresAtOnceAndRaisesLineWhenEnabled() {
        setAlarm(hostNanos.get() - 1);
        assertThat(rtc.read(ALARM_STATUS, 4)).isZero();
        assertThat(irq.level()).isFalse(); // interrupt not enabled yet

        rtc.write(IRQ_ENABLED, 4, 1);
        assertThat(irq.level()).isTrue();
        assertThat(rtc.read(IRQ_ENABLED, 4)).isEqualTo(1);

        rtc.write(CLEAR_INTERRUPT, 4, 1);
        assertThat(irq.level()).isFalse();
    }

    @Test
    void alarmRegistersReadBack() {
        setAlarm(0x55_6677_8899L);
        assertThat(rtc.read(ALARM_HIGH, 4)).isEqualTo(0x55);
        assertThat(rtc.read(ALARM_LOW, 4)).isEqualTo(0x6677_8899L);
        rtc.write(CLEAR_ALARM, 4, 1);
    }

    @Test
    void futureAlarmFiresAfterItsDeadline() throws InterruptedException {
        long origin = System.nanoTime();
        GoldfishRtc live = new GoldfishRtc(irq, () -> System.nanoTime() - origin);
        live.write(IRQ_ENABLED, 4, 1);
        long deadline = System.nanoTime() - origin + Duration.ofMillis(30).toNanos();
        live.write(ALARM_HIGH, 4, deadline >>> 32);
        live.write(ALARM_LOW, 4, deadline & 0xFFFF_FFFFL);
        assertThat(live.read(ALARM_STATUS, 4)).isEqualTo(1);
        assertThat(irq.level()).isFalse();

        assertThat(irq.awaitLevel(true, Duration.ofSeconds(5))).isTrue();
        assertThat(System.nanoTime() - origin).isGreaterThanOrEqualTo(deadline);
        assertThat(live.read(ALARM_STATUS, 4)).isZero();
    }

    @Test
    void clearAlarmCancelsAnArmedAlarm() throws InterruptedException {
        long origin = System.nanoTime();
        GoldfishRtc live = new GoldfishRtc(irq, () -> System.nanoTime() - origin);
        live.write(IRQ_ENABLED, 4, 1);
        long deadline = System.nanoTime() - origin + Duration.ofMillis(20).toNanos();
        live.write(ALARM_HIGH, 4, deadline >>> 32);
        live.write(ALARM_LOW, 4, deadline & 0xFFFF_FFFFL);
        live.write(CLEAR_ALARM, 4, 1);
        assertThat(live.read(ALARM_STATUS, 4)).isZero();
        assertThat(irq.awaitLevel(true, Duration.ofMillis(150))).isFalse();
    }

    @Test
    void unknownOffsetsAndSizesReadZero() {
        assertThat(rtc.read(0x20, 4)).isZero();
        assertThat(rtc.read(TIME_LOW, 2)).isZero();
        assertThat(rtc.read(TIME_LOW + 1, 4)).isZero();
        rtc.write(0x20, 4, 1);
        rtc.write(IRQ_ENABLED, 1, 1);
        assertThat(rtc.read(IRQ_ENABLED, 4)).isZero();
    }

    @Test
    void eightByteTimeReadIsWhole() {
        hostNanos.set(0x3_0000_0010L);
        assertThat(rtc.read(TIME_LOW, 8)).isEqualTo(0x3_0000_0010L);
    }
}

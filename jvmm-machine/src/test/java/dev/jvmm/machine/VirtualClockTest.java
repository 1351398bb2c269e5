package dev.jvmm.machine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VirtualClockTest {

    @Test
    void startsAtTheGivenTicks() {
        VirtualClock clock = new VirtualClock(10_000_000, 5_000_000_000L);
        assertThat(clock.ticks()).isBetween(5_000_000_000L, 5_000_000_000L + 10_000_000L * 5);
    }

    @Test
    void standsStillWhileFrozenAndContinuesFromThere() throws InterruptedException {
        VirtualClock clock = new VirtualClock(10_000_000, 0);
        long frozen = clock.freeze();
        Thread.sleep(50);
        assertThat(clock.ticks()).isEqualTo(frozen);
        clock.thaw();
        long after = clock.ticks();
        // 50 ms frozen = 500,000 ticks that must not appear.
        assertThat(after - frozen).isLessThan(400_000);
        Thread.sleep(20);
        assertThat(clock.ticks()).isGreaterThan(after);
    }

    @Test
    void aDeadlineThatPassedBeforeTheFreezeIsDueAtOnce() {
        VirtualClock clock = new VirtualClock(10_000_000, 1000);
        clock.freeze();
        assertThat(clock.nanosUntil(10)).isZero();
        assertThat(clock.nanosUntil(Long.MAX_VALUE)).isPositive();
    }

    @Test
    void aClockBornFrozenStandsAtItsStartUntilThawed() throws InterruptedException {
        VirtualClock clock = new VirtualClock(10_000_000, 777, true);
        Thread.sleep(30);
        assertThat(clock.ticks()).isEqualTo(777);
        clock.thaw();
        Thread.sleep(20);
        assertThat(clock.ticks()).isGreaterThan(777).isLessThan(777 + 10_000_000L);
    }
}

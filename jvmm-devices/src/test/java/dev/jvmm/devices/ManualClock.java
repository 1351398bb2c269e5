package dev.jvmm.devices;

import dev.jvmm.memory.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test clock that only moves when told. Until a deadline is reached it tells sleepers to
 * look again after a millisecond, so a timer thread notices {@link #advanceTo} promptly.
 */
final class ManualClock implements Clock {

    static final long POLL_NANOS = 1_000_000;

    private final AtomicLong ticks = new AtomicLong();

    void advanceTo(long value) {
        ticks.set(value);
    }

    @Override
    public long frequency() {
        return VIRT_FREQUENCY;
    }

    @Override
    public long ticks() {
        return ticks.get();
    }

    @Override
    public long nanosUntil(long deadline) {
        return deadline > ticks.get() ? POLL_NANOS : 0;
    }
}

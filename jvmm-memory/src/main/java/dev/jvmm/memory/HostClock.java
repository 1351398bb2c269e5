package dev.jvmm.memory;

/**
 * A {@link Clock} that follows the host's monotonic clock, starting from a chosen tick
 * count (0 for a fresh machine; the saved value when a snapshot resumes, so guest time
 * never runs backwards).
 */
public final class HostClock implements Clock {

    private final long frequency;
    private final long originNanos;
    private final long originTicks;

    public HostClock(long frequency, long startTicks) {
        if (frequency <= 0 || frequency > 1_000_000_000L) {
            throw new IllegalArgumentException("clock frequency out of range: " + frequency);
        }
        this.frequency = frequency;
        this.originNanos = System.nanoTime();
        this.originTicks = startTicks;
    }

    /** A 10 MHz clock starting at 0. */
    public static HostClock virt() {
        return new HostClock(VIRT_FREQUENCY, 0);
    }

    @Override
    public long frequency() {
        return frequency;
    }

    @Override
    public long ticks() {
        long elapsed = System.nanoTime() - originNanos;
        return originTicks + scale(elapsed);
    }

    private long scale(long nanos) {
        // nanos * frequency / 1e9 without overflow for any realistic uptime.
        return (nanos / 1_000_000_000L) * frequency + (nanos % 1_000_000_000L) * frequency / 1_000_000_000L;
    }

    @Override
    public long nanosUntil(long deadline) {
        long delta = deadline - ticks();
        if (delta <= 0) {
            return 0;
        }
        long seconds = delta / frequency;
        if (seconds >= Long.MAX_VALUE / 1_000_000_000L) {
            return Long.MAX_VALUE;
        }
        return seconds * 1_000_000_000L + ((delta % frequency) * 1_000_000_000L + frequency - 1) / frequency;
    }
}

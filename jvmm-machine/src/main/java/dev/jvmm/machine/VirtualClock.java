package dev.jvmm.machine;

import dev.jvmm.memory.Clock;
import dev.jvmm.memory.HostClock;

/**
 * The guest's timebase: follows the host's monotonic clock while the machine runs and stands
 * still while it is paused, so a snapshot, a restore or the last phase of a migration is
 * invisible to the guest's sense of time (a timer does not fire early, {@code rdtime} never
 * jumps). A restored or migrated machine starts from the saved tick count.
 */
final class VirtualClock implements Clock {

    /** Either running from {@code host} or frozen at {@code frozenTicks}. */
    private record Phase(HostClock host, long frozenTicks, boolean frozen) {
    }

    private final long frequency;
    private volatile Phase phase;

    VirtualClock(long frequency, long startTicks) {
        this(frequency, startTicks, false);
    }

    /** With {@code frozen}, time stands at {@code startTicks} until {@link #thaw()} (a machine that has not run yet). */
    VirtualClock(long frequency, long startTicks, boolean frozen) {
        this.frequency = frequency;
        this.phase = frozen ? new Phase(new HostClock(frequency, startTicks), startTicks, true)
                : new Phase(new HostClock(frequency, startTicks), 0, false);
    }

    @Override
    public long frequency() {
        return frequency;
    }

    @Override
    public long ticks() {
        Phase p = phase;
        return p.frozen() ? p.frozenTicks() : p.host().ticks();
    }

    @Override
    public long nanosUntil(long deadline) {
        Phase p = phase;
        if (!p.frozen()) {
            return p.host().nanosUntil(deadline);
        }
        // Time stands still: a waiting timer sleeps a while and asks again after the resume.
        return deadline <= p.frozenTicks() ? 0 : 10_000_000L;
    }

    /** Stops time; returns the tick count it stopped at. */
    synchronized long freeze() {
        Phase p = phase;
        if (!p.frozen()) {
            phase = new Phase(p.host(), p.host().ticks(), true);
        }
        return phase.frozenTicks();
    }

    /** Lets time run on from where it stopped. */
    synchronized void thaw() {
        Phase p = phase;
        if (p.frozen()) {
            phase = new Phase(new HostClock(frequency, p.frozenTicks()), 0, false);
        }
    }
}

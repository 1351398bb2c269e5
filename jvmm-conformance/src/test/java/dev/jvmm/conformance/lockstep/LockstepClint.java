package dev.jvmm.conformance.lockstep;

import dev.jvmm.memory.Clock;
import dev.jvmm.memory.InterruptLine;
import dev.jvmm.memory.MmioDevice;

/**
 * The CLINT registers of one hart (msip at 0x0, mtimecmp at 0x4000, mtime at 0xbff8) for a
 * lockstep board, without the timer thread of jvmm's {@code Clint}: the timer line is evaluated
 * when mtimecmp is written and when the harness calls {@link #update()} between steps, so it
 * changes at the same instruction on both sides. (A thread raising it would do so wherever the
 * hart happened to be.) Accesses of 4 and 8 bytes, as on the real device; others read 0.
 */
final class LockstepClint implements MmioDevice {

    static final long MSIP = 0x0;
    static final long MTIMECMP = 0x4000;
    static final long MTIME = 0xbff8;

    private final Clock clock;
    private final InterruptLine software;
    private final InterruptLine timer;
    private long timeCompare = -1L;
    private boolean softwarePending;

    LockstepClint(Clock clock, InterruptLine software, InterruptLine timer) {
        this.clock = clock;
        this.software = software;
        this.timer = timer;
    }

    long timeCompare() {
        return timeCompare;
    }

    /** Drives the timer line from the clock now. */
    void update() {
        timer.set(Long.compareUnsigned(clock.ticks(), timeCompare) >= 0);
    }

    @Override
    public long read(long offset, int size) {
        if (size == 8 && (offset & 7) == 0) {
            return offset == MTIME ? clock.ticks() : offset == MTIMECMP ? timeCompare
                    : offset == MSIP ? (softwarePending ? 1 : 0) : 0;
        }
        if (size == 4 && (offset & 3) == 0) {
            long word = offset & ~7L;
            long v = word == MTIME ? clock.ticks() : word == MTIMECMP ? timeCompare : 0;
            if (offset == MSIP) {
                return softwarePending ? 1 : 0;
            }
            return (offset & 4) != 0 ? v >>> 32 : v & 0xffff_ffffL;
        }
        return 0;
    }

    @Override
    public void write(long offset, int size, long value) {
        if (size == 8 && (offset & 7) == 0 && offset == MTIMECMP) {
            timeCompare = value;
            update();
        } else if (size == 4 && (offset & 3) == 0 && (offset & ~7L) == MTIMECMP) {
            timeCompare = (offset & 4) != 0
                    ? (timeCompare & 0xffff_ffffL) | value << 32
                    : (timeCompare & 0xffff_ffff_0000_0000L) | (value & 0xffff_ffffL);
            update();
        } else if ((size == 4 || size == 8) && offset == MSIP) {
            softwarePending = (value & 1) != 0;
            software.set(softwarePending);
        }
    }
}

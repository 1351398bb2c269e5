package dev.jvmm.devices;

import dev.jvmm.memory.Clock;
import dev.jvmm.memory.InterruptLine;
import dev.jvmm.memory.MmioDevice;
import dev.jvmm.memory.state.StateException;
import dev.jvmm.memory.state.StateReader;
import dev.jvmm.memory.state.StateWriter;
import dev.jvmm.memory.state.Stateful;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The SiFive CLINT as on QEMU's {@code virt} board (base 0x200_0000, size 0x1_0000): one msip
 * word per hart at 0x0 + 4·h (bit 0 drives the hart's software interrupt line), one 64-bit
 * mtimecmp per hart at 0x4000 + 8·h, and mtime at 0xBFF8.
 *
 * <p>Accesses of 4 bytes (any 4-aligned register or half of a 64-bit one) and 8 bytes
 * (8-aligned) are served; other sizes and misaligned accesses read 0 and are ignored.
 *
 * <p>mtime is the machine {@link Clock}, the same one the harts' {@code time} CSR reads.
 * <b>Writes to mtime are ignored</b>, because an offset kept here would make mtime and the
 * {@code time} CSR disagree. Neither OpenSBI nor Linux writes mtime on this board.
 *
 * <p>Hart h's timer line is high exactly while mtime ≥ mtimecmp[h] (unsigned). Writing mtimecmp
 * raises or lowers the line at once; one daemon thread per CLINT sleeps until the earliest
 * future deadline and raises the line then. mtimecmp resets to all ones (never).
 *
 * <p>State: each hart's msip bit and mtimecmp. mtime is not state: it is the {@link Clock},
 * which the machine gives a restored board continuing from the saved time. A restore drives
 * every software and timer line to match the restored registers and that clock, and wakes the
 * timer thread to wait for the restored deadlines.
 *
 * <p>Threads: registers are accessed from hart threads; the timer thread only raises timer
 * lines when the clock reaches a deadline. It needs no quiescing: a paused machine's clock
 * stands still, and the lines it drives are derived from the clock, not state.
 */
public final class Clint implements MmioDevice, AutoCloseable, Stateful {

    public static final long MSIP_OFFSET = 0x0;
    public static final long MTIMECMP_OFFSET = 0x4000;
    public static final long MTIME_OFFSET = 0xBFF8;
    /** Most harts the register layout has room for. */
    public static final int MAX_HARTS = 4095;

    /** Shortest sleep, so a clock whose nanosUntil rounds down cannot make the thread spin. */
    private static final long MIN_SLEEP_NANOS = 10_000;

    private final Clock clock;
    private final InterruptLine[] softwareLines;
    private final InterruptLine[] timerLines;
    private final long[] timeCompare;
    private final boolean[] softwarePending;
    private final boolean[] timerLevel;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition deadlinesChanged = lock.newCondition();
    private final Thread timerThread;
    private boolean closed;

    public Clint(Clock clock, List<InterruptLine> softwareLines, List<InterruptLine> timerLines) {
        this.clock = Objects.requireNonNull(clock, "clock");
        if (softwareLines.size() != timerLines.size()) {
            throw new IllegalArgumentException("need one software and one timer line per hart, got %d and %d"
                    .formatted(softwareLines.size(), timerLines.size()));
        }
        int harts = softwareLines.size();
        if (harts == 0 || harts > MAX_HARTS) {
            throw new IllegalArgumentException("hart count out of range: " + harts);
        }
        this.softwareLines = softwareLines.toArray(InterruptLine[]::new);
        this.timerLines = timerLines.toArray(InterruptLine[]::new);
        this.timeCompare = new long[harts];
        Arrays.fill(timeCompare, -1L);
        this.softwarePending = new boolean[harts];
        this.timerLevel = new boolean[harts];
        this.timerThread = Thread.ofPlatform().daemon().name("clint-timer").unstarted(this::runTimer);
        timerThread.start();
    }

    /** Number of harts this CLINT serves. */
    public int hartCount() {
        return timeCompare.length;
    }

    /** Sets hart {@code hart}'s mtimecmp (the built-in SBI's set_timer uses this); ignored for a hart that does not exist. */
    public void setTimeCompare(int hart, long value) {
        if (hart < 0 || hart >= hartCount()) {
            return;
        }
        lock.lock();
        try {
            storeTimeCompare(hart, value);
        } finally {
            lock.unlock();
        }
    }

    /** Hart {@code hart}'s mtimecmp; all ones for a hart that does not exist. */
    public long timeCompare(int hart) {
        if (hart < 0 || hart >= hartCount()) {
            return -1L;
        }
        lock.lock();
        try {
            return timeCompare[hart];
        } finally {
            lock.unlock();
        }
    }

    /** Sets or clears hart {@code hart}'s msip bit (the built-in SBI's send_ipi uses this); ignored for a hart that does not exist. */
    public void setSoftwarePending(int hart, boolean pending) {
        if (hart < 0 || hart >= hartCount()) {
            return;
        }
        lock.lock();
        try {
            storeSoftwarePending(hart, pending);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long read(long offset, int size) {
        if (size == 8 && (offset & 7) == 0) {
            if (offset == MTIME_OFFSET) {
                return clock.ticks();
            }
            int hart = compareIndex(offset);
            if (hart >= 0) {
                return timeCompare(hart);
            }
            return readWord(offset) | readWord(offset + 4) << 32;
        }
        if (size == 4 && (offset & 3) == 0) {
            return readWord(offset);
        }
        return 0;
    }

    @Override
    public void write(long offset, int size, long value) {
        if (size == 8 && (offset & 7) == 0) {
            int hart = compareIndex(offset);
            if (hart >= 0) {
                setTimeCompare(hart, value);
            } else {
                writeWord(offset, value & 0xFFFF_FFFFL);
                writeWord(offset + 4, value >>> 32);
            }
        } else if (size == 4 && (offset & 3) == 0) {
            writeWord(offset, value & 0xFFFF_FFFFL);
        }
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void saveState(StateWriter out) {
        lock.lock();
        try {
            out.putInt(hartCount());
            for (boolean pending : softwarePending) {
                out.putBoolean(pending);
            }
            out.putLongs(timeCompare);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void restoreState(StateReader in, int version) throws StateException {
        if (version != 1) {
            throw in.bad("version", version + " is not understood (this CLINT writes 1)");
        }
        int harts = in.getInt("hart count");
        if (harts != hartCount()) {
            throw in.bad("hart count", "%d does not match this CLINT's %d".formatted(harts, hartCount()));
        }
        boolean[] msip = new boolean[harts];
        for (int hart = 0; hart < harts; hart++) {
            msip[hart] = in.getBoolean("msip of hart " + hart);
        }
        long[] compare = in.getLongs("mtimecmp", harts);
        in.expectEnd();
        lock.lock();
        try {
            long now = clock.ticks();
            for (int hart = 0; hart < harts; hart++) {
                // Driven even where unchanged: the harts at the lines' far ends are restored too.
                softwarePending[hart] = msip[hart];
                softwareLines[hart].set(msip[hart]);
                timeCompare[hart] = compare[hart];
                timerLevel[hart] = Long.compareUnsigned(now, compare[hart]) >= 0;
                timerLines[hart].set(timerLevel[hart]);
            }
            deadlinesChanged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Stops the timer thread. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            deadlinesChanged.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            timerThread.join(TimeUnit.SECONDS.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long readWord(long offset) {
        int hart = softwareIndex(offset);
        if (hart >= 0) {
            lock.lock();
            try {
                return softwarePending[hart] ? 1 : 0;
            } finally {
                lock.unlock();
            }
        }
        hart = compareIndex(offset & ~7L);
        if (hart >= 0) {
            return upperHalf(offset) ? timeCompare(hart) >>> 32 : timeCompare(hart) & 0xFFFF_FFFFL;
        }
        if ((offset & ~7L) == MTIME_OFFSET) {
            long now = clock.ticks();
            return upperHalf(offset) ? now >>> 32 : now & 0xFFFF_FFFFL;
        }
        return 0;
    }

    private void writeWord(long offset, long word) {
        int hart = softwareIndex(offset);
        if (hart >= 0) {
            setSoftwarePending(hart, (word & 1) != 0);
            return;
        }
        hart = compareIndex(offset & ~7L);
        if (hart >= 0) {
            lock.lock();
            try {
                long old = timeCompare[hart];
                long merged = upperHalf(offset)
                        ? (old & 0xFFFF_FFFFL) | word << 32
                        : (old & 0xFFFF_FFFF_0000_0000L) | word;
                storeTimeCompare(hart, merged);
            } finally {
                lock.unlock();
            }
        }
        // mtime is read-only here (see class doc); everything else is unimplemented.
    }

    private static boolean upperHalf(long offset) {
        return (offset & 4) != 0;
    }

    /** The hart whose msip word is at {@code offset}, or -1. */
    private int softwareIndex(long offset) {
        if (offset < MSIP_OFFSET || offset >= MSIP_OFFSET + 4L * hartCount()) {
            return -1;
        }
        return (int) ((offset - MSIP_OFFSET) >>> 2);
    }

    /** The hart whose mtimecmp starts at the 8-aligned {@code offset}, or -1. */
    private int compareIndex(long offset) {
        if (offset < MTIMECMP_OFFSET || offset >= MTIMECMP_OFFSET + 8L * hartCount()) {
            return -1;
        }
        return (int) ((offset - MTIMECMP_OFFSET) >>> 3);
    }

    // Callers hold the lock.
    private void storeSoftwarePending(int hart, boolean pending) {
        if (softwarePending[hart] != pending) {
            softwarePending[hart] = pending;
            softwareLines[hart].set(pending);
        }
    }

    // Caller holds the lock.
    private void storeTimeCompare(int hart, long value) {
        timeCompare[hart] = value;
        updateTimerLine(hart, clock.ticks());
        deadlinesChanged.signalAll();
    }

    // Caller holds the lock.
    private void updateTimerLine(int hart, long now) {
        boolean level = Long.compareUnsigned(now, timeCompare[hart]) >= 0;
        if (timerLevel[hart] != level) {
            timerLevel[hart] = level;
            timerLines[hart].set(level);
        }
    }

    private void runTimer() {
        lock.lock();
        try {
            while (!closed) {
                long now = clock.ticks();
                long earliest = Long.MAX_VALUE;
                boolean anyDeadline = false;
                for (int hart = 0; hart < hartCount(); hart++) {
                    updateTimerLine(hart, now);
                    long deadline = timeCompare[hart];
                    // Values with the top bit set are centuries away; treat them as "never",
                    // which also keeps them out of Clock.nanosUntil's signed arithmetic.
                    if (!timerLevel[hart] && deadline >= 0) {
                        anyDeadline = true;
                        earliest = Math.min(earliest, deadline);
                    }
                }
                if (anyDeadline) {
                    long nanos = Math.max(clock.nanosUntil(earliest), MIN_SLEEP_NANOS);
                    deadlinesChanged.awaitNanos(nanos);
                } else {
                    deadlinesChanged.await();
                }
            }
        } catch (InterruptedException e) {
            // Nobody but close() has a reason to stop this thread; exit quietly.
        } finally {
            lock.unlock();
        }
    }
}

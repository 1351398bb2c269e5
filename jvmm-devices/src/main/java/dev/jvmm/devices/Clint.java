package dev.jvmm.devices;

import dev.jvmm.memory.Clock;
import dev.jvmm.memory.InterruptLine;
import dev.jvmm.memory.MmioDevice;
import java.util.List;

/** STUB: the SiFive CLINT: msip, mtimecmp and mtime; one software and one timer line per hart. */
public final class Clint implements MmioDevice, AutoCloseable {

    public Clint(Clock clock, List<InterruptLine> softwareLines, List<InterruptLine> timerLines) {
        throw new UnsupportedOperationException("stub");
    }

    /** Sets hart {@code hart}'s mtimecmp (the built-in SBI's set_timer uses this). */
    public void setTimeCompare(int hart, long value) {
        throw new UnsupportedOperationException("stub");
    }

    public long timeCompare(int hart) {
        throw new UnsupportedOperationException("stub");
    }

    /** Sets or clears hart {@code hart}'s msip bit (the built-in SBI's send_ipi uses this). */
    public void setSoftwarePending(int hart, boolean pending) {
        throw new UnsupportedOperationException("stub");
    }

    @Override
    public long read(long offset, int size) {
        throw new UnsupportedOperationException("stub");
    }

    @Override
    public void write(long offset, int size, long value) {
        throw new UnsupportedOperationException("stub");
    }

    /** Stops the timer thread. */
    @Override
    public void close() {
    }
}

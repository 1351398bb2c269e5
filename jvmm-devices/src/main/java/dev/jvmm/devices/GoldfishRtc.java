package dev.jvmm.devices;

import dev.jvmm.memory.InterruptLine;
import dev.jvmm.memory.MmioDevice;

/** STUB: the Goldfish real-time clock (host wall time in nanoseconds since the epoch). */
public final class GoldfishRtc implements MmioDevice {

    public GoldfishRtc(InterruptLine irq) {
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
}

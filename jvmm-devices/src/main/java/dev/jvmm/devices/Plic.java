package dev.jvmm.devices;

import dev.jvmm.memory.InterruptLine;
import dev.jvmm.memory.MmioDevice;
import java.util.List;

/** STUB: the RISC-V PLIC as on QEMU virt. Context 2h is hart h's M-mode, 2h+1 its S-mode. */
public final class Plic implements MmioDevice {

    /** QEMU virt's source count (sources 1..95; 0 is reserved). */
    public static final int VIRT_SOURCES = 96;

    public Plic(int sources, List<InterruptLine> contextLines) {
        throw new UnsupportedOperationException("stub");
    }

    /** The input wire of source {@code n} (1 <= n < sources). */
    public InterruptLine source(int n) {
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

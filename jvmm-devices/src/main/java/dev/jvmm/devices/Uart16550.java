package dev.jvmm.devices;

import dev.jvmm.memory.InterruptLine;
import dev.jvmm.memory.MmioDevice;
import java.io.OutputStream;

/** STUB: an NS16550A UART (QEMU virt's serial0). */
public final class Uart16550 implements MmioDevice {

    /** Transmitted bytes go to {@code output}; {@code irq} is the UART's PLIC source. */
    public Uart16550(InterruptLine irq, OutputStream output) {
        throw new UnsupportedOperationException("stub");
    }

    /** Queues host input for the guest; blocks while the input buffer is full. */
    public void receive(byte[] data, int offset, int length) throws InterruptedException {
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

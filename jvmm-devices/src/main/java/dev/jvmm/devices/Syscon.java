package dev.jvmm.devices;

import dev.jvmm.memory.MmioDevice;

/** STUB: QEMU's "sifive,test" finisher: 0x5555 powers off, 0x7777 reboots, 0x3333 | code << 16 fails. */
public final class Syscon implements MmioDevice {

    /** What the guest asked for. Called on the writing hart's thread. */
    public interface Listener {
        void powerOff();

        void reboot();

        void fail(int code);
    }

    public Syscon(Listener listener) {
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

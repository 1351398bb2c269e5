package dev.jvmm.devices;

import dev.jvmm.memory.MmioDevice;
import java.util.Objects;

/**
 * QEMU's "sifive,test0" finisher at 0x10_0000, which Linux drives through syscon-poweroff and
 * syscon-reboot: a write at offset 0 whose low 16 bits are 0x5555 powers off, 0x7777 reboots,
 * and 0x3333 fails with the exit code in bits 16..31. Other values and offsets are ignored;
 * reads return 0. Writes of 4 or 8 bytes carry a code; a 2-byte write carries status only.
 *
 * <p>It holds no state, so it is not part of a snapshot.
 */
public final class Syscon implements MmioDevice {

    public static final int STATUS_FAIL = 0x3333;
    public static final int STATUS_POWER_OFF = 0x5555;
    public static final int STATUS_REBOOT = 0x7777;

    /** What the guest asked for. Called on the writing hart's thread. */
    public interface Listener {
        void powerOff();

        void reboot();

        void fail(int code);
    }

    private final Listener listener;

    public Syscon(Listener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public long read(long offset, int size) {
        return 0;
    }

    @Override
    public void write(long offset, int size, long value) {
        if (offset != 0 || size < 2) {
            return;
        }
        int status = (int) (value & 0xFFFF);
        int code = size >= 4 ? (int) ((value >>> 16) & 0xFFFF) : 0;
        switch (status) {
            case STATUS_POWER_OFF -> listener.powerOff();
            case STATUS_REBOOT -> listener.reboot();
            case STATUS_FAIL -> listener.fail(code);
            default -> { }
        }
    }
}

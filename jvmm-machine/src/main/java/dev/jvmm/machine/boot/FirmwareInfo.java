package dev.jvmm.machine.boot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * OpenSBI's {@code struct fw_dynamic_info} (version 2), which QEMU hands to M-mode firmware
 * in {@code a2}: six little-endian 64-bit words, magic, version, next_addr, next_mode,
 * options, boot_hart. Firmware built as {@code fw_dynamic} reads where to jump from it;
 * {@code fw_jump} ignores it.
 */
public final class FirmwareInfo {

    public static final long MAGIC = 0x4942534fL; // "OSBI"
    public static final long VERSION = 2;
    public static final long NEXT_MODE_S = 1;
    public static final int SIZE = 6 * 8;

    private FirmwareInfo() {
    }

    /** The block for a kernel starting at {@code nextAddress} in S-mode, booted by hart 0. */
    public static byte[] encode(long nextAddress) {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(MAGIC).putLong(VERSION).putLong(nextAddress).putLong(NEXT_MODE_S).putLong(0).putLong(0);
        return b.array();
    }
}

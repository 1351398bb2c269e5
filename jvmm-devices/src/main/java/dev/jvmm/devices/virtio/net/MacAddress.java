package dev.jvmm.devices.virtio.net;

import java.util.HexFormat;
import java.util.Objects;

/**
 * A unicast Ethernet MAC address, held as its 48 bits ({@code value}'s low six bytes, first
 * byte of the address most significant).
 */
public record MacAddress(long value) {

    /** QEMU's default for its first NIC: locally administered, in the 52:54:00 range. */
    public static final MacAddress QEMU_DEFAULT = new MacAddress(0x5254_0012_3456L);

    private static final int BYTES = 6;
    private static final long MASK = (1L << 48) - 1;

    public MacAddress {
        if ((value & ~MASK) != 0) {
            throw new IllegalArgumentException("a MAC address has 48 bits: 0x" + Long.toHexString(value));
        }
        if (((value >>> 40) & 1) != 0) {
            throw new IllegalArgumentException("a NIC needs a unicast MAC address: " + format(value));
        }
    }

    /** The address whose bytes are {@code bytes} (exactly six). */
    public static MacAddress of(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, not " + bytes.length);
        }
        long value = 0;
        for (byte b : bytes) {
            value = (value << 8) | (b & 0xFF);
        }
        return new MacAddress(value);
    }

    /** Parses {@code 52:54:00:12:34:56} (or with dashes). */
    public static MacAddress parse(String text) {
        String[] parts = text.split("[:-]", -1);
        if (parts.length != BYTES) {
            throw new IllegalArgumentException("not a MAC address: " + text);
        }
        byte[] bytes = new byte[BYTES];
        for (int i = 0; i < BYTES; i++) {
            if (parts[i].length() != 2) {
                throw new IllegalArgumentException("not a MAC address: " + text);
            }
            bytes[i] = (byte) HexFormat.fromHexDigits(parts[i]);
        }
        return of(bytes);
    }

    /**
     * The default address of the NIC in {@code slot} (0 for the first): QEMU's default plus the
     * slot, as QEMU numbers its NICs, so each NIC of a machine gets its own address.
     */
    public static MacAddress forSlot(int slot) {
        if (slot < 0 || slot > 0xFFFF) {
            throw new IllegalArgumentException("slot must be in 0..65535: " + slot);
        }
        return new MacAddress(QEMU_DEFAULT.value + slot);
    }

    /** The six bytes, in wire order. */
    public byte[] bytes() {
        byte[] bytes = new byte[BYTES];
        for (int i = 0; i < BYTES; i++) {
            bytes[i] = (byte) (value >>> (8 * (BYTES - 1 - i)));
        }
        return bytes;
    }

    /** Whether the locally-administered bit is set (not a vendor-assigned address). */
    public boolean isLocallyAdministered() {
        return ((value >>> 40) & 2) != 0;
    }

    @Override
    public String toString() {
        return format(value);
    }

    private static String format(long value) {
        StringBuilder s = new StringBuilder(17);
        for (int i = BYTES - 1; i >= 0; i--) {
            s.append(HexFormat.of().toHexDigits((byte) (value >>> (8 * i))));
            if (i > 0) {
                s.append(':');
            }
        }
        return s.toString();
    }
}

package dev.jvmm.image;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Recognises a RISC-V Linux flat {@code Image}: its 64-byte header carries the magic
 * {@code "RISCV\0\0\0"} at offset 0x30 (deprecated but still written) and {@code "RSC\x05"} at
 * 0x38. A kernel with an EFI stub starts with {@code "MZ"} and keeps the same header.
 */
public final class KernelImage {

    private static final byte[] MAGIC = "RISCV\0\0\0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAGIC2 = {'R', 'S', 'C', 0x05};

    private KernelImage() {
    }

    public static boolean isRiscvImage(byte[] header) {
        if (header.length < 0x40) {
            return false;
        }
        return Arrays.equals(header, 0x30, 0x38, MAGIC, 0, 8) || Arrays.equals(header, 0x38, 0x3c, MAGIC2, 0, 4);
    }
}

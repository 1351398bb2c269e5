package dev.jvmm.machine.htif;

import dev.jvmm.machine.MachineException;
import dev.jvmm.memory.GuestMemory;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The memory signature of a test program, written as Spike's {@code +signature=FILE} does
 * (riscv-isa-sim {@code htif_t::stop}): the bytes from the ELF symbol {@code begin_signature}
 * up to (not including) {@code end_signature}, cut into lines of {@code lineBytes} bytes
 * (Spike's {@code +signature-granularity}, default 16); each line is its bytes from the
 * highest address down to the lowest, two lowercase hex digits each (so a line of a
 * little-endian machine reads as one number), then {@code '\n'}. A last, partial line is
 * padded with {@code 00} at its high end. An empty range writes an empty file.
 *
 * <p>Example, 16-byte lines: the words 0x11223344, 0x55667788 at begin_signature give the
 * single line {@code 00000000000000005566778811223344}.
 */
public final class Signature {

    /** Spike's default line width in bytes. */
    public static final int DEFAULT_LINE_BYTES = 16;
    /** Largest signature written (its text is twice as large). */
    public static final int MAX_BYTES = 64 << 20;
    /** Widest line accepted. */
    public static final int MAX_LINE_BYTES = 4096;

    private Signature() {
    }

    /** Writes {@code [begin, end)} of {@code ram} to {@code file}; the range must lie in RAM. */
    public static void write(GuestMemory ram, long begin, long end, int lineBytes, Path file) throws MachineException {
        if (lineBytes < 1 || lineBytes > MAX_LINE_BYTES) {
            throw new MachineException("signature line width %d bytes out of range (1 to %d)".formatted(lineBytes, MAX_LINE_BYTES));
        }
        long length = end - begin;
        if (Long.compareUnsigned(end, begin) < 0 || !ram.contains(begin, length)) {
            throw new MachineException("the signature 0x%x-0x%x (begin_signature to end_signature) is not a range in RAM"
                    .formatted(begin, end));
        }
        if (length > MAX_BYTES) {
            throw new MachineException("the signature 0x%x-0x%x is larger than %d MiB".formatted(begin, end, MAX_BYTES >> 20));
        }
        byte[] bytes = new byte[(int) length];
        ram.read(begin, bytes, 0, bytes.length);
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
            out.write(format(bytes, lineBytes));
        } catch (IOException e) {
            throw new MachineException("cannot write signature file %s: %s".formatted(file, e.getMessage()));
        }
    }

    /** The file's text for {@code bytes} (byte 0 at begin_signature). */
    static String format(byte[] bytes, int lineBytes) {
        StringBuilder text = new StringBuilder();
        for (int line = 0; line < bytes.length; line += lineBytes) {
            for (int i = lineBytes - 1; i >= 0; i--) {
                long index = (long) line + i;
                int value = index < bytes.length ? bytes[(int) index] & 0xff : 0;
                text.append(Character.forDigit(value >>> 4, 16)).append(Character.forDigit(value & 0xf, 16));
            }
            text.append('\n');
        }
        return text.toString();
    }
}

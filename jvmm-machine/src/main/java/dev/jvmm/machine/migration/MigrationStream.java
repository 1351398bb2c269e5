package dev.jvmm.machine.migration;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The migration stream's framing, shared by both ends. See {@code docs/migration-format.md}.
 *
 * <pre>
 * source → destination: "JVMMMIGR" u32 version
 *   CONFIG  u8 1, u32 length, a state file holding the machine record
 *   PAGES   u8 2, u32 count, count × (u32 page, u8 kind (0 zero | 1 data), [4096 bytes if data]), u32 CRC32C of the batch
 *   STATE   u8 3, u32 length, a state file: machine record (with the clock) and every component's record
 *   GO      u8 5                     (after the destination said READY)
 *   CANCEL  u8 6, UTF-8 reason       (the source gives up; the destination discards everything)
 * destination → source:
 *   READY   u8 10                    (everything arrived and checked; devices opened)
 *   RUNNING u8 12                    (after GO: the guest runs there)
 *   FAILED  u8 11, UTF-8 reason
 * </pre>
 * Integers are big-endian (Java's data streams). Every batch of pages carries a checksum; the
 * state messages are {@code StateFile}s with checksums of their own.
 */
final class MigrationStream {

    static final byte[] MAGIC = "JVMMMIGR".getBytes(StandardCharsets.US_ASCII);
    /** The stream's version: a destination refuses any other. */
    static final int VERSION = 1;

    static final int CONFIG = 1;
    static final int PAGES = 2;
    static final int STATE = 3;
    static final int GO = 5;
    static final int CANCEL = 6;
    static final int READY = 10;
    static final int FAILED = 11;
    static final int RUNNING = 12;

    static final int PAGE_ZERO = 0;
    static final int PAGE_DATA = 1;
    /** Pages per batch: bounds what a checksum covers and what a reader buffers. */
    static final int BATCH_PAGES = 256;
    static final int MAX_STATE_BYTES = 256 << 20;
    static final int MAX_REASON_BYTES = 4096;

    private MigrationStream() {
    }

    static void writeBlob(DataOutputStream out, int type, byte[] data) throws IOException {
        out.writeByte(type);
        out.writeInt(data.length);
        out.write(data);
    }

    static byte[] readBlob(DataInputStream in, String what) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_STATE_BYTES) {
            throw new IOException(what + " of " + Integer.toUnsignedString(length) + " bytes is out of range");
        }
        byte[] data = new byte[length];
        in.readFully(data);
        return data;
    }

    static void writeReason(DataOutputStream out, int type, String reason) throws IOException {
        byte[] b = reason.getBytes(StandardCharsets.UTF_8);
        out.writeByte(type);
        out.writeInt(Math.min(b.length, MAX_REASON_BYTES));
        out.write(b, 0, Math.min(b.length, MAX_REASON_BYTES));
        out.flush();
    }

    static String readReason(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_REASON_BYTES) {
            throw new IOException("reason of " + Integer.toUnsignedString(length) + " bytes is out of range");
        }
        byte[] b = new byte[length];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8).replaceAll("[\\r\\n]+", " ");
    }
}

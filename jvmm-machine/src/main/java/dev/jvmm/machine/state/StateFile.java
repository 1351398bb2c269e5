package dev.jvmm.machine.state;

import dev.jvmm.memory.state.StateException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The encoding of a machine's component records, shared by snapshot directories (the
 * {@code state} file) and the migration stream (its device-state message).
 *
 * <pre>
 * magic "JVMMSTAT" | u32 format version | u32 record count
 * per record: u16 name length | name (UTF-8) | u32 version | u32 payload length | payload
 *             | u32 CRC32C of the record's bytes before it
 * u32 CRC32C of everything before it
 * </pre>
 * All integers are little-endian. A reader refuses a wrong magic, a newer format version, a
 * record whose checksum fails, a count that does not match, or trailing bytes.
 */
public final class StateFile {

    static final byte[] MAGIC = "JVMMSTAT".getBytes(StandardCharsets.US_ASCII);
    /** The container's own layout; the records inside carry their own versions. */
    public static final int FORMAT_VERSION = 1;
    static final int MAX_NAME = 255;
    static final int MAX_PAYLOAD = 64 << 20;
    static final int MAX_RECORDS = 4096;

    private StateFile() {
    }

    public static byte[] encode(List<StateRecord> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MAGIC);
        out.writeBytes(le(4, FORMAT_VERSION));
        out.writeBytes(le(4, records.size()));
        for (StateRecord r : records) {
            byte[] name = r.name().getBytes(StandardCharsets.UTF_8);
            if (name.length == 0 || name.length > MAX_NAME || r.payload().length > MAX_PAYLOAD) {
                throw new IllegalArgumentException("bad state record " + r.name());
            }
            ByteArrayOutputStream rec = new ByteArrayOutputStream();
            rec.writeBytes(le(2, name.length));
            rec.writeBytes(name);
            rec.writeBytes(le(4, r.version()));
            rec.writeBytes(le(4, r.payload().length));
            rec.writeBytes(r.payload());
            byte[] body = rec.toByteArray();
            out.writeBytes(body);
            out.writeBytes(le(4, crc(body, 0, body.length)));
        }
        byte[] all = out.toByteArray();
        out.writeBytes(le(4, crc(all, 0, all.length)));
        return out.toByteArray();
    }

    /** Decodes and checks every record; the map keeps the file's order. {@code what} names the source in errors. */
    public static Map<String, StateRecord> decode(byte[] data, String what) throws StateException {
        ByteBuffer in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        if (data.length < MAGIC.length + 12) {
            throw new StateException(what + " is truncated (" + data.length + " bytes)");
        }
        byte[] magic = new byte[MAGIC.length];
        in.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new StateException(what + " is not a jvmm state file (bad magic)");
        }
        int format = in.getInt();
        if (format < 1 || format > FORMAT_VERSION) {
            throw new StateException(what + " has state format version " + Integer.toUnsignedString(format)
                    + "; this jvmm reads versions 1 to " + FORMAT_VERSION);
        }
        int count = in.getInt();
        if (count < 0 || count > MAX_RECORDS) {
            throw new StateException(what + " claims " + Integer.toUnsignedString(count) + " records");
        }
        Map<String, StateRecord> records = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            int start = in.position();
            String name = null;
            try {
                int nameLength = Short.toUnsignedInt(in.getShort());
                if (nameLength == 0 || nameLength > MAX_NAME) {
                    throw new StateException(what + ": record " + i + " has a bad name length");
                }
                byte[] nameBytes = new byte[nameLength];
                in.get(nameBytes);
                name = new String(nameBytes, StandardCharsets.UTF_8);
                int version = in.getInt();
                int length = in.getInt();
                if (length < 0 || length > MAX_PAYLOAD || length > in.remaining()) {
                    throw new StateException(what + " is truncated in record '" + name + "'");
                }
                byte[] payload = new byte[length];
                in.get(payload);
                int end = in.position();
                int stored = in.getInt();
                if (stored != crc(data, start, end - start)) {
                    throw new StateException(what + ": record '" + name + "' is corrupted (checksum mismatch)");
                }
                if (records.put(name, new StateRecord(name, version, payload)) != null) {
                    throw new StateException(what + ": record '" + name + "' appears twice");
                }
            } catch (java.nio.BufferUnderflowException e) {
                throw new StateException(what + " is truncated" + (name == null ? "" : " in record '" + name + "'"));
            }
        }
        if (in.remaining() != 4) {
            throw new StateException(in.remaining() < 4 ? what + " is truncated (no final checksum)"
                    : what + " has " + (in.remaining() - 4) + " unexpected trailing bytes");
        }
        int whole = in.getInt();
        if (whole != crc(data, 0, data.length - 4)) {
            throw new StateException(what + " is corrupted (checksum mismatch)");
        }
        return records;
    }

    static int crc(byte[] data, int offset, int length) {
        CRC32C c = new CRC32C();
        c.update(data, offset, length);
        return (int) c.getValue();
    }

    private static byte[] le(int bytes, long value) {
        byte[] b = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            b[i] = (byte) (value >>> (8 * i));
        }
        return b;
    }
}

package dev.jvmm.memory.state;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds one state record: a little-endian sequence of fixed-width values, length-prefixed
 * byte strings and UTF-8 strings, read back in the same order by {@link StateReader}.
 */
public final class StateWriter {

    private byte[] buffer = new byte[256];
    private int length;

    public StateWriter putBoolean(boolean value) {
        return putByte(value ? 1 : 0);
    }

    public StateWriter putByte(int value) {
        ensure(1);
        buffer[length++] = (byte) value;
        return this;
    }

    public StateWriter putInt(int value) {
        ensure(4);
        for (int i = 0; i < 4; i++) {
            buffer[length++] = (byte) (value >>> (8 * i));
        }
        return this;
    }

    public StateWriter putLong(long value) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            buffer[length++] = (byte) (value >>> (8 * i));
        }
        return this;
    }

    /** A count followed by that many longs. */
    public StateWriter putLongs(long[] values) {
        putInt(values.length);
        for (long v : values) {
            putLong(v);
        }
        return this;
    }

    /** A length followed by the bytes. */
    public StateWriter putBytes(byte[] bytes) {
        return putBytes(bytes, 0, bytes.length);
    }

    public StateWriter putBytes(byte[] bytes, int offset, int count) {
        putInt(count);
        ensure(count);
        System.arraycopy(bytes, offset, buffer, length, count);
        length += count;
        return this;
    }

    public StateWriter putString(String value) {
        return putBytes(value.getBytes(StandardCharsets.UTF_8));
    }

    /** The record so far (a copy). */
    public byte[] toByteArray() {
        return Arrays.copyOf(buffer, length);
    }

    public int size() {
        return length;
    }

    private void ensure(int more) {
        if (more < 0 || length + more < 0) {
            throw new IllegalArgumentException("state record too large");
        }
        if (length + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(length + more, buffer.length * 2));
        }
    }
}

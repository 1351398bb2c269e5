package dev.jvmm.memory.state;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Reads one state record written by {@link StateWriter}, in the same order. Every read is
 * bounds-checked: reading past the end, a negative or oversize length, or a value outside the
 * range the caller allows is a {@link StateException} naming the record and the field.
 */
public final class StateReader {

    private final String record;
    private final byte[] data;
    private int position;

    /** {@code record} names the record in error messages (e.g. {@code "hart 0"}). */
    public StateReader(String record, byte[] data) {
        this.record = record;
        this.data = data;
    }

    public String record() {
        return record;
    }

    public boolean getBoolean(String field) throws StateException {
        int b = getByte(field);
        if (b != 0 && b != 1) {
            throw bad(field, "not a boolean (" + b + ")");
        }
        return b == 1;
    }

    public int getByte(String field) throws StateException {
        need(field, 1);
        return data[position++] & 0xff;
    }

    public int getInt(String field) throws StateException {
        need(field, 4);
        int v = 0;
        for (int i = 0; i < 4; i++) {
            v |= (data[position++] & 0xff) << (8 * i);
        }
        return v;
    }

    /** An int that must lie in {@code [min, max]}. */
    public int getInt(String field, int min, int max) throws StateException {
        int v = getInt(field);
        if (v < min || v > max) {
            throw bad(field, "%d is outside [%d, %d]".formatted(v, min, max));
        }
        return v;
    }

    public long getLong(String field) throws StateException {
        need(field, 8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v |= (data[position++] & 0xffL) << (8 * i);
        }
        return v;
    }

    /** A count-prefixed array of longs whose count must be exactly {@code expectedCount}. */
    public long[] getLongs(String field, int expectedCount) throws StateException {
        int n = getInt(field + " count");
        if (n != expectedCount) {
            throw bad(field, "has %d entries, expected %d".formatted(n, expectedCount));
        }
        long[] values = new long[n];
        for (int i = 0; i < n; i++) {
            values[i] = getLong(field);
        }
        return values;
    }

    /** A length-prefixed byte string of at most {@code maxLength} bytes. */
    public byte[] getBytes(String field, int maxLength) throws StateException {
        int n = getInt(field + " length");
        if (n < 0 || n > maxLength) {
            throw bad(field, "length %d is outside [0, %d]".formatted(n, maxLength));
        }
        need(field, n);
        byte[] out = Arrays.copyOfRange(data, position, position + n);
        position += n;
        return out;
    }

    /** A UTF-8 string of at most {@code maxBytes} bytes. */
    public String getString(String field, int maxBytes) throws StateException {
        byte[] bytes = getBytes(field, maxBytes);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw bad(field, "is not UTF-8");
        }
    }

    /** Bytes not yet read. */
    public int remaining() {
        return data.length - position;
    }

    /** Throws unless the whole record has been read (a longer record is a different layout). */
    public void expectEnd() throws StateException {
        if (position != data.length) {
            throw new StateException("state record '%s' has %d unexpected trailing bytes".formatted(record, data.length - position));
        }
    }

    /** An exception naming this record and the field. */
    public StateException bad(String field, String problem) {
        return new StateException("state record '%s': %s %s".formatted(record, field, problem));
    }

    private void need(String field, int count) throws StateException {
        if (count < 0 || count > data.length - position) {
            throw new StateException("state record '%s' is truncated at %s".formatted(record, field));
        }
    }
}

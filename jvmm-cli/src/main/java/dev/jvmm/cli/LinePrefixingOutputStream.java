package dev.jvmm.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A clone's console on the shared terminal: each line goes out whole, after {@code prefix}, so
 * lines of different clones never mix. A line is held until its newline (or until it grows past
 * {@link #MAX_LINE} bytes, or the stream closes), so a prompt that ends without one shows late.
 */
final class LinePrefixingOutputStream extends OutputStream {

    static final int MAX_LINE = 4096;

    private final OutputStream target;
    private final byte[] prefix;
    private final Object lock;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();

    /** {@code lock}: shared by every stream writing to {@code target}. */
    LinePrefixingOutputStream(OutputStream target, String prefix, Object lock) {
        this.target = target;
        this.prefix = prefix.getBytes(StandardCharsets.UTF_8);
        this.lock = lock;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        for (int i = off; i < off + len; i++) {
            line.write(b[i]);
            if (b[i] == '\n' || line.size() >= MAX_LINE) {
                emit();
            }
        }
    }

    private void emit() throws IOException {
        synchronized (lock) {
            target.write(prefix);
            line.writeTo(target);
            target.flush();
        }
        line.reset();
    }

    /** Writes out an unfinished last line, ending it. */
    @Override
    public synchronized void close() throws IOException {
        if (line.size() > 0) {
            line.write('\n');
            emit();
        }
    }
}

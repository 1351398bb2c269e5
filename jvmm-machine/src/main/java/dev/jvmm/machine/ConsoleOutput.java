package dev.jvmm.machine;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The one console stream that the UART and the built-in SBI's console calls both write to:
 * writes are serialised so bytes from different harts never interleave inside one write,
 * and each is flushed so an interactive console sees output at once. A failing host stream
 * is remembered and further output dropped: the guest must not die because the terminal did.
 */
final class ConsoleOutput extends OutputStream {

    private final OutputStream out;
    private volatile IOException failure;

    ConsoleOutput(OutputStream out) {
        this.out = out;
    }

    @Override
    public synchronized void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        if (failure != null) {
            return;
        }
        try {
            out.write(b, off, len);
            out.flush();
        } catch (IOException e) {
            failure = e;
        }
    }

    @Override
    public synchronized void flush() {
        if (failure != null) {
            return;
        }
        try {
            out.flush();
        } catch (IOException e) {
            failure = e;
        }
    }

    /** The host stream's first error, or null. */
    IOException failure() {
        return failure;
    }
}

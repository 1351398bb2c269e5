package dev.jvmm.storage;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A virtual disk's contents, as a device sees them: a byte array of fixed size that can be
 * read, written, flushed and discarded. Offsets and lengths are bytes; devices issue them in
 * whole 512-byte sectors, but implementations must accept any in-range request.
 *
 * <p>Thread-safety: requests may come from several threads; an implementation serialises
 * whatever needs it. Durability: data written before a completed {@link #flush()} survives a
 * crash of jvmm (kill -9) and of the host.
 */
public interface BlockBackend extends AutoCloseable {

    /** Virtual size in bytes. */
    long size();

    /** Whether writes, discards and flushes are refused. */
    boolean isReadOnly();

    /** Fills {@code dst} (all its remaining bytes) from {@code offset}; out-of-range requests throw. */
    void read(long offset, ByteBuffer dst) throws IOException;

    /** Writes all remaining bytes of {@code src} at {@code offset}; out-of-range requests throw. */
    void write(long offset, ByteBuffer src) throws IOException;

    /** Makes every completed write durable. */
    void flush() throws IOException;

    /** Tells the backend the range is unused; later reads of it return zeros or the old data. */
    default void discard(long offset, long length) throws IOException {
    }

    @Override
    void close() throws IOException;
}

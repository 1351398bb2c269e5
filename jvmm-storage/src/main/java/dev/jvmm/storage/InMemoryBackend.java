package dev.jvmm.storage;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A disk held in memory, for tests of devices and machines. Storage is sparse (4 KiB pages
 * allocated on first write), so large virtual sizes cost nothing until written. Discard zeroes
 * whole pages. Counts flushes so tests can assert a device forwarded one.
 */
public final class InMemoryBackend implements BlockBackend {

    private static final int PAGE = 4096;

    private final long size;
    private final boolean readOnly;
    private final Map<Long, byte[]> pages = new HashMap<>();
    private final AtomicInteger flushes = new AtomicInteger();
    private boolean closed;

    public InMemoryBackend(long size, boolean readOnly) {
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
        this.size = size;
        this.readOnly = readOnly;
    }

    /** A writable disk of {@code size} zero bytes. */
    public InMemoryBackend(long size) {
        this(size, false);
    }

    /** A disk whose contents are a copy of {@code content}. */
    public static InMemoryBackend of(byte[] content, boolean readOnly) {
        InMemoryBackend b = new InMemoryBackend(content.length, false);
        b.put(0, ByteBuffer.wrap(content));
        return readOnly ? b.readOnlyCopy() : b;
    }

    /** A read-only copy of the current contents (works on a closed backend too). */
    public synchronized InMemoryBackend readOnlyCopy() {
        InMemoryBackend ro = new InMemoryBackend(size, true);
        pages.forEach((k, v) -> ro.pages.put(k, v.clone()));
        return ro;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    /** How many times {@link #flush()} completed. */
    public int flushCount() {
        return flushes.get();
    }

    @Override
    public synchronized void read(long offset, ByteBuffer dst) throws StorageException {
        ensureOpen();
        StorageException.checkRange(this, size, offset, dst.remaining());
        while (dst.hasRemaining()) {
            long page = offset / PAGE;
            int in = (int) (offset % PAGE);
            int n = Math.min(PAGE - in, dst.remaining());
            byte[] p = pages.get(page);
            if (p == null) {
                FileIo.fillZeros(dst, n);
            } else {
                dst.put(p, in, n);
            }
            offset += n;
        }
    }

    @Override
    public synchronized void write(long offset, ByteBuffer src) throws StorageException {
        ensureOpen();
        if (readOnly) {
            throw StorageException.readOnly(this);
        }
        StorageException.checkRange(this, size, offset, src.remaining());
        put(offset, src);
    }

    private void put(long offset, ByteBuffer src) {
        while (src.hasRemaining()) {
            long page = offset / PAGE;
            int in = (int) (offset % PAGE);
            int n = Math.min(PAGE - in, src.remaining());
            src.get(pages.computeIfAbsent(page, k -> new byte[PAGE]), in, n);
            offset += n;
        }
    }

    @Override
    public synchronized void flush() throws StorageException {
        ensureOpen();
        if (readOnly) {
            throw StorageException.readOnly(this);
        }
        flushes.incrementAndGet();
    }

    @Override
    public synchronized void discard(long offset, long length) throws StorageException {
        ensureOpen();
        if (readOnly) {
            throw StorageException.readOnly(this);
        }
        StorageException.checkRange(this, size, offset, length);
        long first = (offset + PAGE - 1) / PAGE;
        long end = (offset + length) / PAGE;
        for (long p = first; p < end; p++) {
            pages.remove(p);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
    }

    private void ensureOpen() throws StorageException {
        if (closed) {
            throw StorageException.closed(this);
        }
    }

    @Override
    public String toString() {
        return "InMemoryBackend[" + size + " bytes]";
    }
}

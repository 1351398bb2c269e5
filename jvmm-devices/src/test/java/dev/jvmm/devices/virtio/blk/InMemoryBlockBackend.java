package dev.jvmm.devices.virtio.blk;

import dev.jvmm.storage.BlockBackend;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A disk held in a byte array, for tests; counts flushes and records discards. */
public final class InMemoryBlockBackend implements BlockBackend {

    private final byte[] data;
    private final boolean readOnly;
    private int flushes;
    private final List<long[]> discards = new ArrayList<>();

    public InMemoryBlockBackend(int size, boolean readOnly) {
        this.data = new byte[size];
        this.readOnly = readOnly;
    }

    public byte[] data() {
        return data;
    }

    public int flushes() {
        return flushes;
    }

    public List<long[]> discards() {
        return discards;
    }

    @Override
    public long size() {
        return data.length;
    }

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    private void check(long offset, long length) throws IOException {
        if (offset < 0 || length < 0 || offset + length > data.length) {
            throw new IOException("out of range: " + offset + "+" + length);
        }
    }

    @Override
    public synchronized void read(long offset, ByteBuffer dst) throws IOException {
        check(offset, dst.remaining());
        dst.put(data, (int) offset, dst.remaining());
    }

    @Override
    public synchronized void write(long offset, ByteBuffer src) throws IOException {
        if (readOnly) {
            throw new IOException("read-only");
        }
        check(offset, src.remaining());
        src.get(data, (int) offset, src.remaining());
    }

    @Override
    public synchronized void flush() throws IOException {
        if (readOnly) {
            throw new IOException("read-only");
        }
        flushes++;
    }

    @Override
    public synchronized void discard(long offset, long length) throws IOException {
        check(offset, length);
        discards.add(new long[] {offset, length});
    }

    @Override
    public void close() {
    }
}

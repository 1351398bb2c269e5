package dev.jvmm.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A raw disk image: the file's bytes are the disk's bytes. The size is the file length at open
 * time. Positional I/O only, so concurrent requests need no lock. {@link #discard} is a no-op
 * (the contract allows reads of discarded ranges to return the old data).
 */
public final class RawImage implements BlockBackend {

    private final Path path;
    private final FileChannel channel;
    private final boolean readOnly;
    private final long size;
    private volatile boolean closed;

    private RawImage(Path path, FileChannel channel, boolean readOnly, long size) {
        this.path = path;
        this.channel = channel;
        this.readOnly = readOnly;
        this.size = size;
    }

    /** Opens an existing raw image. */
    public static RawImage open(Path path, boolean readOnly) throws IOException {
        FileChannel ch = readOnly
                ? FileChannel.open(path, StandardOpenOption.READ)
                : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            return new RawImage(path, ch, readOnly, ch.size());
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** Creates a new (sparse) raw image of {@code size} bytes; fails if the file exists. */
    public static void create(Path path, long size) throws IOException {
        if (size < 0) {
            throw new StorageException(StorageException.Reason.INVALID_ARGUMENT, path + ": negative size " + size);
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            if (size > 0) {
                ch.write(ByteBuffer.allocate(1), size - 1);
            }
            ch.force(true);
        }
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        ensureOpen();
        StorageException.checkRange(path, size, offset, dst.remaining());
        long pos = offset;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, pos);
            if (n < 0) {
                // The file shrank under us: the disk's size is fixed, so the tail reads as zeros.
                FileIo.fillZeros(dst, dst.remaining());
                return;
            }
            pos += n;
        }
    }

    @Override
    public void write(long offset, ByteBuffer src) throws IOException {
        ensureOpen();
        if (readOnly) {
            throw StorageException.readOnly(path);
        }
        StorageException.checkRange(path, size, offset, src.remaining());
        FileIo.writeFully(channel, src, offset);
    }

    @Override
    public void flush() throws IOException {
        ensureOpen();
        if (readOnly) {
            throw StorageException.readOnly(path);
        }
        channel.force(true);
    }

    @Override
    public void discard(long offset, long length) throws IOException {
        ensureOpen();
        if (readOnly) {
            throw StorageException.readOnly(path);
        }
        StorageException.checkRange(path, size, offset, length);
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        channel.close();
    }

    private void ensureOpen() throws StorageException {
        if (closed) {
            throw StorageException.closed(path);
        }
    }

    @Override
    public String toString() {
        return "RawImage[" + path + "]";
    }
}

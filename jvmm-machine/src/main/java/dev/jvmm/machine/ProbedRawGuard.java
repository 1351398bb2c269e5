package dev.jvmm.machine;

import dev.jvmm.storage.BlockBackend;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A writable raw disk whose format was probed, not given: refuses any write that would leave
 * the qcow2 magic in the first four bytes, so the guest cannot make the next probe read its
 * disk as a qcow2 image (whose header could name a host file as backing file). See
 * {@link DriveConfig}.
 */
final class ProbedRawGuard implements BlockBackend {

    /** "QFI\xfb", big-endian, as in the qcow2 header. */
    static final int QCOW2_MAGIC = 0x514649fb;

    private final BlockBackend disk;

    ProbedRawGuard(BlockBackend disk) {
        this.disk = disk;
    }

    @Override
    public long size() {
        return disk.size();
    }

    @Override
    public boolean isReadOnly() {
        return disk.isReadOnly();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        disk.read(offset, dst);
    }

    @Override
    public synchronized void write(long offset, ByteBuffer src) throws IOException {
        if (offset < 4 && offset >= 0 && size() >= 4) {
            // The first four bytes after this write: the old ones overlaid by the new.
            ByteBuffer head = ByteBuffer.allocate(4);
            disk.read(0, head);
            for (int i = 0; i < 4; i++) {
                long at = i - offset;
                if (at >= 0 && at < src.remaining()) {
                    head.put(i, src.get(src.position() + (int) at));
                }
            }
            if (head.getInt(0) == QCOW2_MAGIC) {
                throw new IOException("refused: a write of the qcow2 magic to sector 0 of a raw disk whose format"
                        + " was probed (attach it with format=raw)");
            }
        }
        disk.write(offset, src);
    }

    @Override
    public void flush() throws IOException {
        disk.flush();
    }

    @Override
    public void discard(long offset, long length) throws IOException {
        disk.discard(offset, length);
    }

    @Override
    public void close() throws IOException {
        disk.close();
    }
}

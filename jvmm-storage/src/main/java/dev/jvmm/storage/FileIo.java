package dev.jvmm.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Positional whole-buffer file I/O helpers. */
final class FileIo {

    private static final byte[] ZEROS = new byte[64 * 1024];

    private FileIo() {
    }

    /** Writes every remaining byte of {@code src} at {@code pos}. */
    static void writeFully(FileChannel ch, ByteBuffer src, long pos) throws IOException {
        while (src.hasRemaining()) {
            pos += ch.write(src, pos);
        }
    }

    /** Reads into every remaining byte of {@code dst} from {@code pos}; bytes past end of file read as zeros. */
    static void readFully(FileChannel ch, ByteBuffer dst, long pos) throws IOException {
        while (dst.hasRemaining()) {
            int n = ch.read(dst, pos);
            if (n < 0) {
                fillZeros(dst, dst.remaining());
                return;
            }
            pos += n;
        }
    }

    /** Puts {@code n} zero bytes into {@code dst}. */
    static void fillZeros(ByteBuffer dst, int n) {
        while (n > 0) {
            int k = Math.min(n, ZEROS.length);
            dst.put(ZEROS, 0, k);
            n -= k;
        }
    }
}

package dev.jvmm.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import dev.jvmm.storage.ImageFormat;
import dev.jvmm.storage.Qcow2Creator;
import dev.jvmm.storage.Qcow2Image;
import dev.jvmm.storage.RawImage;

/**
 * Copies a raw disk image into a new qcow2 image of the same size, cluster by cluster, leaving
 * clusters that are all zeros unallocated (they read as zeros in qcow2 too), so a mostly empty
 * filesystem image stays small.
 */
final class Qcow2Conversion {

    private Qcow2Conversion() {
    }

    /** Creates {@code qcow2} (which must not exist) from {@code raw}; returns the number of clusters written. */
    static long convert(Path raw, Path qcow2) throws IOException {
        int clusterSize = Qcow2Creator.DEFAULT_CLUSTER_SIZE;
        try (RawImage source = RawImage.open(raw, true)) {
            long size = source.size();
            Qcow2Image.create(qcow2, size, clusterSize, null, (ImageFormat) null);
            long written = 0;
            try (Qcow2Image target = Qcow2Image.open(qcow2, false)) {
                ByteBuffer buffer = ByteBuffer.allocate(clusterSize);
                for (long offset = 0; offset < size; offset += clusterSize) {
                    int length = (int) Math.min(clusterSize, size - offset);
                    buffer.clear().limit(length);
                    source.read(offset, buffer);
                    buffer.flip();
                    if (!allZero(buffer)) {
                        target.write(offset, buffer);
                        written++;
                    }
                }
                target.flush();
            }
            return written;
        }
    }

    private static boolean allZero(ByteBuffer b) {
        int i = b.position();
        int end = b.limit();
        for (; i + 8 <= end; i += 8) {
            if (b.getLong(i) != 0) {
                return false;
            }
        }
        for (; i < end; i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }
}

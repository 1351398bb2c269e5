package dev.jvmm.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/** Opens disk image files as {@link BlockBackend}s, probing the format when it is not given. */
public final class DiskImages {

    private DiskImages() {
    }

    /**
     * Opens {@code path}. {@code format} null means probe: files starting with the qcow2 magic
     * are qcow2, anything else is raw.
     */
    public static BlockBackend open(Path path, ImageFormat format, boolean readOnly) throws IOException {
        return open(path, format, readOnly, 0, new HashSet<>());
    }

    static BlockBackend open(Path path, ImageFormat format, boolean readOnly, int depth, Set<Path> chain)
            throws IOException {
        ImageFormat f = format != null ? format : probe(path);
        return switch (f) {
            case RAW -> RawImage.open(path, readOnly);
            case QCOW2 -> Qcow2Image.open(path, readOnly, depth, chain);
        };
    }

    /** The format of {@code path} judged by its first bytes: qcow2 magic, else raw. */
    public static ImageFormat probe(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer magic = ByteBuffer.allocate(4);
            FileIo.readFully(ch, magic, 0);
            return magic.getInt(0) == Qcow2Header.MAGIC && ch.size() >= 4 ? ImageFormat.QCOW2 : ImageFormat.RAW;
        }
    }
}

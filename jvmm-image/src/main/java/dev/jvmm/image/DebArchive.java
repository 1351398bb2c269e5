package dev.jvmm.image;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdUtils;
import org.tukaani.xz.XZInputStream;

/**
 * A Debian binary package: an {@code ar} archive whose {@code data.tar[.xz|.gz|.zst]} member
 * holds the files. Extraction keeps regular files only, and only those a filter accepts, and
 * refuses any path that would land outside the target directory.
 */
public final class DebArchive {

    private final Path deb;

    public DebArchive(Path deb) {
        this.deb = deb;
    }

    /**
     * Writes the package's regular files whose normalized path ({@code boot/vmlinux-6.12},
     * no leading {@code ./}) the filter accepts under {@code target}; returns those paths.
     */
    public List<String> extract(Path target, Predicate<String> wanted) throws ImageException {
        List<String> extracted = new ArrayList<>();
        try (InputStream file = new BufferedInputStream(Files.newInputStream(deb));
             ArArchiveInputStream ar = new ArArchiveInputStream(file)) {
            ArArchiveEntry member;
            while ((member = ar.getNextEntry()) != null) {
                String name = member.getName();
                if (!name.startsWith("data.tar")) {
                    continue;
                }
                try (InputStream tarStream = decompressor(name, ar);
                     TarArchiveInputStream tar = new TarArchiveInputStream(tarStream)) {
                    TarArchiveEntry entry;
                    while ((entry = tar.getNextEntry()) != null) {
                        String path = normalize(entry.getName());
                        if (!entry.isFile() || path.isEmpty() || !wanted.test(path)) {
                            continue;
                        }
                        Path out = target.resolve(path).normalize();
                        if (!out.startsWith(target.normalize())) {
                            throw new ImageException(deb.getFileName() + ": unsafe path in package: " + entry.getName());
                        }
                        Files.createDirectories(out.getParent());
                        Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                        extracted.add(path);
                    }
                }
                return extracted;
            }
        } catch (IOException e) {
            throw new ImageException("cannot read package " + deb.getFileName() + ": " + e.getMessage(), e);
        }
        throw new ImageException("package " + deb.getFileName() + " has no data.tar member");
    }

    /** The member stream must stay open for the caller; the returned wrapper closes nothing below it. */
    private InputStream decompressor(String member, InputStream in) throws IOException, ImageException {
        InputStream shielded = new NonClosingInputStream(in);
        return switch (member) {
            case "data.tar" -> shielded;
            case "data.tar.xz" -> new XZInputStream(new BufferedInputStream(shielded));
            case "data.tar.gz" -> new GZIPInputStream(shielded, 65536);
            case "data.tar.zst" -> {
                if (!ZstdUtils.isZstdCompressionAvailable()) {
                    throw new ImageException("package " + deb.getFileName()
                            + " uses zstd compression, which this jvmm build cannot read");
                }
                yield new ZstdCompressorInputStream(shielded);
            }
            default -> throw new ImageException("package " + deb.getFileName() + ": unsupported member " + member);
        };
    }

    private static String normalize(String tarName) {
        String n = tarName;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        while (n.startsWith("/")) {
            n = n.substring(1);
        }
        return n;
    }

    /** Lets a decompressor be closed without closing the ar member stream beneath it. */
    private static final class NonClosingInputStream extends java.io.FilterInputStream {
        NonClosingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
        }
    }
}

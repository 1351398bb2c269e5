package dev.jvmm.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NewcArchiveWriterTest {

    @TempDir
    Path tmp;

    private byte[] sampleArchive() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (NewcArchiveWriter cpio = new NewcArchiveWriter(bytes)) {
            cpio.addDirectory("bin", 0755);
            cpio.addFile("bin/busybox", 0755, "#!fake busybox\n".getBytes(StandardCharsets.UTF_8));
            cpio.addSymlink("bin/sh", "busybox");
            cpio.addFile("etc/motd", 0640, "hello\n".getBytes(StandardCharsets.UTF_8));
            cpio.addCharDevice("dev/console", 0600, 5, 1);
            cpio.addBlockDevice("dev/vda", 0660, 254, 0);
            cpio.addDirectory("tmp", 01777);
            cpio.addFile("empty", 0644, new byte[0]);
        }
        return bytes.toByteArray();
    }

    private static String run(Path dir, byte[] stdin, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().write(stdin);
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void cpioListsEveryEntryIncludingAddedParents() throws Exception {
        String listing = run(tmp, sampleArchive(), "cpio", "-t", "--quiet");
        assertThat(listing.lines().toList()).containsExactly(
                "bin", "bin/busybox", "bin/sh", "etc", "etc/motd", "dev", "dev/console", "dev/vda", "tmp", "empty");
    }

    @Test
    void verboseListingShowsModesSymlinkTargetsAndDeviceNumbers() throws Exception {
        String listing = run(tmp, sampleArchive(), "cpio", "-tv", "--quiet");
        assertThat(listing).containsPattern("(?m)^drwxr-xr-x .* bin$");
        assertThat(listing).containsPattern("(?m)^-rwxr-xr-x .* bin/busybox$");
        assertThat(listing).containsPattern("(?m)^lrwxrwxrwx .* bin/sh -> busybox$");
        assertThat(listing).containsPattern("(?m)^-rw-r----- .* etc/motd$");
        assertThat(listing).containsPattern("(?m)^crw------- .* 5, +1 .* dev/console$");
        assertThat(listing).containsPattern("(?m)^brw-rw---- .* 254, +0 .* dev/vda$");
        assertThat(listing).containsPattern("(?m)^drwxrwxrwt .* tmp$");
    }

    @Test
    void cpioExtractsFilesSymlinksAndModes() throws Exception {
        Path out = Files.createDirectory(tmp.resolve("out"));
        // Device nodes need privileges to create; extract everything else.
        run(out, sampleArchive(), "cpio", "-i", "-d", "--quiet", "--no-absolute-filenames", "bin/*", "etc/*", "empty");
        assertThat(Files.readString(out.resolve("bin/busybox"))).isEqualTo("#!fake busybox\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("bin/busybox"))))
                .isEqualTo("rwxr-xr-x");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("etc/motd"))))
                .isEqualTo("rw-r-----");
        assertThat(Files.isSymbolicLink(out.resolve("bin/sh"))).isTrue();
        assertThat(Files.readSymbolicLink(out.resolve("bin/sh"))).isEqualTo(Path.of("busybox"));
        assertThat(Files.size(out.resolve("empty"))).isZero();
    }

    @Test
    void everyHeaderStartsOnAFourByteBoundaryAndTheArchiveEndsWithTheTrailer() throws IOException {
        byte[] archive = sampleArchive();
        String text = new String(archive, StandardCharsets.ISO_8859_1);
        int entries = 0;
        for (int i = text.indexOf(NewcArchiveWriter.MAGIC); i >= 0; i = text.indexOf(NewcArchiveWriter.MAGIC, i + 1)) {
            assertThat(i % 4).as("header at %d", i).isZero();
            entries++;
        }
        assertThat(entries).isEqualTo(11);
        assertThat(archive.length % 4).isZero();
        assertThat(text).contains("TRAILER!!!\0");
        assertThat(text.lastIndexOf(NewcArchiveWriter.MAGIC)).isEqualTo(text.indexOf("TRAILER!!!") - 110);
    }

    @Test
    void rejectsDuplicatesAndNamesThatEscapeTheRoot() throws IOException {
        try (NewcArchiveWriter cpio = new NewcArchiveWriter(new ByteArrayOutputStream())) {
            cpio.addFile("a", 0644, new byte[1]);
            assertThatThrownBy(() -> cpio.addFile("a", 0644, new byte[1])).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> cpio.addFile("../etc/passwd", 0644, new byte[1]))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> cpio.addDirectory("x/./y", 0755)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void leadingSlashIsDroppedSoNamesAreRelative() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (NewcArchiveWriter cpio = new NewcArchiveWriter(bytes)) {
            cpio.addFile("/init", 0755, new byte[] {'x'});
        }
        assertThat(run(tmp, bytes.toByteArray(), "cpio", "-t", "--quiet").lines().toList()).isEqualTo(List.of("init"));
    }
}

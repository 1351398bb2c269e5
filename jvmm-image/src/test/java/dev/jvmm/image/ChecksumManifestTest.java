package dev.jvmm.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checking a cached image's files against its SHA256SUMS, and not hashing them again while they are unchanged. */
class ChecksumManifestTest {

    @TempDir
    Path dir;

    private ChecksumManifest manifestOf(String... files) throws IOException {
        for (String f : files) {
            Files.writeString(dir.resolve(f), "contents of " + f + "\n".repeat(1000));
        }
        ChecksumManifest m = ChecksumManifest.compute(dir, List.of(files));
        m.write(dir);
        return ChecksumManifest.read(dir).orElseThrow();
    }

    /** Files written more than this long ago count as settled here (the product waits 2 s). */
    private static final Duration SETTLED = Duration.ofMillis(50);

    /** Files hashed by a check of {@code m}, which must find no mismatch; waits until the files are settled. */
    private long hashedByACleanCheck(ChecksumManifest m) throws IOException {
        try {
            Thread.sleep(SETTLED.toMillis() * 2);
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
        long before = ChecksumManifest.filesHashed.get();
        assertThat(m.mismatches(dir, SETTLED)).isEmpty();
        return ChecksumManifest.filesHashed.get() - before;
    }

    @Test
    void aCheckOfUnchangedFilesHashesNoneAfterOneFoundThemAllMatching() throws IOException {
        ChecksumManifest m = manifestOf("Image", "initramfs");
        assertThat(hashedByACleanCheck(m)).isEqualTo(2);
        assertThat(hashedByACleanCheck(m)).isZero();
        assertThat(hashedByACleanCheck(ChecksumManifest.read(dir).orElseThrow())).isZero();
    }

    @Test
    void aFileRewrittenWithItsSizeAndModificationTimeKeptIsHashedAndFoundChanged() throws IOException {
        ChecksumManifest m = manifestOf("Image", "initramfs");
        hashedByACleanCheck(m);
        Path image = dir.resolve("Image");
        FileTime modified = Files.getLastModifiedTime(image);
        String text = Files.readString(image);
        Files.writeString(image, "C" + text.substring(1)); // same size
        Files.setLastModifiedTime(image, modified);
        assertThat(m.mismatches(dir, SETTLED)).containsExactly("Image");
    }

    @Test
    void aMissingOrDamagedFileIsReportedAfterAVerifiedCheck() throws IOException {
        ChecksumManifest m = manifestOf("Image", "initramfs", "busybox");
        hashedByACleanCheck(m);
        Files.delete(dir.resolve("busybox"));
        Files.writeString(dir.resolve("initramfs"), "truncated");
        assertThat(m.mismatches(dir, SETTLED)).containsExactly("initramfs", "busybox");
    }

    @Test
    void aNewManifestIsCheckedInFull() throws IOException {
        hashedByACleanCheck(manifestOf("Image", "initramfs"));
        ChecksumManifest other = ChecksumManifest.compute(dir, List.of("initramfs", "Image"));
        other.write(dir);
        assertThat(hashedByACleanCheck(ChecksumManifest.read(dir).orElseThrow())).isEqualTo(2);
    }

    @Test
    void filesChangedWithinTheSettlingTimeAreHashedAtEveryCheck() throws IOException {
        ChecksumManifest m = manifestOf("Image", "initramfs");
        long before = ChecksumManifest.filesHashed.get();
        // Both files were written less than an hour ago: neither may be recorded as verified.
        assertThat(m.mismatches(dir, Duration.ofHours(1))).isEmpty();
        assertThat(m.mismatches(dir, Duration.ofHours(1))).isEmpty();
        assertThat(ChecksumManifest.filesHashed.get() - before).as("files hashed by the two checks").isEqualTo(4);
        assertThat(dir.resolve(ChecksumManifest.VERIFIED_FILE)).doesNotExist();
    }
}

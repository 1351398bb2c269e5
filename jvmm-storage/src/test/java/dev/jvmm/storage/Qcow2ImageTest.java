package dev.jvmm.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The backend contract on a jvmm-created qcow2 image (4 KiB clusters), plus qcow2 specifics that need no qemu. */
class Qcow2ImageTest extends AbstractBlockBackendTest {

    private Path file;

    @Override
    BlockBackend newBackend() throws IOException {
        file = dir.resolve("disk" + System.nanoTime() + ".qcow2");
        Qcow2Image.create(file, SIZE, 4096, null, null);
        return Qcow2Image.open(file, false);
    }

    @Override
    BlockBackend reopenReadOnly(BlockBackend writable) throws IOException {
        return Qcow2Image.open(file, true);
    }

    @Test
    void dataSurvivesCloseAndReopen() throws IOException {
        byte[] data = random(50_000, 11);
        try (BlockBackend b = newBackend()) {
            b.write(777, ByteBuffer.wrap(data));
        }
        try (BlockBackend b = DiskImages.open(file, null, false)) {
            assertThat(b).isInstanceOf(Qcow2Image.class);
            assertThat(read(b, 777, data.length)).isEqualTo(data);
        }
    }

    @Test
    void discardWithoutBackingReadsZerosAndFreesClusters() throws IOException {
        try (BlockBackend b = newBackend()) {
            b.write(0, ByteBuffer.wrap(random(64 * 1024, 12)));
            b.flush();
            b.discard(4096, 16 * 4096);
            assertThat(read(b, 4096, 16 * 4096)).containsOnly(0);
        }
        try (BlockBackend b = Qcow2Image.open(file, false)) {
            assertThat(read(b, 4096, 16 * 4096)).containsOnly(0);
            b.write(SIZE / 2, ByteBuffer.wrap(random(16 * 4096, 13)));
        }
        long sizeAfter = Files.size(file);
        // 4 KiB clusters: header, reftable, refblock, L1, L2, 16 data clusters; the 16 freed ones
        // are reused by the second write (which needs one more L2 table).
        assertThat(sizeAfter).isLessThanOrEqualTo(22 * 4096);
    }

    @Test
    void overBackingFileUnwrittenPartsComeFromBackingAndDiscardGivesZeros() throws IOException {
        Path base = dir.resolve("base.raw");
        byte[] baseData = random((int) SIZE, 14);
        Files.write(base, baseData);
        Path top = dir.resolve("top.qcow2");
        Qcow2Image.create(top, -1, 4096, "base.raw", ImageFormat.RAW);
        try (Qcow2Image b = Qcow2Image.open(top, false)) {
            assertThat(b.size()).isEqualTo(SIZE);
            assertThat(b.backingFile()).contains("base.raw");
            b.write(4096 + 100, ByteBuffer.wrap(new byte[] {1, 2, 3}));
            byte[] got = read(b, 4096, 4096);
            byte[] expected = java.util.Arrays.copyOfRange(baseData, 4096, 8192);
            expected[100] = 1;
            expected[101] = 2;
            expected[102] = 3;
            assertThat(got).isEqualTo(expected);
            b.discard(8192, 8192);
            assertThat(read(b, 8192, 8192)).containsOnly(0);
            assertThat(read(b, 16384, 4096)).isEqualTo(java.util.Arrays.copyOfRange(baseData, 16384, 20480));
        }
        assertThat(Files.readAllBytes(base)).isEqualTo(baseData);
    }

    @Test
    void backingChainThatLoopsIsRefused() throws IOException {
        Path a = dir.resolve("a.qcow2");
        Path b = dir.resolve("b.qcow2");
        Qcow2Image.create(dir.resolve("x.qcow2"), SIZE, 4096, null, null);
        Qcow2Image.create(a, SIZE, 4096, "x.qcow2", ImageFormat.QCOW2);
        Qcow2Image.create(b, SIZE, 4096, "x.qcow2", ImageFormat.QCOW2);
        // Same-length renames in the headers: a -> b -> a.
        replaceName(a, "x.qcow2", "b.qcow2");
        replaceName(b, "x.qcow2", "a.qcow2");
        assertThatThrownBy(() -> Qcow2Image.open(a, true))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("backing chain");
    }

    private static void replaceName(Path image, String from, String to) throws IOException {
        byte[] bytes = Files.readAllBytes(image);
        String s = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = s.indexOf(from);
        assertThat(at).isPositive();
        System.arraycopy(to.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 0, bytes, at, to.length());
        Files.write(image, bytes);
    }

    @Test
    void missingBackingFileIsNamedInTheError() throws IOException {
        Path base = dir.resolve("base.raw");
        Files.write(base, new byte[4096]);
        Path top = dir.resolve("top.qcow2");
        Qcow2Image.create(top, -1, 4096, "base.raw", ImageFormat.RAW);
        Files.delete(base);
        assertThatThrownBy(() -> Qcow2Image.open(top, true))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("base.raw");
    }

    @Test
    void growingPastTheRefcountTableCoverageKeepsEverythingAndPassesCheck() throws Exception {
        // 512-byte clusters: one refcount block covers 128 KiB and the one-cluster table 8 MiB.
        Path f = dir.resolve("small-clusters.qcow2");
        Qcow2Image.create(f, 12 << 20, 512, null, null);
        byte[] data = random(10 << 20, 15);
        try (Qcow2Image b = Qcow2Image.open(f, false)) {
            b.write(0, ByteBuffer.wrap(data));
            b.flush();
            assertThat(read(b, 0, data.length)).isEqualTo(data);
        }
        try (Qcow2Image b = Qcow2Image.open(f, true)) {
            assertThat(read(b, 0, data.length)).isEqualTo(data);
        }
        QemuTools.assertCheckClean(f);
        ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(f), 0, 64);
        assertThat(header.getInt(56)).as("refcount_table_clusters after growth").isGreaterThan(1);
        assertThat(header.getLong(48)).as("refcount table moved").isNotEqualTo(512L);
    }
}

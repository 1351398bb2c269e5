package dev.jvmm.storage;

import static dev.jvmm.storage.QemuTools.assertCheckClean;
import static dev.jvmm.storage.QemuTools.assertSameContents;
import static dev.jvmm.storage.QemuTools.ok;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Interoperability with QEMU's qemu-img and qemu-io: images made by one side, used by the other. */
class Qcow2InteropTest {

    private static final long SIZE = 8 << 20;

    @TempDir
    Path dir;

    /** Applies the same seeded random writes (unaligned, some crossing clusters) to the image and a raw reference. */
    private static void randomWrites(BlockBackend image, Path rawReference, long seed, int count) throws IOException {
        Random rnd = new Random(seed);
        try (FileChannel raw = FileChannel.open(rawReference, StandardOpenOption.WRITE)) {
            for (int i = 0; i < count; i++) {
                int len = 1 + rnd.nextInt(rnd.nextBoolean() ? 600 : 150_000);
                long off = (long) (rnd.nextDouble() * (image.size() - len));
                byte[] data = new byte[len];
                rnd.nextBytes(data);
                image.write(off, ByteBuffer.wrap(data));
                FileIo.writeFully(raw, ByteBuffer.wrap(data), off);
            }
        }
    }

    private static byte[] readAll(BlockBackend b) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) b.size());
        b.read(0, buf);
        return buf.array();
    }

    private Path rawCopyOf(Path qcow2, String name) throws Exception {
        Path raw = dir.resolve(name);
        ok("qemu-img", "convert", "-f", "qcow2", "-O", "raw", qcow2.toString(), raw.toString());
        return raw;
    }

    @ParameterizedTest(name = "{0} clusters {1}")
    @CsvSource({"compat=0.10, 65536", "compat=1.1, 65536", "compat=1.1, 512", "compat=1.1, 4096",
            "compat=1.1, 2097152", "compat=0.10, 4096", "'compat=1.1,lazy_refcounts=on', 65536",
            "'compat=1.1,preallocation=metadata', 4096", "'compat=0.10,preallocation=metadata', 65536"})
    void jvmmWritesToQemuCreatedImagePassCheckAndCompare(String compat, int clusterSize) throws Exception {
        Path img = dir.resolve("img.qcow2");
        ok("qemu-img", "create", "-q", "-f", "qcow2", "-o", compat + ",cluster_size=" + clusterSize,
                img.toString(), String.valueOf(SIZE));
        Path ref = dir.resolve("ref.raw");
        RawImage.create(ref, SIZE);
        try (Qcow2Image q = Qcow2Image.open(img, false)) {
            assertThat(q.version()).isEqualTo(compat.startsWith("compat=0.10") ? 2 : 3);
            assertThat(q.clusterSize()).isEqualTo(clusterSize);
            randomWrites(q, ref, clusterSize, 40);
            q.flush();
            q.discard(SIZE / 2, SIZE / 8);
            zeroRange(ref, SIZE / 2, SIZE / 8, clusterSize);
            randomWrites(q, ref, clusterSize + 1, 10);
        }
        assertCheckClean(img);
        assertSameContents(img, ref);
    }

    /** Discard on an image without backing unmaps whole clusters; mirror that on the reference. */
    private static void zeroRange(Path raw, long off, long len, int clusterSize) throws IOException {
        long first = (off + clusterSize - 1) / clusterSize * clusterSize;
        long end = (off + len) / clusterSize * clusterSize;
        try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.WRITE)) {
            if (end > first) {
                FileIo.writeFully(ch, ByteBuffer.allocate((int) (end - first)), first);
            }
        }
    }

    @Test
    void jvmmCreatedImageIsAcceptedAndReadByQemu() throws Exception {
        Path img = dir.resolve("new.qcow2");
        Qcow2Image.create(img, SIZE, Qcow2Creator.DEFAULT_CLUSTER_SIZE, null, null);
        assertCheckClean(img);
        String info = ok("qemu-img", "info", "-f", "qcow2", img.toString());
        assertThat(info).contains("virtual size: 8 MiB").contains("compat: 1.1").contains("cluster_size: 65536");
        Path ref = dir.resolve("ref.raw");
        RawImage.create(ref, SIZE);
        try (Qcow2Image q = Qcow2Image.open(img, false)) {
            randomWrites(q, ref, 99, 30);
        }
        assertCheckClean(img);
        assertSameContents(img, ref);
    }

    @Test
    void jvmmCreatedOverlayNamesItsBackingFileForQemu() throws Exception {
        Path base = dir.resolve("base.qcow2");
        ok("qemu-img", "create", "-q", "-f", "qcow2", base.toString(), String.valueOf(SIZE));
        ok("qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 0 3M", "-c", "write -P 0xa5 5M 100k", base.toString());
        Path top = dir.resolve("top.qcow2");
        Qcow2Image.create(top, -1, 65536, "base.qcow2", null);
        String info = ok("qemu-img", "info", top.toString());
        assertThat(info).contains("backing file: base.qcow2").contains("backing file format: qcow2")
                .contains("virtual size: 8 MiB");
        Path ref = rawCopyOf(base, "ref.raw");
        try (BlockBackend q = DiskImages.open(top, null, false)) {
            randomWrites(q, ref, 5, 30);
        }
        assertCheckClean(top);
        ok("qemu-img", "compare", "-f", "qcow2", "-F", "raw", top.toString(), ref.toString());
    }

    @Test
    void jvmmWritesIntoQemuOverlayCopyOnWriteFromBacking() throws Exception {
        Path base = dir.resolve("base.raw");
        byte[] baseData = new byte[(int) SIZE];
        new Random(3).nextBytes(baseData);
        Files.write(base, baseData);
        Path top = dir.resolve("top.qcow2");
        ok("qemu-img", "create", "-q", "-f", "qcow2", "-o", "cluster_size=4096", "-b", "base.raw", "-F", "raw",
                top.toString());
        Path ref = dir.resolve("ref.raw");
        Files.write(ref, baseData);
        try (BlockBackend q = DiskImages.open(top, null, false)) {
            assertThat(readAll(q)).isEqualTo(baseData);
            randomWrites(q, ref, 6, 40);
            q.flush();
            // v3 over backing: discard sets zero clusters, so the range must read as zeros.
            q.discard(1 << 20, 1 << 20);
            zeroRange(ref, 1 << 20, 1 << 20, 4096);
        }
        assertCheckClean(top);
        assertSameContents(top, ref);
        assertThat(Files.readAllBytes(base)).isEqualTo(baseData);
    }

    @Test
    void qemuIoWrittenImageWithZeroClustersReadsCorrectly() throws Exception {
        Path base = dir.resolve("base.qcow2");
        ok("qemu-img", "create", "-q", "-f", "qcow2", base.toString(), String.valueOf(SIZE));
        ok("qemu-io", "-f", "qcow2", "-c", "write -P 0x11 0 8M", base.toString());
        Path top = dir.resolve("top.qcow2");
        ok("qemu-img", "create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", top.toString());
        ok("qemu-io", "-f", "qcow2", "-c", "write -P 0x22 100k 300k", "-c", "write -z 1M 1M",
                "-c", "write -z 3M 4k", "-c", "discard 6M 1M", top.toString());
        Path expected = rawCopyOf(top, "expected.raw");
        try (BlockBackend q = DiskImages.open(top, null, true)) {
            assertThat(readAll(q)).isEqualTo(Files.readAllBytes(expected));
        }
    }

    @Test
    void compressedImageFromConvertReadsCorrectlyAndPartialWritesDecompressFirst() throws Exception {
        Path src = dir.resolve("src.raw");
        byte[] data = new byte[(int) SIZE];
        Random rnd = new Random(8);
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i % 251 == 0 ? rnd.nextInt() : (i / 4096) % 7);
        }
        Files.write(src, data);
        for (String clusterSize : new String[] {"65536", "4096"}) {
            Path img = dir.resolve("c" + clusterSize + ".qcow2");
            ok("qemu-img", "convert", "-c", "-f", "raw", "-O", "qcow2", "-o", "cluster_size=" + clusterSize,
                    src.toString(), img.toString());
            try (BlockBackend q = DiskImages.open(img, null, true)) {
                assertThat(readAll(q)).isEqualTo(data);
            }
            Path ref = dir.resolve("ref" + clusterSize + ".raw");
            Files.write(ref, data);
            try (BlockBackend q = DiskImages.open(img, null, false)) {
                randomWrites(q, ref, 7, 40);
                q.discard(4 << 20, 1 << 20);
                zeroRange(ref, 4 << 20, 1 << 20, Integer.parseInt(clusterSize));
            }
            assertCheckClean(img);
            assertSameContents(img, ref);
        }
    }

    @Test
    void refcountOrderOtherThan16BitsIsReadAndWritten() throws Exception {
        for (String order : new String[] {"1", "8", "64"}) {
            Path img = dir.resolve("r" + order + ".qcow2");
            ok("qemu-img", "create", "-q", "-f", "qcow2", "-o", "refcount_bits=" + order + ",cluster_size=4096",
                    img.toString(), String.valueOf(SIZE));
            Path ref = dir.resolve("r" + order + ".raw");
            RawImage.create(ref, SIZE);
            try (BlockBackend q = DiskImages.open(img, null, false)) {
                randomWrites(q, ref, 9, 20);
            }
            assertCheckClean(img);
            assertSameContents(img, ref);
        }
    }
}

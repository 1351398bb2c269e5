package dev.jvmm.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile or damaged images fail with a one-line StorageException naming the file, never a runtime exception. */
class Qcow2HostileImageTest {

    private static final int CLUSTER = 4096;

    @TempDir
    Path dir;

    private Path image() throws IOException {
        Path p = dir.resolve("img" + System.nanoTime() + ".qcow2");
        Qcow2Image.create(p, 1 << 20, CLUSTER, null, null);
        return p;
    }

    /** An image with guest cluster 0 written, so an L2 table and a data cluster exist. */
    private Path imageWithData() throws IOException {
        Path p = image();
        try (Qcow2Image q = Qcow2Image.open(p, false)) {
            q.write(0, ByteBuffer.wrap(new byte[] {9}));
        }
        return p;
    }

    private static void patch(Path p, long offset, ByteBuffer bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            FileIo.writeFully(ch, bytes, offset);
        }
    }

    private static void patchInt(Path p, long offset, int v) throws IOException {
        patch(p, offset, ByteBuffer.allocate(4).putInt(0, v));
    }

    private static void patchLong(Path p, long offset, long v) throws IOException {
        patch(p, offset, ByteBuffer.allocate(8).putLong(0, v));
    }

    private static long readLong(Path p, long offset) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(8);
            FileIo.readFully(ch, b, offset);
            return b.getLong(0);
        }
    }

    private static void assertRefusedOnOpen(Path p, StorageException.Reason reason, String messagePart) {
        assertThatThrownBy(() -> Qcow2Image.open(p, true))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining(p.toString())
                .hasMessageContaining(messagePart)
                .satisfies(e -> assertThat(((StorageException) e).reason()).isEqualTo(reason))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    private static void assertReadFails(Path p, String messagePart) throws IOException {
        try (Qcow2Image q = Qcow2Image.open(p, true)) {
            assertThatThrownBy(() -> q.read(0, ByteBuffer.allocate(512)))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining(messagePart);
        }
    }

    @Test
    void hugeL1SizeIsRefusedWithoutAllocating() throws IOException {
        Path p = image();
        patchInt(p, 36, 0x7fff_ffff);
        assertRefusedOnOpen(p, StorageException.Reason.CORRUPT, "l1_size");
    }

    @Test
    void l1TablePastEndOfFileIsRefused() throws IOException {
        Path p = image();
        patchLong(p, 40, 1L << 40);
        assertRefusedOnOpen(p, StorageException.Reason.CORRUPT, "L1 table");
    }

    @Test
    void unalignedRefcountTableIsRefused() throws IOException {
        Path p = image();
        patchLong(p, 48, CLUSTER + 8);
        assertRefusedOnOpen(p, StorageException.Reason.CORRUPT, "refcount table");
    }

    @Test
    void hugeRefcountTableIsRefused() throws IOException {
        Path p = image();
        patchInt(p, 56, -1);
        assertRefusedOnOpen(p, StorageException.Reason.CORRUPT, "refcount_table_clusters");
    }

    @Test
    void unknownIncompatibleFeatureBitIsRefusedByName() throws Exception {
        Path p = image();
        patchLong(p, 72, 1L << 40);
        assertRefusedOnOpen(p, StorageException.Reason.UNSUPPORTED, "unknown incompatible feature bit 40");
    }

    @Test
    void externalDataFileAndExtendedL2AndEncryptionAreUnsupported() throws IOException {
        Path a = image();
        patchLong(a, 72, Qcow2Header.INCOMPAT_EXTERNAL_DATA);
        assertRefusedOnOpen(a, StorageException.Reason.UNSUPPORTED, "external data file");
        Path b = image();
        patchLong(b, 72, Qcow2Header.INCOMPAT_EXTENDED_L2);
        assertRefusedOnOpen(b, StorageException.Reason.UNSUPPORTED, "extended L2");
        Path c = image();
        patchInt(c, 32, 2);
        assertRefusedOnOpen(c, StorageException.Reason.UNSUPPORTED, "encrypted");
    }

    @Test
    void qemuEncryptedImageIsUnsupported() throws Exception {
        Path p = dir.resolve("enc.qcow2");
        String[] create = {"qemu-img", "create", "-q", "-f", "qcow2", "--object", "secret,id=s0,data=pw",
                "-o", "encrypt.format=luks,encrypt.key-secret=s0,encrypt.iter-time=10", p.toString(), "1M"};
        // qemu-img times its key derivation by the thread's CPU time; on a loaded shared host
        // that measurement sometimes fails ("Unable to get accurate CPU usage"): try again.
        QemuTools.Result r = QemuTools.run(create);
        for (int attempt = 1; attempt < 5 && r.exitCode() != 0 && r.output().contains("accurate CPU usage"); attempt++) {
            Files.deleteIfExists(p);
            r = QemuTools.run(create);
        }
        assertThat(r.exitCode()).as("qemu-img create: %s", r.output()).isZero();
        assertRefusedOnOpen(p, StorageException.Reason.UNSUPPORTED, "encrypted");
    }

    @Test
    void badClusterBitsAndVersionAndMagicAreRefused() throws IOException {
        Path a = image();
        patchInt(a, 20, 30);
        assertRefusedOnOpen(a, StorageException.Reason.CORRUPT, "cluster_bits");
        Path b = image();
        patchInt(b, 4, 7);
        assertRefusedOnOpen(b, StorageException.Reason.UNSUPPORTED, "version 7");
        Path c = dir.resolve("short.qcow2");
        Files.write(c, new byte[] {'Q', 'F', 'I', (byte) 0xfb, 0, 0, 0, 3});
        assertRefusedOnOpen(c, StorageException.Reason.CORRUPT, "too short");
    }

    @Test
    void headerExtensionRunningPastTheFirstClusterIsRefused() throws IOException {
        Path p = image();
        patchInt(p, 112, 0x12345678);
        patchInt(p, 116, 1 << 30);
        assertRefusedOnOpen(p, StorageException.Reason.CORRUPT, "header extension");
    }

    @Test
    void unknownHeaderExtensionIsIgnored() throws IOException {
        Path p = image();
        patchInt(p, 112, 0x12345678);
        patchInt(p, 116, 5);
        patchLong(p, 120, 0x4142434445000000L);
        try (Qcow2Image q = Qcow2Image.open(p, true)) {
            assertThat(q.size()).isEqualTo(1 << 20);
        }
    }

    @Test
    void backingFileNameOutsideFirstClusterIsRefused() throws IOException {
        Path p = image();
        patchLong(p, 8, CLUSTER - 4);
        patchInt(p, 16, 100);
        assertRefusedOnOpen(p, StorageException.Reason.CORRUPT, "backing file name");
    }

    @Test
    void l2TableOffsetPastEndOfFileFailsTheRead() throws IOException {
        Path p = imageWithData();
        long l1 = readLong(p, 40);
        patchLong(p, l1, Qcow2Image.COPIED | (1L << 40));
        assertReadFails(p, "L2 table offset");
    }

    @Test
    void unalignedDataClusterOffsetFailsTheRead() throws IOException {
        Path p = imageWithData();
        long l2 = readLong(p, readLong(p, 40)) & Qcow2Image.OFFSET_MASK;
        long entry = readLong(p, l2);
        patchLong(p, l2, entry + 512);
        assertReadFails(p, "data cluster offset");
    }

    @Test
    void garbageCompressedClusterFailsTheRead() throws IOException {
        Path p = imageWithData();
        long l2 = readLong(p, readLong(p, 40)) & Qcow2Image.OFFSET_MASK;
        // Compressed entry pointing at the header cluster's second sector: not deflate data.
        patchLong(p, l2, Qcow2Image.COMPRESSED | 1024);
        assertReadFails(p, "compressed cluster");
        patchLong(p, l2, Qcow2Image.COMPRESSED | (1L << 40));
        assertReadFails(p, "compressed cluster");
    }

    @Test
    void corruptBitAllowsReadOnlyOpenButRefusesWritableOpen() throws IOException {
        Path p = imageWithData();
        patchLong(p, 72, Qcow2Header.INCOMPAT_CORRUPT);
        try (Qcow2Image q = Qcow2Image.open(p, true)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            q.read(0, b);
            assertThat(b.get(0)).isEqualTo((byte) 9);
        }
        assertThatThrownBy(() -> Qcow2Image.open(p, false))
                .isInstanceOf(StorageException.class).hasMessageContaining("marked corrupt");
    }

    @Test
    void dirtyBitRefusesWritableOpenWithRepairAdvice() throws IOException {
        Path p = image();
        patchLong(p, 72, Qcow2Header.INCOMPAT_DIRTY);
        assertThatThrownBy(() -> Qcow2Image.open(p, false))
                .isInstanceOf(StorageException.class).hasMessageContaining("qemu-img check -r all");
        Qcow2Image.open(p, true).close();
    }

    @Test
    void imageWithInternalSnapshotOpensReadOnlyOnly() throws Exception {
        Path p = dir.resolve("snap.qcow2");
        QemuTools.ok("qemu-img", "create", "-q", "-f", "qcow2", p.toString(), "1M");
        QemuTools.ok("qemu-io", "-f", "qcow2", "-c", "write -P 0x33 0 64k", p.toString());
        QemuTools.ok("qemu-img", "snapshot", "-c", "s1", p.toString());
        assertThatThrownBy(() -> Qcow2Image.open(p, false))
                .isInstanceOf(StorageException.class).hasMessageContaining("snapshots");
        try (Qcow2Image q = Qcow2Image.open(p, true)) {
            ByteBuffer b = ByteBuffer.allocate(65536);
            q.read(0, b);
            assertThat(b.array()).containsOnly(0x33);
        }
    }
}

package dev.jvmm.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * kill -9 of a process writing to a qcow2 image: qemu-img check must find no corruption (leaks
 * are allowed) and every write completed before the last acknowledged flush must be readable.
 */
class Qcow2CrashTest {

    private static final byte[] ZEROS = new byte[Qcow2CrashWriter.SLOT];
    private static final int SECTOR = 512;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "cluster {0}, virtual {1} MiB, kill after flush #{2}")
    @CsvSource({"65536, 64, 5", "65536, 64, 60", "4096, 16, 40", "512, 16, 300"})
    void killDuringWritesLeavesConsistentImageWithFlushedData(int clusterSize, int sizeMiB, int killAfterFlushes)
            throws Exception {
        Path img = dir.resolve("crash.qcow2");
        long size = (long) sizeMiB << 20;
        Qcow2Image.create(img, size, clusterSize, null, null);

        String classpath = location(Qcow2CrashWriter.class) + File.pathSeparator + location(Qcow2Image.class);
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process child = new ProcessBuilder(java, "-cp", classpath, Qcow2CrashWriter.class.getName(), img.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        int lastFlushed = -1;
        int flushes = 0;
        boolean done = false;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("F ")) {
                    lastFlushed = Integer.parseInt(line.substring(2));
                    if (++flushes == killAfterFlushes) {
                        // SIGKILL through the handle (Process.destroyForcibly would also close our pipe).
                        child.toHandle().destroyForcibly();
                    }
                } else if (line.equals("DONE")) {
                    done = true;
                }
            }
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(done).as("child finished before it could be killed; kill earlier").isFalse();
        assertThat(lastFlushed).isGreaterThanOrEqualTo(killAfterFlushes * Qcow2CrashWriter.FLUSH_EVERY - 1);

        QemuTools.Result check = QemuTools.check(img);
        assertThat(check.exitCode()).as("qemu-img check (0 clean, 3 leaks only):\n%s", check.output()).isIn(0, 3);
        assertThat(check.output()).doesNotContain("ERROR");

        try (Qcow2Image q = Qcow2Image.open(img, true)) {
            for (int i = 0; i < size / Qcow2CrashWriter.SLOT; i++) {
                ByteBuffer buf = ByteBuffer.allocate(Qcow2CrashWriter.SLOT);
                q.read(Qcow2CrashWriter.slotOffset(i, size), buf);
                byte[] expected = Qcow2CrashWriter.pattern(i);
                byte[] got = buf.array();
                if (i <= lastFlushed) {
                    if (!Arrays.equals(got, expected)) {
                        fail("slot " + i + " was flushed before the kill but reads back differently");
                    }
                } else {
                    // An unflushed write may be missing or, where it spans clusters, torn at a
                    // sector boundary (as on a real disk), but no sector may hold garbage.
                    for (int sector = 0; sector < Qcow2CrashWriter.SLOT; sector += SECTOR) {
                        if (!Arrays.equals(got, sector, sector + SECTOR, expected, sector, sector + SECTOR)
                                && !Arrays.equals(got, sector, sector + SECTOR, ZEROS, 0, SECTOR)) {
                            fail("slot " + i + " (after the last flush), sector " + sector / SECTOR
                                    + ", is neither its data nor zeros");
                        }
                    }
                }
            }
        }
        // A writable reopen of the crashed image works and leaves it clean once closed... except leaks, which stay.
        try (Qcow2Image q = Qcow2Image.open(img, false)) {
            q.write(0, ByteBuffer.wrap(new byte[] {1}));
        }
        assertThat(QemuTools.check(img).exitCode()).isIn(0, 3);
    }

    private static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}

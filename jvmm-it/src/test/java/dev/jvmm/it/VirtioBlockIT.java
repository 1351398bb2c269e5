package dev.jvmm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disks: a raw and a qcow2 image (made by qemu-img, the reference) attached with {@code --drive};
 * the guest sees their sizes, what it writes reaches the files, and the qcow2 image stays
 * consistent by qemu-img's own check.
 */
class VirtioBlockIT {

    private static final Duration BOOT = Duration.ofMinutes(5);
    private static final Duration COMMAND = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void guestSeesBothDisksAndItsWritesReachTheRawFileAndACleanQcow2() throws Exception {
        Path raw = dir.resolve("disk.raw");
        Path qcow2 = dir.resolve("disk.qcow2");
        qemuImg("create", "-f", "raw", raw.toString(), "16M");
        qemuImg("create", "-f", "qcow2", qcow2.toString(), "32M");

        try (GuestUnderTest guest = GuestUnderTest.start("run", "--drive", raw + ",format=raw",
                "--drive", qcow2 + ",format=qcow2")) {
            guest.waitForShell(BOOT);
            assertThat(guest.shell("cat /sys/block/vda/size", COMMAND)).contains("\n32768");
            assertThat(guest.shell("cat /sys/block/vdb/size", COMMAND)).contains("\n65536");

            // Sector 3 of the raw disk, written and read back through the guest's block layer.
            guest.shell("printf 'JVMM-RAW-WRITE' | dd of=/dev/vda bs=512 seek=3 conv=sync,fsync", COMMAND);
            guest.shell("echo 3 > /proc/sys/vm/drop_caches", COMMAND);
            assertThat(guest.shell("dd if=/dev/vda bs=512 skip=3 count=1 2>/dev/null | head -c 14; echo", COMMAND))
                    .contains("\nJVMM-RAW-WRITE");

            // 1 MiB into the qcow2 disk: allocates clusters (and L2 and refcount entries) in the image.
            guest.shell("printf 'JVMM-QCOW2-WRITE' | dd of=/dev/vdb bs=512 seek=2048 conv=sync,fsync", COMMAND);
            guest.shell("dd if=/dev/urandom of=/dev/vdb bs=4096 seek=1024 count=64 conv=fsync", COMMAND);

            guest.type("poweroff\n");
            assertThat(guest.waitForExit(COMMAND)).as("exit status after guest poweroff").isZero();
        }

        byte[] bytes = Files.readAllBytes(raw);
        assertThat(new String(Arrays.copyOfRange(bytes, 3 * 512, 3 * 512 + 14), StandardCharsets.US_ASCII))
                .isEqualTo("JVMM-RAW-WRITE");
        assertThat(Arrays.copyOfRange(bytes, 0, 3 * 512)).containsOnly(0);

        assertThat(qemuImg("check", qcow2.toString())).contains("No errors were found on the image.");
        // qemu-img reads back what the guest wrote, through its own qcow2 code.
        Path converted = dir.resolve("vdb.raw");
        qemuImg("convert", "-f", "qcow2", "-O", "raw", qcow2.toString(), converted.toString());
        byte[] vdb = Files.readAllBytes(converted);
        assertThat(new String(Arrays.copyOfRange(vdb, 1 << 20, (1 << 20) + 16), StandardCharsets.US_ASCII))
                .isEqualTo("JVMM-QCOW2-WRITE");
    }

    @Test
    void readOnlyDriveRefusesGuestWritesAndTheFileIsUnchanged() throws Exception {
        Path raw = dir.resolve("ro.raw");
        qemuImg("create", "-f", "raw", raw.toString(), "8M");
        try (GuestUnderTest guest = GuestUnderTest.start("run", "--drive", raw + ",format=raw,readonly=on")) {
            guest.waitForShell(BOOT);
            assertThat(guest.shell("cat /sys/block/vda/ro", COMMAND)).contains("\n1");
            guest.shell("printf X | dd of=/dev/vda conv=fsync", COMMAND);
            guest.type("poweroff\n");
            assertThat(guest.waitForExit(COMMAND)).isZero();
        }
        assertThat(Files.readAllBytes(raw)).containsOnly(0);
    }

    private static String qemuImg(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("qemu-img"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("qemu-img finished").isTrue();
        assertThat(p.exitValue()).as("qemu-img " + String.join(" ", args) + ":\n" + out).isZero();
        return out;
    }
}

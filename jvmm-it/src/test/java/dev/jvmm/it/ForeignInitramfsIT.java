package dev.jvmm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An initramfs that jvmm did not make: busybox and an {@code /init} that prints markers and
 * powers off, packed by the system's own {@code cpio}, booted with explicit --kernel,
 * --initrd and --append.
 */
class ForeignInitramfsIT {

    private static final String INIT = """
            #!/bin/busybox sh
            /bin/busybox mount -t proc proc /proc
            echo "MARKER-ONE $(/bin/busybox uname -m)"
            echo "MARKER-TWO $(/bin/busybox cat /proc/cmdline)"
            /bin/busybox poweroff -f
            """;

    @Test
    void foreignInitramfsRunsItsInitAndPowersOff(@TempDir Path dir) throws Exception {
        Path images = GuestImages.debian();
        Path root = Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("proc"));
        Files.createDirectories(root.resolve("dev"));
        Files.copy(images.resolve("busybox"), root.resolve("bin/busybox"));
        Files.writeString(root.resolve("init"), INIT);
        for (Path p : new Path[] {root.resolve("init"), root.resolve("bin/busybox")}) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path initrd = dir.resolve("foreign.cpio");
        Process cpio = new ProcessBuilder("sh", "-c", "find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0")
                .directory(root.toFile())
                .redirectOutput(initrd.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        assertThat(cpio.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(cpio.exitValue()).as("cpio (run-tests installs it)").isZero();

        try (GuestUnderTest guest = GuestUnderTest.start("run",
                "--kernel", images.resolve("Image").toString(),
                "--initrd", initrd.toString(),
                "--append", "console=ttyS0 foreign=yes")) {
            guest.waitFor("MARKER-ONE riscv64", Duration.ofMinutes(5));
            guest.waitFor("MARKER-TWO console=ttyS0 foreign=yes", Duration.ofSeconds(30));
            assertThat(guest.waitForExit(Duration.ofSeconds(60))).as("exit status after poweroff").isZero();
        }
    }
}

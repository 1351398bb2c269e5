package dev.jvmm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Real M-mode firmware: Debian's OpenSBI boots the same kernel on jvmm's board. */
class OpenSbiBootIT {

    private static final Path OPENSBI = Path.of("/usr/lib/riscv64-linux-gnu/opensbi/generic");

    @Test
    void debianOpenSbiFwJumpBootsTheKernelToAShell() throws Exception {
        Path firmware = OPENSBI.resolve("fw_jump.bin");
        assertThat(firmware).as("Debian's opensbi package (run-tests installs it)").isRegularFile();
        try (GuestUnderTest guest = GuestUnderTest.start("run", "--firmware", firmware.toString())) {
            guest.waitFor("OpenSBI", Duration.ofSeconds(60));
            guest.waitForShell(Duration.ofMinutes(5));
            assertThat(guest.shell("uname -m", Duration.ofSeconds(60))).contains("\nriscv64");
            guest.type("poweroff\n");
            assertThat(guest.waitForExit(Duration.ofSeconds(60))).isZero();
        }
    }

    @Test
    void debianOpenSbiFwDynamicBootsTheKernel() throws Exception {
        Path firmware = OPENSBI.resolve("fw_dynamic.bin");
        assertThat(Files.isRegularFile(firmware)).as("fw_dynamic.bin present").isTrue();
        try (GuestUnderTest guest = GuestUnderTest.start("run", "--firmware", firmware.toString())) {
            guest.waitFor("OpenSBI", Duration.ofSeconds(60));
            guest.waitForShell(Duration.ofMinutes(5));
            guest.type("poweroff\n");
            assertThat(guest.waitForExit(Duration.ofSeconds(60))).isZero();
        }
    }
}

package dev.jvmm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The README's first command: {@code ./jvmm run} boots Debian's kernel to a shell a person can use. */
class DefaultGuestBootIT {

    private static final Duration BOOT = Duration.ofMinutes(5);
    private static final Duration COMMAND = Duration.ofSeconds(60);

    @Test
    void defaultGuestBootsToShellThatRunsCommandsAndPowersOff() throws Exception {
        try (GuestUnderTest guest = GuestUnderTest.start("run")) {
            guest.waitForShell(BOOT);

            assertThat(guest.shell("uname -m", COMMAND)).contains("\nriscv64");
            assertThat(guest.shell("cat /proc/cpuinfo", COMMAND))
                    .contains("processor\t: 0")
                    .containsPattern("isa\\s*: rv64imafdc");

            guest.type("poweroff\n");
            assertThat(guest.waitForExit(COMMAND)).as("exit status after guest poweroff").isZero();
        }
    }
}

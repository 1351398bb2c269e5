package dev.jvmm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code --engine jit}: the translator tier boots the default guest to a shell that runs commands. */
class JitBootIT {

    /**
     * Longer than the interpreter's five minutes: on a loaded two-core host the translator
     * tier first reached the shell after 381 s (the interpreter after about 50-70 s), most of
     * it generating and compiling blocks. Lower this once the tier pays for itself.
     */
    private static final Duration BOOT = Duration.ofMinutes(10);
    private static final Duration COMMAND = Duration.ofSeconds(60);

    @Test
    void jitBootsTheDefaultGuestToAShellThatRunsCommands() throws Exception {
        try (GuestUnderTest guest = GuestUnderTest.start("run", "--engine", "jit")) {
            guest.waitForShell(BOOT);

            assertThat(guest.shell("uname -m", COMMAND)).contains("\nriscv64");
            assertThat(guest.shell("ls /", COMMAND)).contains("proc", "sys", "init");
            // Floating point (the tier leaves FP instructions to the interpreter) in a translated loop.
            assertThat(guest.shell("awk 'BEGIN { s = 0; for (i = 1; i <= 1000; i++) s += 1 / i; printf \"H=%.6f\\n\", s }'",
                    COMMAND)).contains("\nH=7.485471");

            guest.type("poweroff\n");
            assertThat(guest.waitForExit(COMMAND)).as("exit status after guest poweroff").isZero();
        }
    }
}

package dev.jvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;

import dev.jvmm.machine.ExitReason;
import org.junit.jupiter.api.Test;

class ExitStatusTest {

    @Test
    void guestPowerOffExitsZeroSilently() {
        assertThat(ExitStatus.of(new ExitReason.PowerOff(), false)).isEqualTo(new ExitStatus.Exit(0, Optional.empty()));
    }

    @Test
    void guestRebootBootsAgain() {
        assertThat(ExitStatus.of(new ExitReason.Reboot(), false)).isInstanceOf(ExitStatus.Reboot.class);
    }

    @Test
    void guestFailureExitsWithItsCodeAsTheStatus() {
        assertThat(ExitStatus.of(new ExitReason.GuestFailure(7), false))
                .isEqualTo(new ExitStatus.Exit(7, Optional.of("jvmm: the guest reported a failure (code 7)")));
    }

    @Test
    void guestFailureCodesThatDoNotFitAStatusByteNeverReadAsPass() {
        assertThat(ExitStatus.failureStatus(256)).isEqualTo(255);
        assertThat(ExitStatus.failureStatus(0)).isEqualTo(255);
        assertThat(ExitStatus.failureStatus(-3)).isEqualTo(255);
        assertThat(ExitStatus.failureStatus(255)).isEqualTo(255);
    }

    @Test
    void stoppedByJvmmExitsOneWithTheMessage() {
        assertThat(ExitStatus.of(new ExitReason.Stopped("illegal instruction in M-mode"), false))
                .isEqualTo(new ExitStatus.Exit(1, Optional.of("jvmm: illegal instruction in M-mode")));
    }

    @Test
    void quitByTheUserExitsZeroAsTerminatedWhateverTheMachineSaid() {
        assertThat(ExitStatus.of(new ExitReason.Stopped("terminated"), true))
                .isEqualTo(new ExitStatus.Exit(0, Optional.of("jvmm: terminated")));
        assertThat(ExitStatus.of(new ExitReason.Reboot(), true)).isInstanceOf(ExitStatus.Exit.class);
    }
}

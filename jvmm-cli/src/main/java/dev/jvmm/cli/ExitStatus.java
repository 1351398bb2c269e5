package dev.jvmm.cli;

import java.util.Optional;

import dev.jvmm.machine.ExitReason;

/**
 * What jvmm does when a machine stops: exit with a status (and a message for stderr), or boot
 * the machine again (a guest reboot, as on QEMU's {@code virt}).
 */
sealed interface ExitStatus {

    /** Exit the process with {@code status}, printing {@code message} on stderr if present. */
    record Exit(int status, Optional<String> message) implements ExitStatus {
    }

    /** Build a fresh machine from the same configuration and boot it. */
    record Reboot() implements ExitStatus {
    }

    /** {@code quitByUser}: the user typed Ctrl-A x, which stops the machine as QEMU does, with status 0. */
    static ExitStatus of(ExitReason reason, boolean quitByUser) {
        if (quitByUser) {
            return new Exit(0, Optional.of("jvmm: terminated"));
        }
        return switch (reason) {
            case ExitReason.PowerOff p -> new Exit(0, Optional.empty());
            case ExitReason.Reboot r -> new Reboot();
            case ExitReason.GuestFailure f -> new Exit(failureStatus(f.code()), Optional.of(
                    "jvmm: the guest reported a failure (code " + f.code() + ")"));
            case ExitReason.Stopped s -> new Exit(1, Optional.of("jvmm: " + s.message()));
            case ExitReason.Migrated m -> new Exit(0, Optional.of("jvmm: the guest migrated to " + m.destination()));
        };
    }

    /**
     * A test program's failing case number becomes the exit status, as on Spike and QEMU; a
     * number that does not fit in a status byte (or 0, which would read as a pass) becomes 255.
     */
    static int failureStatus(int code) {
        return code >= 1 && code <= 255 ? code : 255;
    }
}

package dev.jvmm.machine;

/** Why a machine stopped running. */
public sealed interface ExitReason {

    /** The guest powered off (syscon 0x5555, SBI system reset shutdown). */
    record PowerOff() implements ExitReason { }

    /** The guest asked for a reboot (syscon 0x7777, SBI system reset reboot). */
    record Reboot() implements ExitReason { }

    /** The guest reported a failure with a code (syscon 0x3333 | code << 16, SBI reset reason failure). */
    record GuestFailure(int code) implements ExitReason { }

    /** jvmm stopped the machine: a user request, or an unrecoverable condition described by {@code message}. */
    record Stopped(String message) implements ExitReason { }

    /** The guest left by live migration and now runs at {@code destination}. */
    record Migrated(String destination) implements ExitReason { }
}

package dev.jvmm.machine;

/** A machine cannot be built from its configuration; the message is one line for the user. */
public final class MachineException extends Exception {

    public MachineException(String message) {
        super(message);
    }

    public MachineException(String message, Throwable cause) {
        super(message, cause);
    }
}

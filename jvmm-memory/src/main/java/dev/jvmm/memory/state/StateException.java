package dev.jvmm.memory.state;

/** A saved state that cannot be restored: truncated, corrupted, impossible, or of an unknown version. The message is one line. */
public final class StateException extends Exception {

    public StateException(String message) {
        super(message);
    }
}

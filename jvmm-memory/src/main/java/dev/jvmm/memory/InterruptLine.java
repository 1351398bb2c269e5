package dev.jvmm.memory;

/**
 * A level-triggered interrupt wire from a source (a device, the CLINT) to a sink (the PLIC,
 * a hart's interrupt-pending bit). The source never knows what is on the other end.
 * Implementations must be safe to call from any thread.
 */
@FunctionalInterface
public interface InterruptLine {

    /** A line connected to nothing. */
    InterruptLine NONE = level -> { };

    /** Drives the line high ({@code true}) or low ({@code false}). */
    void set(boolean level);

    default void raise() {
        set(true);
    }

    default void lower() {
        set(false);
    }
}

package dev.jvmm.machine.firmware;

/** A hart's state in the SBI Hart State Management extension; {@link #code()} is the spec's number. */
public enum HartState {
    STARTED(0),
    STOPPED(1),
    START_PENDING(2),
    STOP_PENDING(3),
    SUSPENDED(4),
    SUSPEND_PENDING(5),
    RESUME_PENDING(6);

    private final int code;

    HartState(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}

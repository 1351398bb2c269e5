package dev.jvmm.machine;

/** What a machine is doing, in QMP's {@code query-status} terms. */
public enum RunStatus {
    /** Not started yet, or a migration is arriving. */
    PRELAUNCH,
    RUNNING,
    /** Paused by {@code stop} (or for a snapshot); {@code cont} resumes. */
    PAUSED,
    /** The guest left by migration. */
    POSTMIGRATE,
    /** The guest powered off, failed or was stopped: {@link VirtMachine#run()} has returned or is returning. */
    SHUTDOWN;

    /** The name QMP uses. */
    public String qmpName() {
        return switch (this) {
            case PRELAUNCH -> "prelaunch";
            case RUNNING -> "running";
            case PAUSED -> "paused";
            case POSTMIGRATE -> "postmigrate";
            case SHUTDOWN -> "shutdown";
        };
    }
}

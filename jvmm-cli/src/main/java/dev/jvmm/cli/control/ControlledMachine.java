package dev.jvmm.cli.control;

import java.nio.file.Path;
import java.util.Optional;

import dev.jvmm.machine.MachineException;
import dev.jvmm.machine.RunStatus;
import dev.jvmm.machine.migration.Migration;

/**
 * What the control socket can ask of a guest. Every method may be called from any client's
 * thread, also while the guest runs. A {@link RuntimeException} or a {@link MachineException}
 * becomes an error reply with its message; it never ends the connection.
 */
public interface ControlledMachine {

    /** What the guest is doing now ({@code query-status}). */
    RunStatus status();

    /** Pauses the guest; returns once it is paused ({@code stop}). */
    void pause() throws MachineException, InterruptedException;

    /** Resumes a paused guest ({@code cont}). */
    void resume() throws MachineException;

    /**
     * Writes a snapshot into the new directory {@code dir}; returns once it is written. The guest
     * stays paused afterwards if {@code stayPaused} ({@code snapshot-save}).
     */
    void saveSnapshot(Path dir, boolean stayPaused) throws MachineException, InterruptedException;

    /** Starts a live migration to {@code host:port} and returns at once ({@code migrate}). */
    Migration migrate(String host, int port) throws MachineException;

    /** The migration started last, if any ({@code query-migrate}). */
    Optional<Migration> migration();

    /**
     * Asks the guest to shut down, as a power button would ({@code system_powerdown}). Returns
     * false, doing nothing, when the board has no way to ask.
     */
    boolean powerDown() throws MachineException;

    /** Stops the guest and ends jvmm ({@code quit}); called after the reply has been sent. */
    void quit();
}

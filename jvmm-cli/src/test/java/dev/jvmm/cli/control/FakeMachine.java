package dev.jvmm.cli.control;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import dev.jvmm.machine.MachineException;
import dev.jvmm.machine.RunStatus;
import dev.jvmm.machine.migration.Migration;
import dev.jvmm.machine.migration.MigrationStatus;

/** A {@link ControlledMachine} for tests: records what it is asked and answers as scripted. */
public final class FakeMachine implements ControlledMachine {

    public volatile RunStatus status = RunStatus.RUNNING;
    public final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    /** Thrown by the next snapshot, if set. */
    public volatile MachineException snapshotFailure;
    /** The statuses the next migration reports, one per {@code status()} call, the last repeating. */
    public volatile List<MigrationStatus> migrationScript = List.of(status(MigrationStatus.State.ACTIVE, 0));
    private volatile Migration migration;

    /** A status in {@code state} with {@code sent} of 1000 pages sent (the rest still to send). */
    public static MigrationStatus status(MigrationStatus.State state, long sent) {
        return new MigrationStatus(state, 1000, sent, 1000 - sent, 250, 40, state == MigrationStatus.State.COMPLETED ? 12 : 0,
                1500, 0, state == MigrationStatus.State.FAILED ? Optional.of("connection reset") : Optional.empty(),
                sent * 4096L);
    }

    @Override
    public RunStatus status() {
        return status;
    }

    @Override
    public void pause() {
        calls.add("pause");
        status = RunStatus.PAUSED;
    }

    @Override
    public void resume() {
        calls.add("resume");
        status = RunStatus.RUNNING;
    }

    @Override
    public void saveSnapshot(Path dir, boolean stayPaused) throws MachineException {
        calls.add("snapshot " + dir + " " + stayPaused);
        MachineException failure = snapshotFailure;
        if (failure != null) {
            throw failure;
        }
        if (stayPaused) {
            status = RunStatus.PAUSED;
        }
    }

    @Override
    public Migration migrate(String host, int port) throws MachineException {
        calls.add("migrate " + host + " " + port);
        if (migration != null) {
            throw new MachineException("a migration is already under way");
        }
        List<MigrationStatus> script = migrationScript;
        Migration m = new Migration() {
            private int next;

            @Override
            public synchronized MigrationStatus status() {
                return script.get(Math.min(next++, script.size() - 1));
            }

            @Override
            public MigrationStatus awaitEnd() {
                return script.getLast();
            }
        };
        migration = m;
        return m;
    }

    @Override
    public Optional<Migration> migration() {
        return Optional.ofNullable(migration);
    }

    @Override
    public boolean powerDown() {
        calls.add("powerDown");
        return false;
    }

    @Override
    public void quit() {
        calls.add("quit");
    }
}

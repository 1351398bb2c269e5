package dev.jvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.jvmm.cli.control.FakeMachine;
import dev.jvmm.cli.control.ServedFakeMachine;
import dev.jvmm.machine.MachineException;
import dev.jvmm.machine.RunStatus;
import dev.jvmm.machine.migration.MigrationStatus.State;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code jvmm snapshot} and {@code jvmm migrate} against a control socket served for a fake machine. */
@Timeout(30)
class ControlCommandsTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    @RegisterExtension
    final ServedFakeMachine served = new ServedFakeMachine();
    private final FakeMachine machine = served.machine;

    private Path serve() throws IOException {
        return served.start(dir, "0.1.0");
    }

    private int run(String... args) {
        return Jvmm.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void snapshotSendsTheAbsoluteDirectoryAndPrintsOneLineWithTheTime() throws IOException {
        Path socket = serve();
        Path snap = dir.resolve("snap1");
        assertThat(run("snapshot", "--control", socket.toString(), snap.toString())).isZero();
        assertThat(machine.calls).containsExactly("snapshot " + snap.toAbsolutePath() + " false");
        assertThat(stdout().lines()).singleElement().asString().matches("snapshot written to \\S+snap1 in \\d+ ms");
        assertThat(stderr()).isEmpty();
    }

    @Test
    void snapshotWithStopLeavesTheGuestPaused() throws IOException {
        Path socket = serve();
        assertThat(run("snapshot", "--control", socket.toString(), "--stop", dir.resolve("s").toString())).isZero();
        assertThat(machine.status).isEqualTo(RunStatus.PAUSED);
        assertThat(stdout()).contains("the guest stays paused");
    }

    @Test
    void snapshotIntoAnExistingDirectoryIsRefusedBeforeAskingTheMachine() throws IOException {
        Path socket = serve();
        Path existing = Files.createDirectory(dir.resolve("old"));
        assertThat(run("snapshot", "--control", socket.toString(), existing.toString())).isEqualTo(2);
        assertThat(stderr()).isEqualTo("jvmm: " + existing + ": already exists (a snapshot goes into a new directory)"
                + System.lineSeparator());
        assertThat(machine.calls).isEmpty();
    }

    @Test
    void aSnapshotTheMachineRefusesIsOneLineAndStatusTwo() throws IOException {
        machine.snapshotFailure = new MachineException("disk vda cannot be snapshotted");
        Path socket = serve();
        assertThat(run("snapshot", "--control", socket.toString(), dir.resolve("s").toString())).isEqualTo(2);
        assertThat(stderr()).isEqualTo("jvmm: snapshot failed: disk vda cannot be snapshotted" + System.lineSeparator());
    }

    @Test
    void snapshotWithoutASocketIsOneLineAndStatusTwo() {
        Path missing = dir.resolve("no-such-socket");
        assertThat(run("snapshot", "--control", missing.toString(), dir.resolve("s").toString())).isEqualTo(2);
        assertThat(stderr().lines()).singleElement().asString().startsWith("jvmm: " + missing + ": no such control socket");
    }

    @Test
    void migrateFollowsTheMigrationToCompletionAndPrintsTotalTimeAndDowntime() throws IOException {
        machine.migrationScript = List.of(FakeMachine.status(State.SETUP, 0), FakeMachine.status(State.ACTIVE, 500),
                FakeMachine.status(State.COMPLETED, 1000));
        Path socket = serve();
        assertThat(run("migrate", "--control", socket.toString(), "tcp:127.0.0.1:4444")).isZero();
        assertThat(machine.calls).containsExactly("migrate 127.0.0.1 4444");
        assertThat(stdout()).isEqualTo("migration to tcp:127.0.0.1:4444 completed in 1.5 s (downtime 12 ms)" + System.lineSeparator());
        // Not a terminal: progress lines, at most one a second.
        assertThat(stderr()).startsWith("[").contains("% ");
    }

    @Test
    void aFailedMigrationIsStatusOneWithItsError() throws IOException {
        machine.migrationScript = List.of(FakeMachine.status(State.ACTIVE, 100), FakeMachine.status(State.FAILED, 100));
        Path socket = serve();
        assertThat(run("migrate", "--control", socket.toString(), "tcp:127.0.0.1:4444")).isEqualTo(1);
        assertThat(stderr().lines()).last()
                .isEqualTo("jvmm: migration failed: connection reset; the guest runs on here, in the source jvmm");
        assertThat(stdout()).isEmpty();
    }

    @Test
    void migrateToABadAddressIsRefusedBeforeConnecting() throws IOException {
        Path socket = serve();
        assertThat(run("migrate", "--control", socket.toString(), "tcp:127.0.0.1")).isEqualTo(2);
        assertThat(stderr().lines()).singleElement().asString().startsWith("jvmm: bad address 'tcp:127.0.0.1'");
        assertThat(run("migrate", "--control", socket.toString(), "tcp::4444")).isEqualTo(2);
        assertThat(machine.calls).isEmpty();
    }

    @Test
    void aMigrationTheMachineRefusesIsStatusTwo() throws IOException {
        machine.migrationScript = List.of(FakeMachine.status(State.COMPLETED, 1000));
        Path socket = serve();
        assertThat(run("migrate", "--control", socket.toString(), "tcp:127.0.0.1:4444")).isEqualTo(0);
        err.reset();
        assertThat(run("migrate", "--control", socket.toString(), "tcp:127.0.0.1:4444")).isEqualTo(2);
        assertThat(stderr()).isEqualTo("jvmm: migrate: a migration is already under way" + System.lineSeparator());
    }
}

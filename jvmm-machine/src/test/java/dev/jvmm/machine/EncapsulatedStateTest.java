package dev.jvmm.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvmm.machine.migration.Migration;
import dev.jvmm.machine.migration.MigrationStatus;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A machine's whole state as one object: a bare program that prints a known sequence of
 * letters to the UART is paused, snapshotted, restored into a new machine, and migrated over
 * loopback; what the copies print continues the sequence exactly, and the source runs on when
 * a migration fails.
 */
class EncapsulatedStateTest {

    // Long enough (~0.3 G instructions) that a migration or snapshot under CI load ends before the program does.
    private static final int STEPS = 8000;

    /** Prints 'a' + (i mod 26) for i = 1..STEPS with a delay loop between, then powers off. */
    private static final String COUNTER = """
                .section .text.init, "ax"
                .globl _start
            _start:
                li s0, 0x10000000
                li s1, 0
                li s2, %d
            loop:
                li t0, 20000
            1:  addi t0, t0, -1
                bnez t0, 1b
                addi s1, s1, 1
                li t1, 26
                remu t2, s1, t1
                addi t2, t2, 'a'
                sb t2, 0(s0)
                blt s1, s2, loop
                li t0, 0x100000
                li t1, 0x5555
                sw t1, 0(t0)
            2:  j 2b
            """.formatted(STEPS);

    @TempDir
    Path dir;

    private Path program;

    @BeforeEach
    void build() throws Exception {
        program = TestPrograms.buildWithoutMailbox(dir, "counter", COUNTER);
    }

    private static String expected() {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= STEPS; i++) {
            sb.append((char) ('a' + i % 26));
        }
        return sb.toString();
    }

    private VirtMachine machine(ByteArrayOutputStream console) throws MachineException {
        return VirtMachine.create(new MachineConfig(program, Optional.empty(), "", 64L << 20, Optional.empty(), 1), console);
    }

    private static CompletableFuture<ExitReason> start(VirtMachine m) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return m.run();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, OWN_THREAD);
    }

    /** Each task on a thread of its own: the common pool may have one thread on a small machine. */
    private static final java.util.concurrent.Executor OWN_THREAD = r -> Thread.ofPlatform().daemon(true).start(r);

    private static void awaitOutput(ByteArrayOutputStream console, int bytes) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (console.size() < bytes) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the program printed only " + console.size() + " bytes");
            }
            Thread.sleep(5);
        }
    }

    @Test
    void pausedMachinePrintsNothingUntilResumed() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (VirtMachine m = machine(console)) {
            CompletableFuture<ExitReason> run = start(m);
            awaitOutput(console, 50);
            m.pause();
            assertThat(m.status()).isEqualTo(RunStatus.PAUSED);
            int at = console.size();
            Thread.sleep(300);
            assertThat(console.size()).isEqualTo(at);
            m.resume();
            assertThat(run.get()).isEqualTo(new ExitReason.PowerOff());
            assertThat(console.toString(StandardCharsets.US_ASCII)).isEqualTo(expected());
        }
    }

    @Test
    void restoredSnapshotContinuesTheSequenceExactly() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Path snapshot = dir.resolve("snap");
        int printed;
        try (VirtMachine m = machine(console)) {
            CompletableFuture<ExitReason> run = start(m);
            awaitOutput(console, 300);
            m.saveSnapshot(snapshot, true);
            printed = console.size();
            m.resume();
            assertThat(run.get()).isEqualTo(new ExitReason.PowerOff());
        }
        assertThat(Files.size(snapshot.resolve("memory"))).isEqualTo(64L << 20);

        ByteArrayOutputStream restoredConsole = new ByteArrayOutputStream();
        try (VirtMachine restored = VirtMachine.restore(snapshot, RestoreOptions.ORIGINAL, restoredConsole)) {
            assertThat(restored.run()).isEqualTo(new ExitReason.PowerOff());
        }
        assertThat(console.toString(StandardCharsets.US_ASCII).substring(0, printed) + restoredConsole.toString(StandardCharsets.US_ASCII))
                .isEqualTo(expected());
    }

    @Test
    void aSnapshotDirectoryThatExistsIsRefusedAndTheGuestRunsOn() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Files.createDirectory(dir.resolve("taken"));
        try (VirtMachine m = machine(console)) {
            CompletableFuture<ExitReason> run = start(m);
            awaitOutput(console, 10);
            assertThatThrownBy(() -> m.saveSnapshot(dir.resolve("taken"), false))
                    .isInstanceOf(MachineException.class).hasMessageContaining("already exists");
            // Not left paused: still running, or (on a fast host) already at the end it then reaches below.
            assertThat(m.status()).isIn(RunStatus.RUNNING, RunStatus.SHUTDOWN);
            assertThat(run.get()).isEqualTo(new ExitReason.PowerOff());
        }
    }

    @Test
    void migrationOverLoopbackMovesTheProgramWithoutLosingALetter() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        ByteArrayOutputStream destinationConsole = new ByteArrayOutputStream();
        CompletableFuture<VirtMachine> arriving = CompletableFuture.supplyAsync(() -> {
            try {
                return VirtMachine.incoming(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), destinationConsole, line -> { });
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, OWN_THREAD);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (VirtMachine source = machine(console)) {
            CompletableFuture<ExitReason> run = start(source);
            awaitOutput(console, 300);
            Migration migration = connectWithRetry(source, port);
            MigrationStatus end = migration.awaitEnd();
            assertThat(end.state()).as(end.error().orElse("")).isEqualTo(MigrationStatus.State.COMPLETED);
            assertThat(run.get()).isEqualTo(new ExitReason.Migrated("tcp:127.0.0.1:" + port));
            assertThat(source.status()).isEqualTo(RunStatus.POSTMIGRATE);
            try (VirtMachine destination = arriving.get()) {
                assertThat(destination.run()).isEqualTo(new ExitReason.PowerOff());
            }
        }
        assertThat(console.toString(StandardCharsets.US_ASCII) + destinationConsole.toString(StandardCharsets.US_ASCII))
                .isEqualTo(expected());
    }

    @Test
    void aMigrationWithNobodyListeningFailsAndTheSourceRunsOn() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (VirtMachine source = machine(console)) {
            CompletableFuture<ExitReason> run = start(source);
            awaitOutput(console, 50);
            MigrationStatus end = source.migrate("127.0.0.1", port).awaitEnd();
            assertThat(end.state()).isEqualTo(MigrationStatus.State.FAILED);
            assertThat(end.error()).isPresent();
            assertThat(run.get()).isEqualTo(new ExitReason.PowerOff());
        }
        assertThat(console.toString(StandardCharsets.US_ASCII)).isEqualTo(expected());
    }

    @Test
    void aDestinationRefusesAnotherStreamVersionAndSaysWhy() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        CompletableFuture<Throwable> arriving = CompletableFuture.supplyAsync(() -> {
            try {
                VirtMachine.incoming(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), new ByteArrayOutputStream(), line -> { })
                        .close();
                return null;
            } catch (Exception e) {
                return e;
            }
        }, OWN_THREAD);
        String reply = null;
        for (int attempt = 0; attempt < 100 && reply == null; attempt++) {
            try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                java.io.DataOutputStream out = new java.io.DataOutputStream(s.getOutputStream());
                out.write("JVMMMIGR".getBytes(StandardCharsets.US_ASCII));
                out.writeInt(99);
                out.flush();
                java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
                assertThat(in.readUnsignedByte()).as("FAILED").isEqualTo(11);
                byte[] reason = new byte[in.readInt()];
                in.readFully(reason);
                reply = new String(reason, StandardCharsets.UTF_8);
            } catch (java.net.ConnectException notYet) {
                Thread.sleep(50);
            }
        }
        assertThat(reply).contains("version 99");
        assertThat(arriving.get()).isInstanceOf(MachineException.class).hasMessageContaining("version 99");
    }

    @Test
    void aDestinationThatHangsUpAfterTheGreetingLeavesTheSourceRunning() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (ServerSocket peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             VirtMachine source = machine(console)) {
            Thread hangUp = Thread.ofPlatform().daemon(true).start(() -> {
                try (java.net.Socket s = peer.accept()) {
                    s.getInputStream().readNBytes(12);
                    java.io.DataOutputStream out = new java.io.DataOutputStream(s.getOutputStream());
                    out.writeByte(11);
                    byte[] why = "stream version 1 is not supported".getBytes(StandardCharsets.UTF_8);
                    out.writeInt(why.length);
                    out.write(why);
                    out.flush();
                } catch (java.io.IOException ignored) {
                    // the source gave up first
                }
            });
            CompletableFuture<ExitReason> run = start(source);
            awaitOutput(console, 50);
            MigrationStatus end = source.migrate("127.0.0.1", peer.getLocalPort()).awaitEnd();
            hangUp.join();
            assertThat(end.state()).isEqualTo(MigrationStatus.State.FAILED);
            // Not left paused: still running, or (on a fast host) already at the end it then reaches below.
            assertThat(source.status()).isIn(RunStatus.RUNNING, RunStatus.SHUTDOWN);
            assertThat(run.get()).isEqualTo(new ExitReason.PowerOff());
        }
        assertThat(console.toString(StandardCharsets.US_ASCII)).isEqualTo(expected());
    }

    /** The destination may still be binding its port when the source first tries. */
    private static Migration connectWithRetry(VirtMachine source, int port) throws Exception {
        for (int attempt = 0; ; attempt++) {
            Migration m = source.migrate("127.0.0.1", port);
            MigrationStatus s = m.status();
            while (s.state() == MigrationStatus.State.SETUP && m.status().error().isEmpty()) {
                Thread.sleep(10);
                s = m.status();
                if (s.state() != MigrationStatus.State.SETUP) {
                    break;
                }
            }
            if (s.state() != MigrationStatus.State.FAILED || attempt > 50) {
                return m;
            }
            Thread.sleep(100);
        }
    }
}

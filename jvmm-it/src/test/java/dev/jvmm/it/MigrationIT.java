package dev.jvmm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live migration between two jvmm processes on this machine: a counting guest moves from one
 * to the other without a gap or a reset in its count, and the source exits. A migration that
 * fails (the destination is killed, or the connection is cut) leaves the source running,
 * still answering on its console.
 */
class MigrationIT {

    private static final Duration BOOT = Duration.ofMinutes(5);
    private static final Duration STEP = Duration.ofSeconds(120);

    @Test
    void aCountingGuestMovesToAnotherJvmmWithoutAGap(@TempDir Path tmp) throws Exception {
        Path control = tmp.resolve("control.sock");
        int port = freeLoopbackPort();
        try (GuestUnderTest destination = GuestUnderTest.start("run", "--incoming", "tcp:127.0.0.1:" + port);
             GuestUnderTest source = GuestUnderTest.start("run", "--control", control.toString())) {
            source.waitForShell(BOOT);
            source.type(GuestCounter.START);
            GuestCounter.awaitCount(source, 20, STEP);
            try (GuestUnderTest migrate = GuestUnderTest.start("migrate", "--control", control.toString(), "tcp:127.0.0.1:" + port)) {
                assertThat(migrate.waitForExit(STEP)).as(migrate.errors()).isZero();
            }
            assertThat(source.waitForExit(STEP)).as("the source exits once the guest has left").isZero();
            List<Long> before = GuestCounter.counts(source.console());

            GuestCounter.awaitCount(destination, before.getLast() + 15, STEP);
            List<Long> after = GuestCounter.counts(destination.console());
            // +2 only when the line in flight was split between the two consoles.
            assertThat(after.getFirst()).as("the destination goes on where the source stopped")
                    .isBetween(before.getLast() + 1, before.getLast() + 2);
            for (int i = 1; i < after.size(); i++) {
                assertThat(after.get(i)).as("no gap in " + after).isEqualTo(after.get(i - 1) + 1);
            }
            assertThat(destination.shell("echo MIGRATED-$((40+2))", STEP)).contains("MIGRATED-42");
            destination.type("poweroff\n");
            assertThat(destination.waitForExit(STEP)).isZero();
        }
    }

    @Test
    void killingTheDestinationMidwayLeavesTheSourceRunning(@TempDir Path tmp) throws Exception {
        Path control = tmp.resolve("control.sock");
        int port = freeLoopbackPort();
        try (GuestUnderTest source = GuestUnderTest.start("run", "--control", control.toString())) {
            source.waitForShell(BOOT);
            // Keep the guest dirtying memory so the migration goes on for rounds.
            source.type("while true; do dd if=/dev/zero of=/tmp/dirt bs=1M count=48 2>/dev/null; done &\n");
            source.type(GuestCounter.START);
            GuestCounter.awaitCount(source, 10, STEP);
            try (GuestUnderTest destination = GuestUnderTest.start("run", "--incoming", "tcp:127.0.0.1:" + port)) {
                destination.waitForError("waiting for a migration", STEP);
                try (GuestUnderTest migrate = GuestUnderTest.start("migrate", "--control", control.toString(), "tcp:127.0.0.1:" + port)) {
                    destination.waitForError("arriving", STEP);
                    destination.close(); // kill -9 in the middle of the page stream
                    assertThat(migrate.waitForExit(STEP)).as("migrate reports the failure").isEqualTo(1);
                    assertThat(migrate.errors()).contains("runs on here");
                }
            }
            long last = GuestCounter.counts(source.console()).getLast();
            GuestCounter.awaitCount(source, last + 10, STEP);
            assertThat(source.shell("echo ALIVE-$((40+2))", STEP)).contains("ALIVE-42");
        }
    }

    @Test
    void aConnectionCutAfterTheFirstPagesLeavesTheSourceRunning(@TempDir Path tmp) throws Exception {
        Path control = tmp.resolve("control.sock");
        try (ServerSocket cutter = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             GuestUnderTest source = GuestUnderTest.start("run", "--control", control.toString())) {
            source.waitForShell(BOOT);
            source.type(GuestCounter.START);
            GuestCounter.awaitCount(source, 10, STEP);
            Thread peer = Thread.ofVirtual().start(() -> {
                // A peer that takes 1 MiB of the stream, then drops the connection.
                try (Socket s = cutter.accept(); InputStream in = s.getInputStream()) {
                    in.readNBytes(1 << 20);
                } catch (IOException ignored) {
                    // the source may give up first
                }
            });
            try (GuestUnderTest migrate = GuestUnderTest.start("migrate", "--control", control.toString(),
                    "tcp:127.0.0.1:" + cutter.getLocalPort())) {
                assertThat(migrate.waitForExit(STEP)).isEqualTo(1);
            }
            peer.join();
            long last = GuestCounter.counts(source.console()).getLast();
            GuestCounter.awaitCount(source, last + 10, STEP);
            assertThat(source.shell("echo ALIVE-$((40+2))", STEP)).contains("ALIVE-42");
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}

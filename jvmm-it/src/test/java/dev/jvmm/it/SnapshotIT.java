package dev.jvmm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots through the control socket: a guest counting on its console is snapshotted, the
 * jvmm running it is killed, and a new jvmm restores it; the count goes on from where it was,
 * without a gap or a reset, and the restored guest's shell answers. A damaged snapshot is
 * refused with one line and status 2.
 */
class SnapshotIT {

    private static final Duration BOOT = Duration.ofMinutes(5);
    private static final Duration STEP = Duration.ofSeconds(90);

    @Test
    void aCountingGuestCarriesOnAfterSnapshotKillAndRestore(@TempDir Path tmp) throws Exception {
        Path control = tmp.resolve("control.sock");
        Path snapshot = tmp.resolve("snap");
        List<Long> before;
        try (GuestUnderTest source = GuestUnderTest.start("run", "--control", control.toString())) {
            source.waitForShell(BOOT);
            source.type(GuestCounter.START);
            GuestCounter.awaitCount(source, 20, STEP);
            try (GuestUnderTest snap = GuestUnderTest.start("snapshot", "--control", control.toString(), snapshot.toString())) {
                assertThat(snap.waitForExit(STEP)).as(snap.errors()).isZero();
            }
            long atSnapshot = GuestCounter.counts(source.console()).getLast();
            GuestCounter.awaitCount(source, atSnapshot + 10, STEP); // the source ran on after the snapshot
            before = GuestCounter.counts(source.console());
        } // kill -9
        assertThat(Files.isRegularFile(snapshot.resolve("memory"))).isTrue();
        assertThat(Files.isRegularFile(snapshot.resolve("state"))).isTrue();

        try (GuestUnderTest restored = GuestUnderTest.start("restore", snapshot.toString())) {
            restored.waitFor("count-", STEP);
            long first = -1;
            // Let it count a while, then look at what it printed.
            Thread.sleep(100);
            List<Long> after = awaitCounts(restored, 15);
            first = after.getFirst();
            assertThat(first).as("the count continues, it does not restart").isGreaterThan(20);
            assertThat(first).as("the count continues from the snapshot, not from later").isLessThanOrEqualTo(before.getLast());
            for (int i = 1; i < after.size(); i++) {
                assertThat(after.get(i)).as("no gap in " + after).isEqualTo(after.get(i - 1) + 1);
            }
            assertThat(restored.shell("echo RESTORED-$((40+2))", STEP)).contains("RESTORED-42");
            restored.type("poweroff\n");
            assertThat(restored.waitForExit(STEP)).isZero();
        }
    }

    @Test
    void aCorruptedOrTruncatedSnapshotIsRefusedWithOneLine(@TempDir Path tmp) throws Exception {
        Path control = tmp.resolve("control.sock");
        Path snapshot = tmp.resolve("snap");
        try (GuestUnderTest source = GuestUnderTest.start("run", "--control", control.toString())) {
            source.waitForShell(BOOT);
            try (GuestUnderTest snap = GuestUnderTest.start("snapshot", "--control", control.toString(), "--stop", snapshot.toString())) {
                assertThat(snap.waitForExit(STEP)).as(snap.errors()).isZero();
            }
        }
        Path corrupted = copy(snapshot, tmp.resolve("corrupted"));
        try (RandomAccessFile state = new RandomAccessFile(corrupted.resolve("state").toFile(), "rw")) {
            state.seek(state.length() / 2);
            int b = state.read();
            state.seek(state.length() / 2);
            state.write(b ^ 0x10);
        }
        expectRefused(corrupted, "corrupted");

        Path truncated = copy(snapshot, tmp.resolve("truncated"));
        try (RandomAccessFile memory = new RandomAccessFile(truncated.resolve("memory").toFile(), "rw")) {
            memory.setLength(memory.length() / 2);
        }
        expectRefused(truncated, "memory");

        Path damagedRam = copy(snapshot, tmp.resolve("damaged-ram"));
        try (RandomAccessFile memory = new RandomAccessFile(damagedRam.resolve("memory").toFile(), "rw")) {
            // The kernel's first page (the Image lies at the start of RAM + 2 MiB under the built-in SBI) holds data.
            memory.seek(2L << 20);
            int b = memory.read();
            memory.seek(2L << 20);
            memory.write(b ^ 0x01);
        }
        expectRefused(damagedRam, "corrupted");
    }

    private static void expectRefused(Path snapshot, String word) throws Exception {
        try (GuestUnderTest restore = GuestUnderTest.start("restore", snapshot.toString())) {
            assertThat(restore.waitForExit(STEP)).isEqualTo(2);
            String errors = restore.errors().strip();
            assertThat(errors).startsWith("jvmm: ").contains(word).doesNotContain("\n").doesNotContain("Exception");
        }
    }

    private static List<Long> awaitCounts(GuestUnderTest guest, int n) throws InterruptedException {
        long deadline = System.nanoTime() + STEP.toNanos();
        while (true) {
            List<Long> counts = GuestCounter.counts(guest.console());
            if (counts.size() >= n || System.nanoTime() > deadline) {
                assertThat(counts).hasSizeGreaterThanOrEqualTo(n);
                return counts;
            }
            Thread.sleep(200);
        }
    }

    private static Path copy(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        for (String name : List.of("memory", "state")) {
            // cp keeps the memory file sparse.
            Process cp = new ProcessBuilder("cp", "--sparse=always", from.resolve(name).toString(), to.resolve(name).toString())
                    .inheritIO().start();
            assertThat(cp.waitFor()).isZero();
        }
        return to;
    }
}

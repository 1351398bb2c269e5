package dev.jvmm.machine.migration;

import dev.jvmm.machine.BoardConfig;
import dev.jvmm.machine.MachineException;
import dev.jvmm.machine.state.MachineRecord;
import dev.jvmm.machine.state.StateFile;
import dev.jvmm.machine.state.StateRecord;
import dev.jvmm.memory.DirtyPageLog;
import dev.jvmm.memory.GuestMemory;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.zip.CRC32C;

/**
 * The sending end of a live migration, on a thread of its own while the guest runs.
 *
 * <p>Iterative pre-copy: round one sends every page (pages of zeros as a one-byte mark), each
 * later round the pages the guest dirtied meanwhile ({@link DirtyPageLog}). When what is left
 * would take less than {@link #TARGET_DOWNTIME_MILLIS} at the measured bandwidth, or rounds run
 * out, the guest is paused, its disks are flushed and their locks handed over, the last dirty
 * pages and the device state are sent, and after the destination's READY the source says GO.
 * If the guest dirties faster than the link carries, its harts are throttled step by step.
 *
 * <p>Failure anywhere before GO (a cut connection, a destination that refuses or dies, a version
 * mismatch) takes the disks' locks back and resumes the guest here, unharmed. After GO the
 * destination owns the guest; if its confirmation never comes, the source resumes only if it can
 * take its disks' locks back (a destination that died holds none), and otherwise stays paused, so
 * that two copies never write one disk.
 */
public final class MigrationSource implements Migration {

    /** What the source needs of its machine. */
    public interface Host {
        GuestMemory memory();

        BoardConfig board();

        void pause() throws InterruptedException;

        void resume();

        /** The guest's clock, frozen (called while paused). */
        long clockTicks();

        /** Every component's record (called while paused). */
        List<StateRecord> saveComponents();

        void setThrottle(int percent);

        void releaseDisks() throws MachineException;

        void reclaimDisks() throws MachineException;

        /** The destination runs the guest: this machine ends. */
        void handedOver(String destination);
    }

    static final long TARGET_DOWNTIME_MILLIS = 30;
    static final int MAX_ROUNDS = 60;
    static final int CONNECT_TIMEOUT_MILLIS = 10_000;
    static final int REPLY_TIMEOUT_MILLIS = 60_000;
    static final int THROTTLE_STEP = 20;
    static final int MAX_THROTTLE = 99;

    private final Host host;
    private final String destination;
    private final String hostName;
    private final int port;
    private final long totalPages;
    private final long startNanos = System.nanoTime();
    private final CountDownLatch ended = new CountDownLatch(1);

    private volatile MigrationStatus.State state = MigrationStatus.State.SETUP;
    private volatile long sentPages;
    private volatile long sentBytes;
    private volatile long remainingPages;
    private volatile long dirtyRate;
    private volatile long expectedDowntime;
    private volatile long downtime;
    private volatile long totalMillis;
    private volatile int throttle;
    private volatile String error;

    private MigrationSource(Host host, String hostName, int port) {
        this.host = host;
        this.hostName = hostName;
        this.port = port;
        this.destination = "tcp:" + hostName + ":" + port;
        this.totalPages = host.memory().size() / GuestMemory.PAGE_SIZE;
        this.remainingPages = totalPages;
    }

    /** Starts migrating {@code host}'s guest to {@code hostName:port} on a new thread. */
    public static MigrationSource start(Host host, String hostName, int port) {
        MigrationSource m = new MigrationSource(host, hostName, port);
        Thread.ofPlatform().name("jvmm-migration").daemon(true).start(m::run);
        return m;
    }

    /** Whether the migration is still under way. */
    public boolean isActive() {
        return ended.getCount() > 0;
    }

    @Override
    public MigrationStatus status() {
        long total = isActive() ? (System.nanoTime() - startNanos) / 1_000_000L : totalMillis;
        return new MigrationStatus(state, totalPages, sentPages, remainingPages, dirtyRate, expectedDowntime,
                downtime, total, throttle, Optional.ofNullable(error), sentBytes);
    }

    @Override
    public MigrationStatus awaitEnd() throws InterruptedException {
        ended.await();
        return status();
    }

    private void run() {
        boolean paused = false;
        boolean disksReleased = false;
        boolean goSent = false;
        long pauseStart = 0;
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(hostName, port), CONNECT_TIMEOUT_MILLIS);
            socket.setSoTimeout(REPLY_TIMEOUT_MILLIS);
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 20));
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            out.write(MigrationStream.MAGIC);
            out.writeInt(MigrationStream.VERSION);
            MigrationStream.writeBlob(out, MigrationStream.CONFIG,
                    StateFile.encode(List.of(new MachineRecord(host.board(), 0).encode())));
            state = MigrationStatus.State.ACTIVE;

            DirtyPageLog dirty = host.memory().dirtyPages();
            dirty.markAll();
            int lastRemaining = Integer.MAX_VALUE;
            for (int round = 1; ; round++) {
                remainingPages = dirty.dirtyCount(); // counts down as the round sends
                long t0 = System.nanoTime();
                long bytes = sendDirty(out, dirty);
                out.flush();
                long nanos = Math.max(1, System.nanoTime() - t0);
                int remaining = dirty.dirtyCount();
                remainingPages = remaining;
                dirtyRate = remaining * 1_000_000_000L / nanos;
                double bytesPerNano = Math.max(bytes, GuestMemory.PAGE_SIZE) / (double) nanos;
                expectedDowntime = (long) (remaining * (double) GuestMemory.PAGE_SIZE / bytesPerNano / 1e6);
                if (expectedDowntime <= TARGET_DOWNTIME_MILLIS || round >= MAX_ROUNDS) {
                    break;
                }
                if (round >= 2 && remaining >= lastRemaining * 9L / 10 && throttle < MAX_THROTTLE) {
                    // Not converging: slow the guest down.
                    throttle = Math.min(MAX_THROTTLE, throttle + THROTTLE_STEP);
                    host.setThrottle(throttle);
                }
                lastRemaining = remaining;
            }

            // Stop and copy.
            pauseStart = System.nanoTime();
            host.pause();
            paused = true;
            host.releaseDisks();
            disksReleased = true;
            sendDirty(out, dirty);
            remainingPages = 0;
            List<StateRecord> records = new ArrayList<>();
            records.add(new MachineRecord(host.board(), host.clockTicks()).encode());
            records.addAll(host.saveComponents());
            MigrationStream.writeBlob(out, MigrationStream.STATE, StateFile.encode(records));
            out.flush();
            expectReply(in, MigrationStream.READY);
            out.writeByte(MigrationStream.GO);
            out.flush();
            goSent = true;
            expectReply(in, MigrationStream.RUNNING);
            downtime = (System.nanoTime() - pauseStart) / 1_000_000L;
            state = MigrationStatus.State.COMPLETED;
            host.handedOver(destination);
        } catch (IOException | MachineException | RuntimeException | InterruptedException e) {
            fail(e, paused, disksReleased, goSent);
        } finally {
            totalMillis = (System.nanoTime() - startNanos) / 1_000_000L;
            ended.countDown();
        }
    }

    /** Puts the guest back as it was, unless the destination may be running it. */
    private void fail(Exception e, boolean paused, boolean disksReleased, boolean goSent) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        host.setThrottle(0);
        throttle = 0;
        if (disksReleased) {
            try {
                host.reclaimDisks();
            } catch (MachineException reclaim) {
                // Another process holds the disks: after GO that is the destination, running the guest.
                error = (goSent ? "the destination took over but did not confirm (" + why + "); "
                        : why + "; ") + reclaim.getMessage() + "; the guest stays paused here";
                state = MigrationStatus.State.FAILED;
                return;
            }
        }
        error = why + (paused ? "; the guest runs on here" : "");
        state = MigrationStatus.State.FAILED;
        if (paused) {
            host.resume();
        }
    }

    private static void expectReply(DataInputStream in, int wanted) throws IOException {
        int type = in.readUnsignedByte();
        if (type == MigrationStream.FAILED) {
            throw new IOException("the destination refused: " + MigrationStream.readReason(in));
        }
        if (type != wanted) {
            throw new IOException("the destination sent message " + type + " where " + wanted + " was expected");
        }
    }

    /** Sends every marked page (clearing its mark first); returns the bytes sent. */
    private long sendDirty(DataOutputStream out, DirtyPageLog dirty) throws IOException {
        MemorySegment ram = host.memory().segment();
        byte[] page = new byte[GuestMemory.PAGE_SIZE];
        int[] batch = new int[MigrationStream.BATCH_PAGES];
        long[] sent = {0};
        int[] count = {0};
        IOException[] failure = {null};
        dirty.collect(p -> {
            batch[count[0]++] = p;
            if (count[0] == batch.length) {
                try {
                    sent[0] += writeBatch(out, ram, batch, count[0], page);
                } catch (IOException e) {
                    failure[0] = e;
                    return false;
                }
                count[0] = 0;
            }
            return true;
        });
        if (failure[0] != null) {
            throw failure[0];
        }
        if (count[0] > 0) {
            sent[0] += writeBatch(out, ram, batch, count[0], page);
        }
        return sent[0];
    }

    private long writeBatch(DataOutputStream out, MemorySegment ram, int[] pages, int count, byte[] page) throws IOException {
        CRC32C crc = new CRC32C();
        out.writeByte(MigrationStream.PAGES);
        out.writeInt(count);
        long bytes = 5;
        for (int i = 0; i < count; i++) {
            int p = pages[i];
            MemorySegment.copy(ram, ValueLayout.JAVA_BYTE, (long) p * GuestMemory.PAGE_SIZE, page, 0, page.length);
            boolean zero = isZero(page);
            out.writeInt(p);
            out.writeByte(zero ? MigrationStream.PAGE_ZERO : MigrationStream.PAGE_DATA);
            crc.update(p >>> 24);
            crc.update(p >>> 16);
            crc.update(p >>> 8);
            crc.update(p);
            crc.update(zero ? MigrationStream.PAGE_ZERO : MigrationStream.PAGE_DATA);
            bytes += 5;
            if (!zero) {
                out.write(page);
                crc.update(page);
                bytes += page.length;
            }
        }
        out.writeInt((int) crc.getValue());
        sentPages += count;
        sentBytes += bytes + 4;
        remainingPages = Math.max(0, remainingPages - count);
        return bytes + 4;
    }

    static boolean isZero(byte[] page) {
        return java.util.Arrays.mismatch(page, ZEROS) < 0;
    }

    private static final byte[] ZEROS = new byte[GuestMemory.PAGE_SIZE];
}

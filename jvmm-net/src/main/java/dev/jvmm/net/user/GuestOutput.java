package dev.jvmm.net.user;

import dev.jvmm.net.NetBackend.FrameSink;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one way out to the guest: a bounded queue of finished frames drained by one thread
 * that calls the device's sink. Keeping the sink off every other thread means a full device
 * backlog never stalls {@code send()} (which may run on the very thread that drains the
 * backlog) and never happens under a connection's lock.
 *
 * <p>Replies made while handling a guest frame use {@link #offer} and are dropped when the
 * queue is full (the guest retries, TCP retransmits); data pulled from host sockets uses
 * {@link #put}, which waits, so host data backs up into the host socket instead.
 */
final class GuestOutput {

    private static final int CAPACITY = 512;

    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile byte[] guestMac = VirtualLan.BROADCAST_MAC;
    private volatile boolean closed;
    private Thread thread;

    /** Records the guest's MAC, learned from the source of its frames. */
    void learnGuestMac(byte[] frame) {
        byte[] current = guestMac;
        boolean same = true;
        for (int i = 0; i < 6; i++) {
            same &= current[i] == frame[6 + i];
        }
        if (!same) {
            byte[] mac = new byte[6];
            System.arraycopy(frame, 6, mac, 0, 6);
            guestMac = mac;
        }
    }

    /** The guest's MAC, or broadcast until one was learned. */
    byte[] guestMac() {
        return guestMac;
    }

    void start(FrameSink sink) {
        thread = Thread.ofPlatform().daemon().name("jvmm-net-user-to-guest").start(() -> run(sink));
    }

    private void run(FrameSink sink) {
        try {
            while (!closed) {
                byte[] f = queue.poll(200, TimeUnit.MILLISECONDS);
                if (f != null) {
                    sink.deliver(ByteBuffer.wrap(f));
                    delivered.incrementAndGet();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // a failing sink ends delivery; the backend keeps accepting frames and drops them
            closed = true;
        }
    }

    /** Queues a frame if there is room; returns false (and counts a drop) otherwise. */
    boolean offer(byte[] frame) {
        if (closed || !queue.offer(frame)) {
            dropped.incrementAndGet();
            return false;
        }
        return true;
    }

    /** Queues a frame, waiting for room; returns false if the output closed meanwhile. */
    boolean put(byte[] frame) throws InterruptedException {
        while (!closed) {
            if (queue.offer(frame, 100, TimeUnit.MILLISECONDS)) {
                return true;
            }
        }
        dropped.incrementAndGet();
        return false;
    }

    long delivered() {
        return delivered.get();
    }

    long dropped() {
        return dropped.get();
    }

    void close() throws InterruptedException {
        closed = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            t.join(2000);
        }
        queue.clear();
    }
}

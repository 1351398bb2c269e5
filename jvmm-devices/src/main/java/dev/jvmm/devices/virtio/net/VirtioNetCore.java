package dev.jvmm.devices.virtio.net;

import static dev.jvmm.devices.virtio.VirtioFeatures.bit;
import static dev.jvmm.devices.virtio.net.VirtioNetSpec.*;

import dev.jvmm.devices.virtio.AbstractVirtioDevice;
import dev.jvmm.devices.virtio.DeviceState;
import dev.jvmm.devices.virtio.GuestErrorLog;
import dev.jvmm.devices.virtio.VirtioFeatures;
import dev.jvmm.devices.virtio.VirtioIds;
import dev.jvmm.devices.virtio.queue.ChainReader;
import dev.jvmm.devices.virtio.queue.ChainWriter;
import dev.jvmm.devices.virtio.queue.DescriptorChain;
import dev.jvmm.devices.virtio.queue.SplitQueue;
import dev.jvmm.devices.virtio.queue.VirtqueueFault;
import dev.jvmm.memory.GuestMemory;
import dev.jvmm.memory.state.StateException;
import dev.jvmm.memory.state.StateReader;
import dev.jvmm.memory.state.StateWriter;
import dev.jvmm.net.NetBackend;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * The queue side of {@link VirtioNet}: config space, the receive backlog and the transmit
 * outbox, all under {@link #lock}. It never calls the backend; {@link VirtioNet} takes transmit
 * frames out of the outbox and sends them after this lock is released, so a backend thread
 * delivering a frame can never wait on a hart that is inside the backend.
 *
 * <p>While quiesced, frames from the backend are dropped (the network is lossy; holding them
 * could block the backend's thread for as long as the machine is paused) and a link change
 * is signalled to the driver only when quiescing ends. The state record holds the link status
 * the driver sees; frames in the backlog are not state, and a restore drops them.
 */
final class VirtioNetCore extends AbstractVirtioDevice {

    static final int RECEIVEQ = 0;
    static final int TRANSMITQ = 1;

    /** Transmit chains taken per pass before the outbox is sent, bounding the outbox. */
    private static final int TRANSMIT_BATCH = 256;
    /** How often a producer blocked on a full backlog rechecks whether the device went away. */
    private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final MacAddress mac;
    private final int backlogCapacity;
    private final NetCounters counters;
    private final Condition backlogNotFull = lock.newCondition();
    private final ArrayDeque<byte[]> backlog = new ArrayDeque<>();
    private final List<byte[]> outbox = new ArrayList<>();
    private boolean transmitMore;
    private boolean linkUp = true;
    /** The link changed while quiesced; the driver hears of it when quiescing ends. */
    private boolean linkChangeHeld;
    private boolean closed;

    VirtioNetCore(MacAddress mac, int queueSize, int backlogCapacity, NetCounters counters) {
        super(VirtioIds.VIRTIO_ID_NET, features(), queueSize, queueSize);
        this.mac = mac;
        this.backlogCapacity = backlogCapacity;
        this.counters = counters;
    }

    private static long features() {
        return VirtioFeatures.COMMON | bit(VIRTIO_NET_F_MAC) | bit(VIRTIO_NET_F_STATUS) | bit(VIRTIO_NET_F_MTU);
    }

    @Override
    protected byte[] configBytes() {
        ByteBuffer b = ByteBuffer.allocate(CONFIG_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(CONFIG_MAC, mac.bytes());
        b.putShort(CONFIG_STATUS, (short) (linkUp ? VIRTIO_NET_S_LINK_UP : 0));
        b.putShort(CONFIG_MAX_VIRTQUEUE_PAIRS, (short) 1);
        b.putShort(CONFIG_MTU, (short) MTU);
        return b.array();
    }

    boolean linkUp() {
        lock.lock();
        try {
            return linkUp;
        } finally {
            lock.unlock();
        }
    }

    void setLinkUp(boolean up) {
        lock.lock();
        try {
            if (linkUp != up) {
                linkUp = up;
                if (isQuiesced()) {
                    linkChangeHeld = true;
                } else {
                    withActiveQueues(active -> active.interrupt().signalConfigChange());
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Frames waiting for guest receive buffers. */
    int pendingReceive() {
        lock.lock();
        try {
            return backlog.size();
        } finally {
            lock.unlock();
        }
    }

    // ---- receive: backend threads -> backlog -> receiveq ----

    /**
     * The backend's sink. Copies the frame, waits while the backlog is full, and moves what it
     * can into the guest's receive buffers. Frames are dropped (and counted) when malformed,
     * or when the device cannot take them: before DRIVER_OK, after a driver error, while the
     * receive queue is not set up, while quiesced, and after close.
     */
    void deliver(ByteBuffer frame) throws InterruptedException {
        int length = frame.remaining();
        if (length < ETHERNET_HEADER_SIZE || length > NetBackend.MAX_FRAME) {
            counters.receiveDropped(1);
            return;
        }
        byte[] copy = new byte[length];
        frame.get(frame.position(), copy);
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            counters.receiveDropped(1);
            throw e;
        }
        try {
            while (true) {
                if (!acceptingFrames()) {
                    counters.receiveDropped(1);
                    return;
                }
                if (backlog.size() < backlogCapacity) {
                    break;
                }
                try {
                    // Timed, so a producer notices a driver error (which nobody signals) and stops waiting.
                    backlogNotFull.awaitNanos(RECHECK_NANOS);
                } catch (InterruptedException e) {
                    counters.receiveDropped(1);
                    throw e;
                }
            }
            backlog.addLast(copy);
            withActiveQueues(this::deliverBacklog);
        } finally {
            lock.unlock();
        }
    }

    private boolean acceptingFrames() {
        return !closed && !isQuiesced() && state() instanceof DeviceState.Active && queues().get(RECEIVEQ).isReady();
    }

    /** Moves backlog frames into receive chains, one frame per chain; called under the lock. */
    private void deliverBacklog(DeviceState.Active active) throws VirtqueueFault {
        SplitQueue queue = queues().get(RECEIVEQ);
        if (!queue.isReady()) {
            return;
        }
        GuestMemory memory = active.memory();
        boolean used = false;
        while (!backlog.isEmpty()) {
            DescriptorChain chain = queue.pop(memory);
            if (chain == null) {
                // Out of buffers: ask the driver to notify when it adds some.
                if (queue.enableNotification(memory)) {
                    continue;
                }
                break;
            }
            byte[] frame = backlog.removeFirst();
            queue.addUsed(memory, chain.headIndex(), writeFrame(memory, chain, frame));
            used = true;
            if (queue.usedSinceLastNotificationCheck() >= queue.size()) {
                notifyIfWanted(active, queue);
            }
        }
        if (used) {
            backlogNotFull.signalAll();
            notifyIfWanted(active, queue);
        }
    }

    /** Writes header and frame into {@code chain}; returns the used length (0 if it did not fit). */
    private int writeFrame(GuestMemory memory, DescriptorChain chain, byte[] frame) {
        long room = chain.writableLength();
        if (room < HEADER_SIZE + frame.length) {
            // Without MRG_RXBUF every buffer must hold a whole frame; the driver's buffers are too small.
            GuestErrorLog.warn("virtio-net: receive buffer of %d bytes cannot hold a %d-byte frame; dropped",
                    room, frame.length);
            counters.receiveDropped(1);
            return 0;
        }
        byte[] header = new byte[HEADER_SIZE];
        header[HDR_NUM_BUFFERS] = 1; // le16 1; every other field 0: no checksum info, GSO_NONE
        ChainWriter writer = new ChainWriter(memory, chain.writable());
        writer.write(header, 0, HEADER_SIZE);
        writer.write(frame, 0, frame.length);
        counters.received(frame.length);
        return HEADER_SIZE + frame.length;
    }

    // ---- transmit: transmitq -> outbox (VirtioNet sends it) ----

    @Override
    protected void processQueue(DeviceState.Active active, int index) throws VirtqueueFault {
        if (index == RECEIVEQ) {
            deliverBacklog(active);
        } else {
            collectTransmit(active);
        }
    }

    /**
     * Completes up to {@link #TRANSMIT_BATCH} transmit chains, copying their frames to the
     * outbox; if chains remain, sets {@link #transmitMore} instead of re-arming notifications.
     */
    private void collectTransmit(DeviceState.Active active) throws VirtqueueFault {
        SplitQueue queue = queues().get(TRANSMITQ);
        GuestMemory memory = active.memory();
        int budget = TRANSMIT_BATCH;
        do {
            DescriptorChain chain;
            while ((chain = queue.pop(memory)) != null) {
                byte[] frame = readFrame(memory, chain);
                if (frame != null) {
                    outbox.add(frame);
                }
                queue.addUsed(memory, chain.headIndex(), 0);
                if (--budget == 0) {
                    transmitMore = true;
                    notifyIfWanted(active, queue);
                    return;
                }
                if (queue.usedSinceLastNotificationCheck() >= queue.size()) {
                    notifyIfWanted(active, queue);
                }
            }
        } while (queue.enableNotification(memory));
        notifyIfWanted(active, queue);
    }

    /** The frame behind the header of a transmit chain, or null (counted) if it must be dropped. */
    private byte[] readFrame(GuestMemory memory, DescriptorChain chain) {
        long total = chain.readableLength();
        long frameLength = total - HEADER_SIZE;
        if (total < HEADER_SIZE || frameLength < ETHERNET_HEADER_SIZE || frameLength > NetBackend.MAX_FRAME) {
            GuestErrorLog.warn("virtio-net: transmit chain of %d bytes is not a header and a frame; dropped", total);
            counters.transmitDropped();
            return null;
        }
        ChainReader reader = new ChainReader(memory, chain.readable());
        byte[] header = new byte[HEADER_SIZE];
        reader.read(header, 0, HEADER_SIZE);
        if ((header[HDR_FLAGS] & VIRTIO_NET_HDR_F_NEEDS_CSUM) != 0 || header[HDR_GSO_TYPE] != VIRTIO_NET_HDR_GSO_NONE) {
            // Checksum and segmentation offloads were never offered.
            GuestErrorLog.warn("virtio-net: transmit header asks for an offload (flags 0x%x, gso_type 0x%x); dropped",
                    header[HDR_FLAGS], header[HDR_GSO_TYPE]);
            counters.transmitDropped();
            return null;
        }
        byte[] frame = new byte[(int) frameLength];
        reader.read(frame, 0, frame.length);
        return frame;
    }

    /** Takes the frames collected for transmission, oldest first. */
    List<byte[]> takeOutbox() {
        lock.lock();
        try {
            List<byte[]> frames = List.copyOf(outbox);
            outbox.clear();
            return frames;
        } finally {
            lock.unlock();
        }
    }

    /** Whether a transmit pass stopped at its batch limit with chains left; clears the flag. */
    boolean takeTransmitMore() {
        lock.lock();
        try {
            boolean more = transmitMore;
            transmitMore = false;
            return more;
        } finally {
            lock.unlock();
        }
    }

    // ---- lifecycle ----

    @Override
    protected void onReset() {
        // Frames for the previous driver instance are stale: drop them, and let blocked producers go.
        dropBacklog();
        transmitMore = false;
    }

    @Override
    protected void onUnquiesce() {
        if (linkChangeHeld) {
            linkChangeHeld = false;
            withActiveQueues(active -> active.interrupt().signalConfigChange());
        }
        withActiveQueues(this::deliverBacklog);
    }

    @Override
    protected void saveDeviceState(StateWriter out) {
        out.putBoolean(linkUp);
    }

    @Override
    protected Runnable readDeviceState(StateReader in, int version) throws StateException {
        boolean restoredLinkUp = in.getBoolean("link up");
        return () -> {
            linkUp = restoredLinkUp;
            linkChangeHeld = false;
            dropBacklog(); // frames for the guest as it was before the restore
            transmitMore = false;
            outbox.clear();
        };
    }

    /** Stops taking frames for good and releases producers waiting on the backlog. */
    void close() {
        lock.lock();
        try {
            closed = true;
            dropBacklog();
        } finally {
            lock.unlock();
        }
    }

    private void dropBacklog() {
        counters.receiveDropped(backlog.size());
        backlog.clear();
        backlogNotFull.signalAll();
    }
}

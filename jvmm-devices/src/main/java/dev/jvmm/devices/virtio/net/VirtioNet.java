package dev.jvmm.devices.virtio.net;

import dev.jvmm.devices.virtio.DeviceState;
import dev.jvmm.devices.virtio.GuestErrorLog;
import dev.jvmm.devices.virtio.PreparedRestore;
import dev.jvmm.devices.virtio.VirtioDevice;
import dev.jvmm.devices.virtio.VirtioInterrupt;
import dev.jvmm.devices.virtio.queue.SplitQueue;
import dev.jvmm.memory.GuestMemory;
import dev.jvmm.memory.state.StateException;
import dev.jvmm.memory.state.StateReader;
import dev.jvmm.memory.state.StateWriter;
import dev.jvmm.net.NetBackend;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The network device (VIRTIO 1.2 §5.1) over a {@link NetBackend}: receiveq 0, transmitq 1, no
 * control queue. It offers VIRTIO_NET_F_MAC, _STATUS (link up) and _MTU (1500) besides the
 * common ring features, and no checksum or segmentation offloads, so every frame is a complete
 * Ethernet frame of at most {@link NetBackend#MAX_FRAME} bytes behind a 12-byte virtio_net_hdr.
 *
 * <p>Transmit: chains are completed as they are read; a chain that is not a 12-byte header plus
 * a 14..{@code MAX_FRAME}-byte frame, or whose header asks for an offload, is completed and its
 * frame dropped. Frames go to {@link NetBackend#send} in guest order on the notifying thread,
 * but only after the device lock is released.
 *
 * <p>Receive: backend frames wait in a bounded backlog (in frames) until the driver offers
 * receive buffers; the backend's thread blocks in the sink while the backlog is full. Each
 * frame takes one chain; a chain too small for header and frame is completed with length 0
 * and the frame dropped. Frames that arrive while the device is not active (before DRIVER_OK,
 * after a driver error, after close) are dropped, and a reset drops the backlog: a new driver
 * instance never sees frames meant for the old one, and a backend never stays blocked on a
 * device that has no driver. All drops are counted in {@link #metrics()}.
 *
 * <p>Lifecycle: construct, {@link #start()} the backend once, hand the device to its transport;
 * {@link #close()} closes the backend with the device. The backend's sink may block until the
 * guest offers buffers, so a backend must not hold anything its {@code send} needs while it
 * delivers.
 *
 * <p>Threads: transmission runs on the hart thread that notified the transmit queue; received
 * frames are written into guest memory on the backend's thread, under the device lock. While
 * {@linkplain #quiesce() quiesced} the device drops arriving frames (counted as receive drops)
 * and holds back link changes, so the backend's thread neither blocks nor writes guest RAM.
 *
 * <p>State: the common virtio state and the link status. The MAC address is configuration
 * (the restoring machine builds the card with the same one); frames waiting in the backlog are
 * not state and are dropped by a restore, as a lossy network may.
 */
public final class VirtioNet implements VirtioDevice, AutoCloseable {

    public static final int RECEIVEQ = VirtioNetCore.RECEIVEQ;
    public static final int TRANSMITQ = VirtioNetCore.TRANSMITQ;
    /** Entries of each queue. */
    public static final int QUEUE_SIZE = 256;
    /** Frames buffered for the guest before the backend's sink blocks. */
    public static final int DEFAULT_BACKLOG_FRAMES = 256;

    private final NetBackend backend;
    private final MacAddress mac;
    private final NetCounters counters = new NetCounters();
    private final VirtioNetCore core;
    /** Serialises sending so frames reach the backend in guest order; never held by the sink. */
    private final ReentrantLock sendLock = new ReentrantLock();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    public VirtioNet(NetBackend backend, MacAddress mac) {
        this(backend, mac, DEFAULT_BACKLOG_FRAMES);
    }

    /** A device with the MAC address {@code mac} (six bytes). */
    public VirtioNet(NetBackend backend, byte[] mac) {
        this(backend, MacAddress.of(mac));
    }

    public VirtioNet(NetBackend backend, MacAddress mac, int backlogFrames) {
        if (backlogFrames <= 0) {
            throw new IllegalArgumentException("backlog must hold at least one frame: " + backlogFrames);
        }
        this.backend = Objects.requireNonNull(backend, "backend");
        this.mac = Objects.requireNonNull(mac, "mac");
        this.core = new VirtioNetCore(mac, QUEUE_SIZE, backlogFrames, counters);
    }

    /** Starts the backend's delivery into this device; call once, before or after activation. */
    public void start() throws IOException {
        if (closed.get()) {
            throw new IllegalStateException("virtio-net device is closed");
        }
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("virtio-net backend already started");
        }
        backend.start(core::deliver);
    }

    /**
     * Stops taking frames (releasing a backend thread blocked in the sink), then closes the
     * backend once no send is in progress. The guest's later transmissions are dropped.
     */
    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        core.close();
        sendLock.lock();
        try {
            backend.close();
        } finally {
            sendLock.unlock();
        }
    }

    public MacAddress mac() {
        return mac;
    }

    public NetMetrics metrics() {
        return counters.snapshot();
    }

    public boolean linkUp() {
        return core.linkUp();
    }

    /** Sets the link status the driver sees, with a configuration change interrupt if active. */
    public void setLinkUp(boolean up) {
        core.setLinkUp(up);
    }

    /** Frames from the backend not yet in a guest buffer. */
    public int pendingReceiveFrames() {
        return core.pendingReceive();
    }

    @Override
    public int deviceType() {
        return core.deviceType();
    }

    @Override
    public long offeredFeatures() {
        return core.offeredFeatures();
    }

    @Override
    public long ackedFeatures() {
        return core.ackedFeatures();
    }

    @Override
    public void ackFeatures(long features) {
        core.ackFeatures(features);
    }

    @Override
    public List<SplitQueue> queues() {
        return core.queues();
    }

    @Override
    public int configSize() {
        return core.configSize();
    }

    @Override
    public void readConfig(int offset, byte[] dst) {
        core.readConfig(offset, dst);
    }

    @Override
    public void writeConfig(int offset, byte[] src) {
        core.writeConfig(offset, src);
    }

    @Override
    public void activate(GuestMemory memory, VirtioInterrupt interrupt) {
        core.activate(memory, interrupt);
        // The driver may have queued frames before DRIVER_OK.
        transmitPending();
    }

    @Override
    public DeviceState state() {
        return core.state();
    }

    @Override
    public void reset() {
        core.reset();
    }

    @Override
    public void queueNotified(int index) {
        core.queueNotified(index);
        if (index == TRANSMITQ) {
            transmitPending();
        }
    }

    @Override
    public int stateVersion() {
        return core.stateVersion();
    }

    @Override
    public void saveState(StateWriter out) {
        core.saveState(out);
    }

    @Override
    public PreparedRestore prepareRestore(StateReader in, int version, GuestMemory memory, VirtioInterrupt interrupt)
            throws StateException {
        return core.prepareRestore(in, version, memory, interrupt);
    }

    @Override
    public void quiesce() {
        core.quiesce();
    }

    @Override
    public void unquiesce() {
        core.unquiesce();
    }

    /** Sends the outbox, and keeps taking transmit chains while a pass stopped at its batch limit. */
    private void transmitPending() {
        sendLock.lock();
        try {
            while (true) {
                for (byte[] frame : core.takeOutbox()) {
                    send(frame);
                }
                if (!core.takeTransmitMore()) {
                    return;
                }
                core.queueNotified(TRANSMITQ);
            }
        } finally {
            sendLock.unlock();
        }
    }

    private void send(byte[] frame) {
        if (closed.get()) {
            counters.transmitDropped();
            return;
        }
        try {
            backend.send(ByteBuffer.wrap(frame));
            counters.transmitted(frame.length);
        } catch (RuntimeException e) {
            // A backend failure must not reach the hart; the guest sees a lost frame.
            GuestErrorLog.warn("virtio-net: backend refused a %d-byte frame: %s", frame.length, e);
            counters.transmitDropped();
        }
    }
}

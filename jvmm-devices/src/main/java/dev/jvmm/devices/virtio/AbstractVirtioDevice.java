package dev.jvmm.devices.virtio;

import dev.jvmm.devices.virtio.queue.DescriptorChain;
import dev.jvmm.devices.virtio.queue.SplitQueue;
import dev.jvmm.devices.virtio.queue.VirtqueueFault;
import dev.jvmm.memory.GuestMemory;
import dev.jvmm.memory.state.StateException;
import dev.jvmm.memory.state.StateReader;
import dev.jvmm.memory.state.StateWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The lifecycle and queue plumbing every virtio device shares: feature bookkeeping, the
 * {@link DeviceState} machine, and turning driver protocol errors into DEVICE_NEEDS_RESET.
 *
 * <p>A subclass says what its queues carry ({@link #processQueue}) and what its config space
 * holds ({@link #configBytes}). All work happens under {@link #lock}; a subclass that takes
 * host input on its own thread takes the same lock and uses {@link #withActiveQueues}.
 *
 * <p>State: the record this class writes holds the device type, the lifecycle (with the reason
 * of a needs-reset), the accepted features and each queue's {@link SplitQueue.State}; a
 * subclass appends its own state through {@link #saveDeviceState} and
 * {@link #readDeviceState}. Ring features are not stored; a restore derives them from the
 * accepted features, as activation does.
 *
 * <p>Threads: hart threads call in through the transport; a back-end thread (host input) takes
 * {@link #lock} for every delivery and checks {@link #isQuiesced()} first, so
 * {@link #quiesce()}, which sets the flag under the lock, returns only after any delivery in
 * progress has finished. A subclass with such a thread holds its input back while quiesced and
 * delivers it in {@link #onUnquiesce()}.
 */
public abstract class AbstractVirtioDevice implements VirtioDevice {

    private static final System.Logger LOG = System.getLogger(AbstractVirtioDevice.class.getName());

    /** Characters of a needs-reset reason kept in a state record (it is only for the log). */
    private static final int MAX_REASON_CHARS = 256;
    private static final int MAX_REASON_BYTES = 4 * MAX_REASON_CHARS;
    // The lifecycle byte of a state record.
    private static final int LIFECYCLE_INACTIVE = 0;
    private static final int LIFECYCLE_ACTIVE = 1;
    private static final int LIFECYCLE_NEEDS_RESET = 2;

    /** Guards the device state, the queues and the subclass's own state. */
    protected final ReentrantLock lock = new ReentrantLock();

    private final int deviceType;
    private final long offeredFeatures;
    private final List<SplitQueue> queues;
    private long ackedFeatures;
    private DeviceState state = DeviceState.INACTIVE;
    private boolean quiesced;

    /** Work on an active device's queues that may find a driver error. */
    @FunctionalInterface
    protected interface QueueWork {
        void run(DeviceState.Active active) throws VirtqueueFault;
    }

    /** Handles one chain and returns how many bytes the device wrote into it. */
    @FunctionalInterface
    protected interface ChainHandler {
        long handle(DeviceState.Active active, DescriptorChain chain);
    }

    protected AbstractVirtioDevice(int deviceType, long offeredFeatures, int... queueMaxSizes) {
        if (!VirtioFeatures.has(offeredFeatures, VirtioFeatures.VIRTIO_F_VERSION_1)) {
            throw new IllegalArgumentException("a modern device must offer VIRTIO_F_VERSION_1");
        }
        this.deviceType = deviceType;
        this.offeredFeatures = offeredFeatures;
        this.queues = Arrays.stream(queueMaxSizes).mapToObj(SplitQueue::new).toList();
    }

    @Override
    public final int deviceType() {
        return deviceType;
    }

    @Override
    public final long offeredFeatures() {
        return offeredFeatures;
    }

    @Override
    public final long ackedFeatures() {
        lock.lock();
        try {
            return ackedFeatures;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the driver accepted feature bit {@code number}. */
    protected final boolean acked(int number) {
        return VirtioFeatures.has(ackedFeatures(), number);
    }

    @Override
    public final void ackFeatures(long features) {
        lock.lock();
        try {
            long unknown = features & ~offeredFeatures;
            if (unknown != 0) {
                GuestErrorLog.warn("virtio device %d: driver acked unoffered features 0x%x, masked", deviceType, unknown);
            }
            ackedFeatures = features & offeredFeatures;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public final List<SplitQueue> queues() {
        return queues;
    }

    @Override
    public final int configSize() {
        return configBytes().length;
    }

    /** The current config space, little-endian as the spec lays it out. */
    protected abstract byte[] configBytes();

    @Override
    public final void readConfig(int offset, byte[] dst) {
        Arrays.fill(dst, (byte) 0);
        lock.lock();
        try {
            byte[] config = configBytes();
            if (offset >= 0 && offset < config.length) {
                System.arraycopy(config, offset, dst, 0, Math.min(dst.length, config.length - offset));
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void writeConfig(int offset, byte[] src) {
        // No device here has driver-writable config fields yet.
    }

    @Override
    public final void activate(GuestMemory memory, VirtioInterrupt interrupt) {
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(interrupt, "interrupt");
        lock.lock();
        try {
            if (!(state instanceof DeviceState.Inactive)) {
                return;
            }
            setRingFeatures(ackedFeatures);
            state = new DeviceState.Active(memory, interrupt);
            // Chains made available before DRIVER_OK (the driver may pre-fill receive queues).
            for (int i = 0; i < queues.size(); i++) {
                int index = i;
                if (queues.get(i).isReady()) {
                    withActiveQueues(active -> processQueue(active, index));
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void setRingFeatures(long features) {
        boolean indirect = VirtioFeatures.has(features, VirtioFeatures.VIRTIO_RING_F_INDIRECT_DESC);
        boolean eventIdx = VirtioFeatures.has(features, VirtioFeatures.VIRTIO_RING_F_EVENT_IDX);
        queues.forEach(q -> q.setRingFeatures(indirect, eventIdx));
    }

    @Override
    public final DeviceState state() {
        lock.lock();
        try {
            return state;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public final void reset() {
        lock.lock();
        try {
            state = DeviceState.INACTIVE;
            ackedFeatures = 0;
            queues.forEach(SplitQueue::reset);
            onReset();
        } finally {
            lock.unlock();
        }
    }

    /** Clears device-specific state on reset; called under the lock. */
    protected void onReset() {
    }

    @Override
    public final void queueNotified(int index) {
        if (index < 0 || index >= queues.size()) {
            return;
        }
        lock.lock();
        try {
            if (queues.get(index).isReady()) {
                withActiveQueues(active -> processQueue(active, index));
            }
        } finally {
            lock.unlock();
        }
    }

    /** Handles the driver's notification of ready queue {@code index}; called under the lock. */
    protected abstract void processQueue(DeviceState.Active active, int index) throws VirtqueueFault;

    /**
     * Runs {@code work} if the device is active; a driver error it finds (or any unexpected
     * exception, which would be a jvmm bug) moves the device to {@link DeviceState.NeedsReset}.
     * Call with the lock held.
     */
    protected final void withActiveQueues(QueueWork work) {
        if (!(state instanceof DeviceState.Active active)) {
            return;
        }
        try {
            work.run(active);
        } catch (VirtqueueFault fault) {
            needsReset(active, fault.getMessage());
        } catch (RuntimeException bug) {
            LOG.log(System.Logger.Level.ERROR, "virtio device " + deviceType + " failed", bug);
            needsReset(active, "internal error: " + bug);
        }
    }

    private void needsReset(DeviceState.Active active, String reason) {
        state = new DeviceState.NeedsReset(reason);
        active.interrupt().signalNeedsReset(reason);
    }

    /**
     * Pops and completes every available chain of {@code queue} with {@code handler}, then
     * re-arms notifications, and interrupts the driver if it asked for it.
     */
    protected final void drainQueue(DeviceState.Active active, SplitQueue queue, ChainHandler handler)
            throws VirtqueueFault {
        GuestMemory memory = active.memory();
        do {
            DescriptorChain chain;
            while ((chain = queue.pop(memory)) != null) {
                long written = handler.handle(active, chain);
                queue.addUsed(memory, chain.headIndex(), (int) Math.min(written, 0xFFFF_FFFFL));
                // Keep the 16-bit event-index comparison meaningful on very long runs.
                if (queue.usedSinceLastNotificationCheck() >= queue.size()) {
                    notifyIfWanted(active, queue);
                }
            }
        } while (queue.enableNotification(memory));
        notifyIfWanted(active, queue);
    }

    /** Raises the used-buffer interrupt if the driver's suppression settings ask for it. */
    protected final void notifyIfWanted(DeviceState.Active active, SplitQueue queue) {
        if (queue.needsNotification(active.memory())) {
            active.interrupt().signalUsedBuffers();
        }
    }

    // ---- state: snapshots and migration ----

    /** Version 1; a subclass that changes its part of the layout raises it. */
    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public final void saveState(StateWriter out) {
        lock.lock();
        try {
            out.putInt(deviceType);
            switch (state) {
                case DeviceState.Inactive _ -> out.putByte(LIFECYCLE_INACTIVE);
                case DeviceState.Active _ -> out.putByte(LIFECYCLE_ACTIVE);
                case DeviceState.NeedsReset needsReset -> {
                    out.putByte(LIFECYCLE_NEEDS_RESET);
                    String reason = needsReset.reason();
                    out.putString(reason.length() > MAX_REASON_CHARS ? reason.substring(0, MAX_REASON_CHARS) : reason);
                }
            }
            out.putLong(ackedFeatures);
            out.putInt(queues.size());
            for (SplitQueue queue : queues) {
                queue.state().write(out);
            }
            saveDeviceState(out);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public final PreparedRestore prepareRestore(StateReader in, int version, GuestMemory memory, VirtioInterrupt interrupt)
            throws StateException {
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(interrupt, "interrupt");
        if (version < 1 || version > stateVersion()) {
            throw in.bad("version", version + " is not understood (this device writes " + stateVersion() + ")");
        }
        int type = in.getInt("device type");
        if (type != deviceType) {
            throw in.bad("device type", "%d does not match this device (%d)".formatted(type, deviceType));
        }
        int lifecycle = in.getByte("lifecycle");
        DeviceState restored = switch (lifecycle) {
            case LIFECYCLE_INACTIVE -> DeviceState.INACTIVE;
            case LIFECYCLE_ACTIVE -> new DeviceState.Active(memory, interrupt);
            case LIFECYCLE_NEEDS_RESET -> new DeviceState.NeedsReset(in.getString("needs-reset reason", MAX_REASON_BYTES));
            default -> throw in.bad("lifecycle", lifecycle + " is not a lifecycle state");
        };
        long acked = in.getLong("acked features");
        if ((acked & ~offeredFeatures) != 0) {
            throw in.bad("acked features", "0x%x include features this device does not offer".formatted(acked));
        }
        in.getInt("queue count", queues.size(), queues.size());
        List<SplitQueue.State> queueStates = new ArrayList<>(queues.size());
        for (int i = 0; i < queues.size(); i++) {
            SplitQueue.State queue = SplitQueue.State.read(in, "queue " + i);
            checkQueue(in, i, queue, restored, memory);
            queueStates.add(queue);
        }
        Runnable deviceState = readDeviceState(in, version);
        in.expectEnd();
        return new PreparedRestore(restored, acked, () -> {
            lock.lock();
            try {
                state = restored;
                ackedFeatures = acked;
                for (int i = 0; i < queues.size(); i++) {
                    queues.get(i).restore(queueStates.get(i));
                }
                setRingFeatures(restored instanceof DeviceState.Inactive ? 0 : acked);
                deviceState.run();
            } finally {
                lock.unlock();
            }
        });
    }

    /** Rejects a queue record that this device could not have been in. */
    private void checkQueue(StateReader in, int index, SplitQueue.State queue, DeviceState lifecycle, GuestMemory memory)
            throws StateException {
        String name = "queue " + index;
        if (lifecycle instanceof DeviceState.Inactive && !queue.atStart()) {
            throw in.bad(name, "of an inactive device has moved from its start");
        }
        if (lifecycle instanceof DeviceState.Active && queue.ready()) {
            // Activation checked it; a record of an active device must pass the same check.
            var problem = SplitQueue.check(queue, queues.get(index).maxSize(), memory);
            if (problem.isPresent()) {
                throw in.bad(name, problem.get());
            }
        }
    }

    /** Writes the subclass's own state after the common part; called under the lock. */
    protected void saveDeviceState(StateWriter out) {
    }

    /**
     * Reads and checks what {@link #saveDeviceState} wrote, without changing anything; returns
     * the action that applies it, which runs under the lock after the common part is applied
     * and must not fail. Called without the lock.
     */
    protected Runnable readDeviceState(StateReader in, int version) throws StateException {
        return () -> { };
    }

    // ---- quiescing back ends ----

    @Override
    public final void quiesce() {
        lock.lock();
        try {
            quiesced = true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public final void unquiesce() {
        lock.lock();
        try {
            if (!quiesced) {
                return;
            }
            quiesced = false;
            onUnquiesce();
        } finally {
            lock.unlock();
        }
    }

    /** Whether back ends are held off; call with the lock held. */
    protected final boolean isQuiesced() {
        return quiesced;
    }

    /** Releases held-back input and delivers it; called under the lock when quiescing ends. */
    protected void onUnquiesce() {
    }
}

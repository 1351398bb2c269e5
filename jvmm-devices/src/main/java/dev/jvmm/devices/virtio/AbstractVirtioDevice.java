package dev.jvmm.devices.virtio;

import dev.jvmm.devices.virtio.queue.DescriptorChain;
import dev.jvmm.devices.virtio.queue.SplitQueue;
import dev.jvmm.devices.virtio.queue.VirtqueueFault;
import dev.jvmm.memory.GuestMemory;
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
 */
public abstract class AbstractVirtioDevice implements VirtioDevice {

    private static final System.Logger LOG = System.getLogger(AbstractVirtioDevice.class.getName());

    /** Guards the device state, the queues and the subclass's own state. */
    protected final ReentrantLock lock = new ReentrantLock();

    private final int deviceType;
    private final long offeredFeatures;
    private final List<SplitQueue> queues;
    private long ackedFeatures;
    private DeviceState state = DeviceState.INACTIVE;

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
            boolean indirect = VirtioFeatures.has(ackedFeatures, VirtioFeatures.VIRTIO_RING_F_INDIRECT_DESC);
            boolean eventIdx = VirtioFeatures.has(ackedFeatures, VirtioFeatures.VIRTIO_RING_F_EVENT_IDX);
            queues.forEach(q -> q.setRingFeatures(indirect, eventIdx));
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
}

package dev.jvmm.devices.virtio.transport;

import static dev.jvmm.devices.virtio.transport.VirtioMmioRegisters.*;

import dev.jvmm.devices.virtio.DeviceStatus;
import dev.jvmm.devices.virtio.DeviceState;
import dev.jvmm.devices.virtio.GuestErrorLog;
import dev.jvmm.devices.virtio.PreparedRestore;
import dev.jvmm.devices.virtio.VirtioDevice;
import dev.jvmm.devices.virtio.VirtioFeatures;
import dev.jvmm.devices.virtio.VirtioInterrupt;
import dev.jvmm.devices.virtio.queue.SplitQueue;
import dev.jvmm.memory.GuestMemory;
import dev.jvmm.memory.InterruptLine;
import dev.jvmm.memory.MmioDevice;
import dev.jvmm.memory.state.StateException;
import dev.jvmm.memory.state.StateReader;
import dev.jvmm.memory.state.StateWriter;
import dev.jvmm.memory.state.Stateful;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The virtio-mmio transport, version 2 only (VIRTIO 1.2 §4.2): the register window through
 * which a driver discovers, negotiates with, configures and notifies one {@link VirtioDevice},
 * and the level-triggered interrupt line that is high while InterruptStatus is non-zero.
 *
 * <p>Negotiation: FEATURES_OK is refused (left clear when the driver reads Status back) unless
 * the driver accepted VIRTIO_F_VERSION_1 and nothing the device did not offer. DRIVER_OK checks
 * every ready queue (size, alignment, rings in RAM) and activates the device; a bad queue, or
 * DRIVER_OK without FEATURES_OK, sets DEVICE_NEEDS_RESET with a configuration change interrupt
 * instead. Writing 0 to Status resets the transport and the device.
 *
 * <p>Registers take aligned 32-bit accesses (other widths read 0 and are ignored); config space
 * at 0x100 takes 1, 2, 4 and 8-byte accesses. Queue registers are frozen once DRIVER_OK is set.
 *
 * <p>Locking: register state is guarded by one lock; the interrupt status by another, taken
 * only to change the line. QueueNotify is handed to the device outside the register lock, so a
 * device working on a host thread can signal interrupts without lock-order cycles.
 *
 * <p>State: one record holds the whole virtio slot: the transport's registers (status,
 * feature selectors, the driver's features, queue select, interrupt status, needs-reset,
 * config generation) and, nested, the device's record (lifecycle, accepted features, each
 * queue's configuration and position, device-specific state). Restoring checks both against
 * each other before changing either, reactivates an active device on this transport's memory
 * and interrupt without touching guest RAM, and drives the interrupt line to match. Quiescing
 * the device's back ends is {@link VirtioDevice#quiesce()} on {@link #device()}.
 */
public final class MmioTransport implements MmioDevice, Stateful {

    private static final int DRIVER_WRITABLE_STATUS = 0xFF & ~DeviceStatus.DEVICE_NEEDS_RESET;

    private final GuestMemory memory;
    private final VirtioDevice device;
    private final InterruptLine irq;
    private final Signals signals = new Signals();

    private final ReentrantLock registers = new ReentrantLock();
    private int status;
    private int deviceFeaturesSel;
    private int driverFeaturesSel;
    private long driverFeatures;
    private int queueSel;

    private final Object irqLock = new Object();
    private int interruptStatus;
    private boolean irqLevel;

    private volatile boolean needsReset;
    private final AtomicInteger configGeneration = new AtomicInteger();

    /**
     * A transport for {@code device}, which it will let use {@code memory} after DRIVER_OK,
     * raising {@code irq} (its PLIC source) while an interrupt is pending.
     */
    public MmioTransport(GuestMemory memory, VirtioDevice device, InterruptLine irq) {
        this.memory = Objects.requireNonNull(memory, "memory");
        this.device = Objects.requireNonNull(device, "device");
        this.irq = Objects.requireNonNull(irq, "irq");
    }

    public VirtioDevice device() {
        return device;
    }

    @Override
    public long read(long offset, int size) {
        if (offset >= CONFIG && offset < REGION_SIZE) {
            return readConfig((int) (offset - CONFIG), size);
        }
        if (size != 4 || offset < 0 || offset >= CONFIG || (offset & 3) != 0) {
            return 0;
        }
        registers.lock();
        try {
            return Integer.toUnsignedLong(readRegister((int) offset));
        } finally {
            registers.unlock();
        }
    }

    private int readRegister(int offset) {
        return switch (offset) {
            case MAGIC_VALUE -> MAGIC;
            case VERSION -> VERSION_MODERN;
            case DEVICE_ID -> device.deviceType();
            case VENDOR_ID_REGISTER -> VENDOR_ID;
            case DEVICE_FEATURES -> featurePage(device.offeredFeatures(), deviceFeaturesSel);
            case QUEUE_NUM_MAX -> selectedQueue().map(SplitQueue::maxSize).orElse(0);
            case QUEUE_NUM -> selectedQueue().map(SplitQueue::size).orElse(0);
            case QUEUE_READY -> selectedQueue().map(q -> q.isReady() ? 1 : 0).orElse(0);
            case INTERRUPT_STATUS -> interruptStatus();
            case STATUS -> status | (needsReset ? DeviceStatus.DEVICE_NEEDS_RESET : 0);
            case QUEUE_DESC_LOW -> selectedQueue().map(q -> (int) q.descriptorTable()).orElse(0);
            case QUEUE_DESC_HIGH -> selectedQueue().map(q -> (int) (q.descriptorTable() >>> 32)).orElse(0);
            case QUEUE_DRIVER_LOW -> selectedQueue().map(q -> (int) q.availRing()).orElse(0);
            case QUEUE_DRIVER_HIGH -> selectedQueue().map(q -> (int) (q.availRing() >>> 32)).orElse(0);
            case QUEUE_DEVICE_LOW -> selectedQueue().map(q -> (int) q.usedRing()).orElse(0);
            case QUEUE_DEVICE_HIGH -> selectedQueue().map(q -> (int) (q.usedRing() >>> 32)).orElse(0);
            // No shared memory regions: a length of all ones says "no such region".
            case SHM_LEN_LOW, SHM_LEN_HIGH, SHM_BASE_LOW, SHM_BASE_HIGH -> -1;
            case CONFIG_GENERATION -> configGeneration.get();
            default -> 0;
        };
    }

    @Override
    public void write(long offset, int size, long value) {
        if (offset >= CONFIG && offset < REGION_SIZE) {
            writeConfig((int) (offset - CONFIG), size, value);
            return;
        }
        if (size != 4 || offset < 0 || offset >= CONFIG || (offset & 3) != 0) {
            return;
        }
        int v = (int) value;
        if (offset == QUEUE_NOTIFY) {
            // Outside the register lock: the device may run the whole request here.
            if (isDriverOk()) {
                device.queueNotified(v);
            }
            return;
        }
        if (offset == INTERRUPT_ACK) {
            acknowledgeInterrupt(v);
            return;
        }
        registers.lock();
        try {
            writeRegister((int) offset, v);
        } finally {
            registers.unlock();
        }
    }

    private void writeRegister(int offset, int value) {
        switch (offset) {
            case DEVICE_FEATURES_SEL -> deviceFeaturesSel = value;
            case DRIVER_FEATURES -> writeDriverFeatures(value);
            case DRIVER_FEATURES_SEL -> driverFeaturesSel = value;
            case QUEUE_SEL -> queueSel = value;
            case QUEUE_NUM -> configurableQueue().ifPresent(q -> q.setSize(value));
            case QUEUE_READY -> configurableQueue().ifPresent(q -> q.setReady((value & 1) != 0));
            case QUEUE_DESC_LOW -> configurableQueue().ifPresent(q -> q.setDescriptorTable(low(q.descriptorTable(), value)));
            case QUEUE_DESC_HIGH -> configurableQueue().ifPresent(q -> q.setDescriptorTable(high(q.descriptorTable(), value)));
            case QUEUE_DRIVER_LOW -> configurableQueue().ifPresent(q -> q.setAvailRing(low(q.availRing(), value)));
            case QUEUE_DRIVER_HIGH -> configurableQueue().ifPresent(q -> q.setAvailRing(high(q.availRing(), value)));
            case QUEUE_DEVICE_LOW -> configurableQueue().ifPresent(q -> q.setUsedRing(low(q.usedRing(), value)));
            case QUEUE_DEVICE_HIGH -> configurableQueue().ifPresent(q -> q.setUsedRing(high(q.usedRing(), value)));
            case STATUS -> writeStatus(value & 0xFF);
            default -> {
                // Read-only or unimplemented (SHMSel, QueueReset without VIRTIO_F_RING_RESET).
            }
        }
    }

    private static int featurePage(long features, int page) {
        return switch (page) {
            case 0 -> (int) features;
            case 1 -> (int) (features >>> 32);
            default -> 0;
        };
    }

    private void writeDriverFeatures(int value) {
        if ((status & DeviceStatus.FEATURES_OK) != 0 || driverFeaturesSel < 0 || driverFeaturesSel > 1) {
            return;
        }
        int shift = 32 * driverFeaturesSel;
        driverFeatures = (driverFeatures & ~(0xFFFF_FFFFL << shift)) | (Integer.toUnsignedLong(value) << shift);
    }

    private Optional<SplitQueue> selectedQueue() {
        List<SplitQueue> queues = device.queues();
        return queueSel >= 0 && queueSel < queues.size() ? Optional.of(queues.get(queueSel)) : Optional.empty();
    }

    /** The selected queue while the driver may still configure it (before DRIVER_OK). */
    private Optional<SplitQueue> configurableQueue() {
        return (status & DeviceStatus.DRIVER_OK) == 0 ? selectedQueue() : Optional.empty();
    }

    private static long low(long old, int value) {
        return (old & 0xFFFF_FFFF_0000_0000L) | Integer.toUnsignedLong(value);
    }

    private static long high(long old, int value) {
        return (old & 0xFFFF_FFFFL) | ((long) value << 32);
    }

    private boolean isDriverOk() {
        registers.lock();
        try {
            return (status & DeviceStatus.DRIVER_OK) != 0 && !needsReset;
        } finally {
            registers.unlock();
        }
    }

    private void writeStatus(int value) {
        if (value == 0) {
            reset();
            return;
        }
        int added = value & DRIVER_WRITABLE_STATUS & ~status;
        status |= added;
        if ((added & DeviceStatus.FEATURES_OK) != 0 && !negotiateFeatures()) {
            status &= ~DeviceStatus.FEATURES_OK;
        }
        if ((added & DeviceStatus.DRIVER_OK) != 0) {
            if ((status & DeviceStatus.FEATURES_OK) == 0) {
                signals.signalNeedsReset("DRIVER_OK before FEATURES_OK was accepted");
            } else {
                activateDevice();
            }
        }
    }

    private boolean negotiateFeatures() {
        long offered = device.offeredFeatures();
        long unoffered = driverFeatures & ~offered;
        if (unoffered != 0) {
            GuestErrorLog.warn("virtio-mmio: driver accepted unoffered features 0x%x; FEATURES_OK refused", unoffered);
            return false;
        }
        if (!VirtioFeatures.has(driverFeatures, VirtioFeatures.VIRTIO_F_VERSION_1)) {
            GuestErrorLog.warn("virtio-mmio: legacy driver (no VIRTIO_F_VERSION_1); FEATURES_OK refused");
            return false;
        }
        device.ackFeatures(driverFeatures);
        return true;
    }

    private void activateDevice() {
        for (SplitQueue queue : device.queues()) {
            if (queue.isReady()) {
                Optional<String> problem = queue.check(memory);
                if (problem.isPresent()) {
                    signals.signalNeedsReset(problem.get());
                    return;
                }
            }
        }
        device.activate(memory, signals);
    }

    private void reset() {
        device.reset();
        status = 0;
        deviceFeaturesSel = 0;
        driverFeaturesSel = 0;
        driverFeatures = 0;
        queueSel = 0;
        needsReset = false;
        synchronized (irqLock) {
            interruptStatus = 0;
            updateLine();
        }
    }

    private long readConfig(int offset, int size) {
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            return 0;
        }
        byte[] bytes = new byte[size];
        device.readConfig(offset, bytes);
        long value = 0;
        for (int i = size - 1; i >= 0; i--) {
            value = (value << 8) | (bytes[i] & 0xFF);
        }
        return value;
    }

    private void writeConfig(int offset, int size, long value) {
        if (size != 1 && size != 2 && size != 4 && size != 8) {
            return;
        }
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (value >>> (8 * i));
        }
        device.writeConfig(offset, bytes);
    }

    private int interruptStatus() {
        synchronized (irqLock) {
            return interruptStatus;
        }
    }

    private void raiseInterrupt(int reason) {
        synchronized (irqLock) {
            interruptStatus |= reason;
            updateLine();
        }
    }

    private void acknowledgeInterrupt(int reasons) {
        synchronized (irqLock) {
            interruptStatus &= ~reasons;
            updateLine();
        }
    }

    private void updateLine() {
        boolean level = interruptStatus != 0;
        if (level != irqLevel) {
            irqLevel = level;
            irq.set(level);
        }
    }

    // ---- state: snapshots and migration ----

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public void saveState(StateWriter out) {
        registers.lock();
        try {
            out.putInt(device.deviceType());
            out.putInt(status);
            out.putInt(deviceFeaturesSel);
            out.putInt(driverFeaturesSel);
            out.putLong(driverFeatures);
            out.putInt(queueSel);
            out.putBoolean(needsReset);
            out.putInt(configGeneration.get());
            out.putInt(interruptStatus());
            StateWriter deviceRecord = new StateWriter();
            device.saveState(deviceRecord);
            out.putInt(device.stateVersion());
            out.putBytes(deviceRecord.toByteArray());
        } finally {
            registers.unlock();
        }
    }

    @Override
    public void restoreState(StateReader in, int version) throws StateException {
        if (version != 1) {
            throw in.bad("version", version + " is not understood (this transport writes 1)");
        }
        int type = in.getInt("device type");
        if (type != device.deviceType()) {
            throw in.bad("device type", "%d does not match the device in this slot (%d)".formatted(type, device.deviceType()));
        }
        int newStatus = in.getInt("status", 0, 0xFF);
        if ((newStatus & ~DRIVER_WRITABLE_STATUS) != 0) {
            throw in.bad("status", "0x%x has bits the driver cannot set".formatted(newStatus));
        }
        int newDeviceFeaturesSel = in.getInt("device features select");
        int newDriverFeaturesSel = in.getInt("driver features select");
        long newDriverFeatures = in.getLong("driver features");
        int newQueueSel = in.getInt("queue select");
        boolean newNeedsReset = in.getBoolean("needs reset");
        int newConfigGeneration = in.getInt("config generation");
        int newInterruptStatus = in.getInt("interrupt status", 0, VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG);
        int deviceVersion = in.getInt("device record version", 1, device.stateVersion());
        byte[] deviceBytes = in.getBytes("device record", in.remaining());
        in.expectEnd();

        boolean featuresOk = (newStatus & DeviceStatus.FEATURES_OK) != 0;
        boolean driverOk = (newStatus & DeviceStatus.DRIVER_OK) != 0;
        if (featuresOk && ((newDriverFeatures & ~device.offeredFeatures()) != 0
                || !VirtioFeatures.has(newDriverFeatures, VirtioFeatures.VIRTIO_F_VERSION_1))) {
            throw in.bad("driver features", "0x%x could not have been accepted".formatted(newDriverFeatures));
        }
        if (newNeedsReset && !driverOk) {
            throw in.bad("needs reset", "is set before DRIVER_OK");
        }
        PreparedRestore prepared = device.prepareRestore(
                new StateReader(in.record() + " device", deviceBytes), deviceVersion, memory, signals);
        long expectedAcked = featuresOk ? newDriverFeatures : 0;
        if (prepared.ackedFeatures() != expectedAcked) {
            throw in.bad("device record", "has accepted features 0x%x, the transport 0x%x"
                    .formatted(prepared.ackedFeatures(), expectedAcked));
        }
        String mismatch = switch (prepared.state()) {
            case DeviceState.Active _ -> driverOk && featuresOk && !newNeedsReset ? null : "is active without DRIVER_OK";
            case DeviceState.NeedsReset _ -> newNeedsReset ? null : "needs a reset the transport does not show";
            case DeviceState.Inactive _ -> driverOk && !newNeedsReset ? "is inactive after DRIVER_OK" : null;
        };
        if (mismatch != null) {
            throw in.bad("device record", mismatch);
        }

        registers.lock();
        try {
            prepared.commit();
            status = newStatus;
            deviceFeaturesSel = newDeviceFeaturesSel;
            driverFeaturesSel = newDriverFeaturesSel;
            driverFeatures = newDriverFeatures;
            queueSel = newQueueSel;
            needsReset = newNeedsReset;
            configGeneration.set(newConfigGeneration);
            synchronized (irqLock) {
                interruptStatus = newInterruptStatus;
                irqLevel = interruptStatus != 0;
                irq.set(irqLevel); // re-driven even if unchanged: the line's far end is new too
            }
        } finally {
            registers.unlock();
        }
    }

    /** The transport's side of {@link VirtioInterrupt}, handed to the device at activation. */
    private final class Signals implements VirtioInterrupt {

        @Override
        public void signalUsedBuffers() {
            raiseInterrupt(VIRTIO_MMIO_INT_VRING);
        }

        @Override
        public void signalConfigChange() {
            configGeneration.incrementAndGet();
            raiseInterrupt(VIRTIO_MMIO_INT_CONFIG);
        }

        @Override
        public void signalNeedsReset(String reason) {
            GuestErrorLog.warn("virtio-mmio device %d needs reset: %s", device.deviceType(), reason);
            needsReset = true;
            raiseInterrupt(VIRTIO_MMIO_INT_CONFIG);
        }
    }
}

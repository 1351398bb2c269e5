package dev.jvmm.devices.virtio;

import static dev.jvmm.devices.virtio.transport.VirtioMmioRegisters.*;

import dev.jvmm.devices.virtio.transport.MmioTransport;
import dev.jvmm.memory.GuestMemory;

/** Plays a virtio-mmio driver against a transport: register access and the init sequence (§3.1.1). */
public final class MmioDriver {

    private final MmioTransport transport;

    public MmioDriver(MmioTransport transport) {
        this.transport = transport;
    }

    public int read(int offset) {
        return (int) transport.read(offset, 4);
    }

    public void write(int offset, int value) {
        transport.write(offset, 4, Integer.toUnsignedLong(value));
    }

    public long deviceFeatures() {
        write(DEVICE_FEATURES_SEL, 0);
        long low = Integer.toUnsignedLong(read(DEVICE_FEATURES));
        write(DEVICE_FEATURES_SEL, 1);
        return low | (long) read(DEVICE_FEATURES) << 32;
    }

    public int status() {
        return read(STATUS);
    }

    public void setStatus(int bits) {
        write(STATUS, bits);
    }

    /** ACKNOWLEDGE, DRIVER, accept {@code features}, FEATURES_OK; returns whether the device kept FEATURES_OK. */
    public boolean negotiate(long features) {
        setStatus(0);
        setStatus(DeviceStatus.ACKNOWLEDGE);
        setStatus(DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER);
        write(DRIVER_FEATURES_SEL, 0);
        write(DRIVER_FEATURES, (int) features);
        write(DRIVER_FEATURES_SEL, 1);
        write(DRIVER_FEATURES, (int) (features >>> 32));
        setStatus(DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER | DeviceStatus.FEATURES_OK);
        return (status() & DeviceStatus.FEATURES_OK) != 0;
    }

    /** Configures queue {@code index} with raw values and marks it ready. */
    public void configureQueue(int index, int size, long desc, long avail, long used) {
        write(QUEUE_SEL, index);
        write(QUEUE_NUM, size);
        write(QUEUE_DESC_LOW, (int) desc);
        write(QUEUE_DESC_HIGH, (int) (desc >>> 32));
        write(QUEUE_DRIVER_LOW, (int) avail);
        write(QUEUE_DRIVER_HIGH, (int) (avail >>> 32));
        write(QUEUE_DEVICE_LOW, (int) used);
        write(QUEUE_DEVICE_HIGH, (int) (used >>> 32));
        write(QUEUE_READY, 1);
    }

    /** Lays out queue {@code index} at {@code base} and configures it. */
    public VirtqueueDriver setUpQueue(int index, GuestMemory memory, long base, int size) {
        VirtqueueDriver queue = VirtqueueDriver.layout(memory, base, size);
        configureQueue(index, size, queue.descriptorTable(), queue.availRing(), queue.usedRing());
        return queue;
    }

    public void driverOk() {
        setStatus(status() | DeviceStatus.DRIVER_OK);
    }

    public void notifyQueue(int index) {
        write(QUEUE_NOTIFY, index);
    }

    public int interruptStatus() {
        return read(INTERRUPT_STATUS);
    }

    public void acknowledge(int reasons) {
        write(INTERRUPT_ACK, reasons);
    }

    public boolean needsReset() {
        return (status() & DeviceStatus.DEVICE_NEEDS_RESET) != 0;
    }

    public long config(int offset, int size) {
        return transport.read(CONFIG + offset, size);
    }
}

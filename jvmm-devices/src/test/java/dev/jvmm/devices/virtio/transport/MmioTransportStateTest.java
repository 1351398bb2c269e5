package dev.jvmm.devices.virtio.transport;

import static dev.jvmm.devices.StateRecords.*;
import static dev.jvmm.devices.virtio.transport.VirtioMmioRegisters.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.devices.virtio.DeviceState;
import dev.jvmm.devices.virtio.DeviceStatus;
import dev.jvmm.devices.virtio.LevelLine;
import dev.jvmm.devices.virtio.MmioDriver;
import dev.jvmm.devices.virtio.VirtioFeatures;
import dev.jvmm.devices.virtio.VirtqueueDriver;
import dev.jvmm.devices.virtio.VirtqueueDriver.Segment;
import dev.jvmm.devices.virtio.blk.InMemoryBlockBackend;
import dev.jvmm.devices.virtio.blk.VirtioBlock;
import dev.jvmm.devices.virtio.rng.VirtioRng;
import dev.jvmm.memory.GuestMemory;
import dev.jvmm.memory.state.StateException;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A virtio-mmio slot saved and restored onto a fresh device and transport over the same guest memory. */
class MmioTransportStateTest {

    private static final long RAM = 0x8000_0000L;
    private static final long QUEUE = RAM + 0x1000;
    private static final long DATA = RAM + 0x10000;
    private static final int QSIZE = 8;

    private final GuestMemory memory = GuestMemory.allocate(RAM, 1 << 20);
    private final VirtioRng rng = new VirtioRng(new Random(1));
    private final MmioTransport transport = new MmioTransport(memory, rng, new LevelLine());
    private final MmioDriver driver = new MmioDriver(transport);
    private VirtqueueDriver queue;

    private final LevelLine irq = new LevelLine();
    private final VirtioRng freshRng = new VirtioRng(new Random(2));
    private final MmioTransport restored = new MmioTransport(memory, freshRng, irq);
    private final MmioDriver restoredDriver = new MmioDriver(restored);

    @AfterEach
    void close() {
        memory.close();
    }

    private void startRng(long features) {
        assertThat(driver.negotiate(features)).isTrue();
        queue = driver.setUpQueue(0, memory, QUEUE, QSIZE);
        driver.driverOk();
    }

    /** Two chains served, a third posted but not yet notified; the used-buffer interrupt unacknowledged. */
    private byte[] halfProcessedRng() {
        startRng(VirtioFeatures.COMMON);
        queue.addChain(Segment.writable(DATA, 16));
        driver.notifyQueue(0);
        queue.addChain(Segment.writable(DATA + 0x100, 16));
        driver.notifyQueue(0);
        queue.addChain(Segment.writable(DATA + 0x200, 16));
        assertThat(queue.usedIdx()).isEqualTo(2);
        return save(transport);
    }

    @Test
    void restoredQueueServesTheNextAvailEntryAndContinuesTheUsedIndex() throws StateException {
        restore(restored, halfProcessedRng());

        restoredDriver.notifyQueue(0);

        assertThat(queue.usedIdx()).isEqualTo(3);
        assertThat(queue.used(2)).isEqualTo(new VirtqueueDriver.Used(2, 16));
        int head = queue.addChain(Segment.writable(DATA + 0x300, 8));
        restoredDriver.notifyQueue(0);
        assertThat(queue.usedIdx()).isEqualTo(4);
        assertThat(queue.used(3)).isEqualTo(new VirtqueueDriver.Used(head, 8));
        assertThat(restoredDriver.needsReset()).isFalse();
    }

    @Test
    void restoreActivatesTheFreshDeviceWithoutTouchingTheQueue() throws StateException {
        restore(restored, halfProcessedRng());

        assertThat(freshRng.state()).isInstanceOf(DeviceState.Active.class);
        assertThat(freshRng.queues().get(0).nextAvail()).isEqualTo(2);
        assertThat(queue.usedIdx()).as("the posted chain waits for a notification").isEqualTo(2);
    }

    @Test
    void pendingInterruptIsDrivenOntoTheNewLine() throws StateException {
        restore(restored, halfProcessedRng());

        assertThat(irq.level()).isTrue();
        assertThat(restoredDriver.interruptStatus()).isEqualTo(VIRTIO_MMIO_INT_VRING);
        restoredDriver.acknowledge(VIRTIO_MMIO_INT_VRING);
        assertThat(irq.level()).isFalse();
    }

    @Test
    void registersReadBackLikeTheOriginal() throws StateException {
        halfProcessedRng();
        driver.write(DEVICE_FEATURES_SEL, 1);
        byte[] record = save(transport);
        restore(restored, record);

        for (int register : new int[] {STATUS, DEVICE_FEATURES, QUEUE_SEL, QUEUE_NUM, QUEUE_NUM_MAX, QUEUE_READY,
                QUEUE_DESC_LOW, QUEUE_DESC_HIGH, QUEUE_DRIVER_LOW, QUEUE_DRIVER_HIGH, QUEUE_DEVICE_LOW,
                QUEUE_DEVICE_HIGH, INTERRUPT_STATUS, CONFIG_GENERATION}) {
            assertThat(restoredDriver.read(register)).as("register 0x%x", register).isEqualTo(driver.read(register));
        }
        assertThat(freshRng.ackedFeatures()).isEqualTo(rng.ackedFeatures());
        assertThat(save(restored)).isEqualTo(record);
    }

    @Test
    void eventIdxSuppressionContinuesFromTheSavedNotificationPoint() throws StateException {
        startRng(VirtioFeatures.COMMON); // includes EVENT_IDX
        for (int i = 0; i < 5; i++) {
            queue.addChain(Segment.writable(DATA, 4));
            driver.notifyQueue(0);
        }
        driver.acknowledge(VIRTIO_MMIO_INT_VRING);
        queue.setUsedEvent(4); // already passed: the driver wants no interrupt for index 5
        restore(restored, save(transport));

        queue.addChain(Segment.writable(DATA, 4));
        restoredDriver.notifyQueue(0);
        assertThat(queue.usedIdx()).isEqualTo(6);
        assertThat(restoredDriver.interruptStatus()).as("no interrupt: used_event 4 was passed before").isZero();

        queue.setUsedEvent(6);
        queue.addChain(Segment.writable(DATA, 4));
        restoredDriver.notifyQueue(0);
        assertThat(restoredDriver.interruptStatus()).isEqualTo(VIRTIO_MMIO_INT_VRING);
        assertThat(queue.availEvent()).as("avail_event the restored device wrote").isEqualTo(7);
    }

    @Test
    void deviceMidNegotiationFinishesInitialisationAfterRestore() throws StateException {
        assertThat(driver.negotiate(VirtioFeatures.COMMON)).isTrue();
        queue = driver.setUpQueue(0, memory, QUEUE, QSIZE);
        restore(restored, save(transport));
        assertThat(freshRng.state()).isInstanceOf(DeviceState.Inactive.class);

        restoredDriver.driverOk();
        queue.addChain(Segment.writable(DATA, 16));
        restoredDriver.notifyQueue(0);

        assertThat(queue.usedIdx()).isEqualTo(1);
        assertThat(queue.used(0).length()).isEqualTo(16);
    }

    @Test
    void deviceThatNeedsResetStillNeedsItAfterRestore() throws StateException {
        startRng(VirtioFeatures.COMMON);
        queue.publish(QSIZE + 3); // a head outside the queue
        driver.notifyQueue(0);
        assertThat(driver.needsReset()).isTrue();

        restore(restored, save(transport));

        assertThat(restoredDriver.needsReset()).isTrue();
        assertThat(freshRng.state()).isInstanceOf(DeviceState.NeedsReset.class);
        assertThat(irq.level()).isTrue();
        restoredDriver.setStatus(0);
        assertThat(restoredDriver.status()).isZero();
        assertThat(freshRng.state()).isInstanceOf(DeviceState.Inactive.class);
    }

    @Test
    void blockDeviceReadsWhatItWroteBeforeTheRestore() throws StateException {
        InMemoryBlockBackend disk = new InMemoryBlockBackend(64 * 1024, false);
        MmioTransport blockTransport = new MmioTransport(memory, new VirtioBlock(disk, "a"), new LevelLine());
        MmioDriver blockDriver = new MmioDriver(blockTransport);
        assertThat(blockDriver.negotiate(VirtioFeatures.COMMON)).isTrue();
        VirtqueueDriver blockQueue = blockDriver.setUpQueue(0, memory, QUEUE, QSIZE);
        blockDriver.driverOk();
        long header = DATA;
        long data = DATA + 0x1000;
        long status = DATA + 0x2000;
        memory.writeInt(header, 1); // OUT
        memory.writeLong(header + 8, 3);
        memory.write(data, new byte[] {9, 8, 7, 6});
        memory.write(data + 4, new byte[508]);
        blockQueue.addChain(Segment.readable(header, 16), Segment.readable(data, 512), Segment.writable(status, 1));
        blockDriver.notifyQueue(0);
        byte[] record = save(blockTransport);

        MmioTransport restoredBlock = new MmioTransport(memory, new VirtioBlock(disk, "a"), new LevelLine());
        restore(restoredBlock, record);
        memory.writeInt(header, 0); // IN
        memory.write(data, new byte[512]);
        blockQueue.addChain(Segment.readable(header, 16), Segment.writable(data, 512), Segment.writable(status, 1));
        new MmioDriver(restoredBlock).notifyQueue(0);

        assertThat(blockQueue.usedIdx()).isEqualTo(2);
        assertThat(memory.readInt(data)).isEqualTo(0x06070809);
        assertThat(memory.readByte(status)).isZero();
    }

    @Test
    void recordOfAnotherDeviceTypeIsRefused() {
        MmioTransport block = new MmioTransport(memory, new VirtioBlock(new InMemoryBlockBackend(4096, false), "b"),
                new LevelLine());
        assertRefusedAndUnchanged(restored, save(block));
    }

    @Test
    void activeQueueOutsideTheNewMemoryIsRefused() {
        byte[] record = halfProcessedRng();
        try (GuestMemory small = GuestMemory.allocate(RAM, 4096)) {
            LevelLine line = new LevelLine();
            VirtioRng device = new VirtioRng(new Random(3));
            assertRefusedAndUnchanged(new MmioTransport(small, device, line), record);
            assertThat(device.state()).isInstanceOf(DeviceState.Inactive.class);
            assertThat(line.risingEdges()).isZero();
        }
    }

    // Transport layout: device type, status, device features select, driver features select,
    // driver features (8 bytes), queue select, needs reset (1), config generation, interrupt status.
    private static final int STATUS_AT = 4;
    private static final int DRIVER_FEATURES_AT = 16;
    private static final int NEEDS_RESET_AT = 28;
    private static final int INTERRUPT_STATUS_AT = 33;

    @Test
    void transportAndDeviceRecordsThatDisagreeAreRefused() {
        byte[] record = halfProcessedRng();
        int negotiated = DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER | DeviceStatus.FEATURES_OK;
        assertRefusedAndUnchanged(restored, withInt(record, STATUS_AT, negotiated)); // active device, no DRIVER_OK
        assertRefusedAndUnchanged(restored, withInt(record, DRIVER_FEATURES_AT, 0)); // device accepted other features
        assertRefusedAndUnchanged(restored, withByte(record, NEEDS_RESET_AT, 1)); // active device, transport needs reset
        assertRefusedAndUnchanged(restored, withInt(record, INTERRUPT_STATUS_AT, 4));
        assertRefusedAndUnchanged(restored, withInt(record, STATUS_AT, negotiated | DeviceStatus.DRIVER_OK
                | DeviceStatus.DEVICE_NEEDS_RESET));
        assertThat(irq.risingEdges()).isZero();
    }

    @Test
    void truncatedRecordsAndOtherVersionsAreRefusedWithoutEffect() throws StateException {
        byte[] record = halfProcessedRng();
        assertTruncationsRefused(restored, record);
        assertOtherVersionsRefused(restored, record);

        restore(restored, record); // an active slot keeps its state too
        byte[] fresh = save(new MmioTransport(memory, new VirtioRng(), new LevelLine()));
        assertTruncationsRefused(restored, fresh);
    }
}

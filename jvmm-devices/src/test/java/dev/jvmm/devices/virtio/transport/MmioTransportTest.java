package dev.jvmm.devices.virtio.transport;

import static dev.jvmm.devices.virtio.transport.VirtioMmioRegisters.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.devices.virtio.DeviceState;
import dev.jvmm.devices.virtio.DeviceStatus;
import dev.jvmm.devices.virtio.LevelLine;
import dev.jvmm.devices.virtio.MmioDriver;
import dev.jvmm.devices.virtio.VirtioFeatures;
import dev.jvmm.devices.virtio.VirtioIds;
import dev.jvmm.devices.virtio.VirtqueueDriver;
import dev.jvmm.devices.virtio.VirtqueueDriver.Segment;
import dev.jvmm.devices.virtio.rng.VirtioRng;
import dev.jvmm.memory.GuestMemory;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MmioTransportTest {

    private static final long RAM = 0x8000_0000L;
    private static final long QUEUE = RAM + 0x1000;
    private static final long DATA = RAM + 0x10000;

    private final GuestMemory memory = GuestMemory.allocate(RAM, 1 << 20);
    private final LevelLine irq = new LevelLine();
    private final VirtioRng rng = new VirtioRng(new Random(1));
    private final MmioTransport transport = new MmioTransport(memory, rng, irq);
    private final MmioDriver driver = new MmioDriver(transport);

    @AfterEach
    void close() {
        memory.close();
    }

    @Test
    void identifiesAsModernVirtioMmioDevice() {
        assertThat(driver.read(MAGIC_VALUE)).isEqualTo(0x74726976);
        assertThat(driver.read(VERSION)).isEqualTo(2);
        assertThat(driver.read(DEVICE_ID)).isEqualTo(VirtioIds.VIRTIO_ID_RNG);
        assertThat(driver.read(VENDOR_ID_REGISTER)).isEqualTo(VENDOR_ID);
    }

    @Test
    void offersVersion1AndRingFeaturesInTwoPages() {
        long features = driver.deviceFeatures();
        assertThat(VirtioFeatures.has(features, VirtioFeatures.VIRTIO_F_VERSION_1)).isTrue();
        assertThat(VirtioFeatures.has(features, VirtioFeatures.VIRTIO_RING_F_EVENT_IDX)).isTrue();
        assertThat(VirtioFeatures.has(features, VirtioFeatures.VIRTIO_RING_F_INDIRECT_DESC)).isTrue();
        driver.write(DEVICE_FEATURES_SEL, 2);
        assertThat(driver.read(DEVICE_FEATURES)).isZero();
    }

    @Test
    void acceptsOfferedFeaturesIncludingVersion1() {
        long wanted = VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1)
                | VirtioFeatures.bit(VirtioFeatures.VIRTIO_RING_F_EVENT_IDX);
        assertThat(driver.negotiate(wanted)).isTrue();
        assertThat(rng.ackedFeatures()).isEqualTo(wanted);
    }

    @Test
    void refusesFeaturesOkWhenDriverAcceptsUnofferedFeature() {
        long wanted = VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1) | VirtioFeatures.bit(3);
        assertThat(driver.negotiate(wanted)).isFalse();
        assertThat(rng.ackedFeatures()).isZero();
    }

    @Test
    void refusesFeaturesOkForLegacyDriverWithoutVersion1() {
        assertThat(driver.negotiate(VirtioFeatures.bit(VirtioFeatures.VIRTIO_RING_F_EVENT_IDX))).isFalse();
    }

    @Test
    void driverFeaturesAreFrozenAfterFeaturesOk() {
        driver.negotiate(VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1));
        driver.write(DRIVER_FEATURES_SEL, 0);
        driver.write(DRIVER_FEATURES, 1 << VirtioFeatures.VIRTIO_RING_F_EVENT_IDX);
        assertThat(rng.ackedFeatures()).isEqualTo(VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1));
    }

    @Test
    void deviceStaysInactiveUntilDriverOk() {
        driver.negotiate(VirtioFeatures.COMMON);
        VirtqueueDriver queue = driver.setUpQueue(0, memory, QUEUE, 16);
        queue.addChain(Segment.writable(DATA, 16));
        driver.notifyQueue(0);
        assertThat(rng.state()).isInstanceOf(DeviceState.Inactive.class);
        assertThat(queue.usedIdx()).isZero();

        driver.driverOk();
        assertThat(rng.state()).isInstanceOf(DeviceState.Active.class);
        // The chain made available before DRIVER_OK is served at activation.
        assertThat(queue.usedIdx()).isEqualTo(1);
    }

    @Test
    void usedBufferRaisesLineUntilAcknowledged() {
        driver.negotiate(VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1));
        VirtqueueDriver queue = driver.setUpQueue(0, memory, QUEUE, 16);
        driver.driverOk();
        queue.addChain(Segment.writable(DATA, 32));
        driver.notifyQueue(0);

        assertThat(queue.usedIdx()).isEqualTo(1);
        assertThat(queue.used(0)).isEqualTo(new VirtqueueDriver.Used(0, 32));
        assertThat(driver.interruptStatus()).isEqualTo(VIRTIO_MMIO_INT_VRING);
        assertThat(irq.level()).isTrue();
        driver.acknowledge(VIRTIO_MMIO_INT_VRING);
        assertThat(driver.interruptStatus()).isZero();
        assertThat(irq.level()).isFalse();
    }

    @Test
    void writingZeroStatusResetsDeviceFeaturesQueuesAndInterrupt() {
        driver.negotiate(VirtioFeatures.COMMON);
        VirtqueueDriver queue = driver.setUpQueue(0, memory, QUEUE, 16);
        driver.driverOk();
        queue.addChain(Segment.writable(DATA, 8));
        driver.notifyQueue(0);
        assertThat(irq.level()).isTrue();

        driver.setStatus(0);

        assertThat(driver.status()).isZero();
        assertThat(rng.state()).isInstanceOf(DeviceState.Inactive.class);
        assertThat(rng.ackedFeatures()).isZero();
        assertThat(irq.level()).isFalse();
        driver.write(QUEUE_SEL, 0);
        assertThat(driver.read(QUEUE_READY)).isZero();
        assertThat(driver.read(QUEUE_DESC_LOW)).isZero();
        assertThat(driver.read(QUEUE_NUM_MAX)).isEqualTo(VirtioRng.QUEUE_SIZE);
    }

    @Test
    void queueOutsideRamAtDriverOkSetsNeedsResetWithConfigInterrupt() {
        driver.negotiate(VirtioFeatures.COMMON);
        driver.configureQueue(0, 16, RAM + (1 << 20) - 16, QUEUE + 0x400, QUEUE + 0x800);
        driver.driverOk();

        assertThat(driver.needsReset()).isTrue();
        assertThat(driver.interruptStatus() & VIRTIO_MMIO_INT_CONFIG).isNotZero();
        assertThat(irq.level()).isTrue();
        assertThat(rng.state()).isInstanceOf(DeviceState.Inactive.class);
    }

    @Test
    void queueSizeNotPowerOfTwoSetsNeedsReset() {
        driver.negotiate(VirtioFeatures.COMMON);
        driver.configureQueue(0, 12, QUEUE, QUEUE + 0x400, QUEUE + 0x800);
        driver.driverOk();
        assertThat(driver.needsReset()).isTrue();
    }

    @Test
    void queueSizeAboveMaximumSetsNeedsReset() {
        driver.negotiate(VirtioFeatures.COMMON);
        driver.configureQueue(0, VirtioRng.QUEUE_SIZE * 2, QUEUE, QUEUE + 0x1000, QUEUE + 0x2000);
        driver.driverOk();
        assertThat(driver.needsReset()).isTrue();
    }

    @Test
    void misalignedDescriptorTableSetsNeedsReset() {
        driver.negotiate(VirtioFeatures.COMMON);
        driver.configureQueue(0, 16, QUEUE + 8, QUEUE + 0x400, QUEUE + 0x800);
        driver.driverOk();
        assertThat(driver.needsReset()).isTrue();
    }

    @Test
    void driverOkWithoutFeaturesOkSetsNeedsReset() {
        driver.setStatus(DeviceStatus.ACKNOWLEDGE | DeviceStatus.DRIVER | DeviceStatus.DRIVER_OK);
        assertThat(driver.needsReset()).isTrue();
        assertThat(rng.state()).isInstanceOf(DeviceState.Inactive.class);
    }

    @Test
    void needsResetStopsProcessingUntilReset() {
        driver.negotiate(VirtioFeatures.COMMON);
        VirtqueueDriver queue = driver.setUpQueue(0, memory, QUEUE, 16);
        driver.driverOk();
        queue.addChain(Segment.writable(RAM + (1 << 20) - 4, 8)); // crosses the end of RAM
        driver.notifyQueue(0);
        assertThat(driver.needsReset()).isTrue();
        assertThat(rng.state()).isInstanceOf(DeviceState.NeedsReset.class);

        queue.addChain(Segment.writable(DATA, 8));
        driver.notifyQueue(0);
        assertThat(queue.usedIdx()).isZero();

        driver.setStatus(0);
        assertThat(driver.needsReset()).isFalse();
        assertThat(irq.level()).isFalse();
    }

    @Test
    void driverCannotSetNeedsResetItself() {
        driver.setStatus(DeviceStatus.ACKNOWLEDGE | DeviceStatus.DEVICE_NEEDS_RESET);
        assertThat(driver.status()).isEqualTo(DeviceStatus.ACKNOWLEDGE);
    }

    @Test
    void queueRegistersAreFrozenAfterDriverOk() {
        driver.negotiate(VirtioFeatures.COMMON);
        driver.setUpQueue(0, memory, QUEUE, 16);
        driver.driverOk();
        driver.write(QUEUE_DESC_LOW, 0x1234_0000);
        assertThat(driver.read(QUEUE_DESC_LOW)).isEqualTo((int) QUEUE);
    }

    @Test
    void unselectedQueueReadsZeroMaximum() {
        driver.write(QUEUE_SEL, 5);
        assertThat(driver.read(QUEUE_NUM_MAX)).isZero();
    }

    @Test
    void nonWordRegisterAccessesAreIgnored() {
        assertThat(transport.read(MAGIC_VALUE, 1)).isZero();
        assertThat(transport.read(MAGIC_VALUE + 2, 4)).isZero();
        transport.write(STATUS, 1, DeviceStatus.ACKNOWLEDGE);
        assertThat(driver.status()).isZero();
    }

    @Test
    void reportsNoSharedMemoryRegions() {
        assertThat(driver.read(SHM_LEN_LOW)).isEqualTo(-1);
        assertThat(driver.read(SHM_LEN_HIGH)).isEqualTo(-1);
    }

    @Test
    void outOfRangeAccessesNeverThrow() {
        for (long offset : new long[] {-1, -8, 0x1000, 0xfff, Long.MAX_VALUE, Long.MIN_VALUE}) {
            for (int size : new int[] {1, 2, 3, 4, 8, 0, -1}) {
                assertThat(transport.read(offset, size)).isNotNull();
                transport.write(offset, size, -1);
            }
        }
    }
}

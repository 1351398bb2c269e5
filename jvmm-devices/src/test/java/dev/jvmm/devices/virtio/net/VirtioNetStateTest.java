package dev.jvmm.devices.virtio.net;

import static dev.jvmm.devices.StateRecords.*;
import static dev.jvmm.devices.virtio.net.VirtioNet.RECEIVEQ;
import static dev.jvmm.devices.virtio.net.VirtioNet.TRANSMITQ;
import static dev.jvmm.devices.virtio.net.VirtioNetSpec.CONFIG_STATUS;
import static dev.jvmm.devices.virtio.net.VirtioNetSpec.HEADER_SIZE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.devices.virtio.LevelLine;
import dev.jvmm.devices.virtio.MmioDriver;
import dev.jvmm.devices.virtio.VirtioFeatures;
import dev.jvmm.devices.virtio.VirtqueueDriver;
import dev.jvmm.devices.virtio.VirtqueueDriver.Segment;
import dev.jvmm.devices.virtio.transport.MmioTransport;
import dev.jvmm.devices.virtio.transport.VirtioMmioRegisters;
import dev.jvmm.memory.GuestMemory;
import dev.jvmm.memory.state.StateException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VirtioNetStateTest {

    private static final long RAM = 0x8000_0000L;
    private static final long RX = RAM + 0x20000;
    private static final int RX_BUFFER = 0x800;

    private final GuestMemory memory = GuestMemory.allocate(RAM, 1 << 20);
    private final RecordingBackend backend = new RecordingBackend();
    private final VirtioNet net = new VirtioNet(backend, MacAddress.QEMU_DEFAULT, 4);
    private final MmioTransport transport = new MmioTransport(memory, net, new LevelLine());
    private final MmioDriver driver = new MmioDriver(transport);
    private VirtqueueDriver rxq;

    private final RecordingBackend freshBackend = new RecordingBackend();
    private final VirtioNet fresh = new VirtioNet(freshBackend, MacAddress.QEMU_DEFAULT, 4);
    private final MmioTransport restored = new MmioTransport(memory, fresh, new LevelLine());
    private final MmioDriver restoredDriver = new MmioDriver(restored);

    @AfterEach
    void close() throws Exception {
        net.close();
        fresh.close();
        memory.close();
    }

    private void start() throws Exception {
        net.start();
        fresh.start();
        assertThat(driver.negotiate(VirtioFeatures.COMMON)).isTrue();
        rxq = driver.setUpQueue(RECEIVEQ, memory, RAM + 0x1000, 16);
        driver.setUpQueue(TRANSMITQ, memory, RAM + 0x4000, 16);
        driver.driverOk();
    }

    private void postRx(int slot) {
        rxq.addChain(Segment.writable(RX + (long) RX_BUFFER * slot, RX_BUFFER));
    }

    private static byte[] frame(int seed) {
        byte[] frame = new byte[60];
        for (int i = 0; i < frame.length; i++) {
            frame[i] = (byte) (seed * 31 + i * 7);
        }
        return frame;
    }

    private byte[] receivedFrame(int usedIndex) {
        VirtqueueDriver.Used used = rxq.used(usedIndex);
        byte[] frame = new byte[used.length() - HEADER_SIZE];
        memory.read(RX + (long) RX_BUFFER * used.id() + HEADER_SIZE, frame, 0, frame.length);
        return frame;
    }

    @Test
    void receptionContinuesInTheNextPostedBufferAfterRestore() throws Exception {
        start();
        postRx(0);
        postRx(1);
        driver.notifyQueue(RECEIVEQ);
        backend.deliver(frame(1));
        assertThat(rxq.usedIdx()).isEqualTo(1);

        restore(restored, save(transport));
        freshBackend.deliver(frame(2));

        assertThat(rxq.usedIdx()).isEqualTo(2);
        assertThat(rxq.used(1).id()).isEqualTo(1);
        assertThat(receivedFrame(1)).isEqualTo(frame(2));
    }

    @Test
    void linkStatusSurvivesRestore() throws Exception {
        start();
        net.setLinkUp(false);
        restore(restored, save(transport));

        assertThat(fresh.linkUp()).isFalse();
        assertThat(restoredDriver.config(CONFIG_STATUS, 2)).isZero();
    }

    @Test
    void framesWaitingForBuffersAreDroppedByRestore() throws Exception {
        start();
        backend.deliver(frame(1)); // no receive buffer: waits in the backlog
        assertThat(net.pendingReceiveFrames()).isEqualTo(1);
        byte[] record = save(transport);
        freshBackend.deliver(frame(9)); // the fresh card is inactive: dropped

        restore(restored, record);
        postRx(0);
        restoredDriver.notifyQueue(RECEIVEQ);

        assertThat(fresh.pendingReceiveFrames()).isZero();
        assertThat(rxq.usedIdx()).isZero();
    }

    @Test
    void framesArrivingWhileQuiescedAreDroppedAndCounted() throws Exception {
        start();
        postRx(0);
        postRx(1);
        driver.notifyQueue(RECEIVEQ);
        net.quiesce();

        backend.deliver(frame(1));

        assertThat(rxq.usedIdx()).as("nothing written to guest memory").isZero();
        assertThat(net.metrics().rxDropped()).isEqualTo(1);
        net.unquiesce();
        backend.deliver(frame(2));
        assertThat(rxq.usedIdx()).isEqualTo(1);
        assertThat(receivedFrame(0)).isEqualTo(frame(2));
    }

    @Test
    void linkChangeWhileQuiescedIsSignalledWhenUnquiesced() throws Exception {
        start();
        net.quiesce();
        net.setLinkUp(false);
        assertThat(driver.interruptStatus()).isZero();

        net.unquiesce();

        assertThat(driver.interruptStatus()).isEqualTo(VirtioMmioRegisters.VIRTIO_MMIO_INT_CONFIG);
        assertThat(driver.config(CONFIG_STATUS, 2)).isZero();
    }

    @Test
    void linkStatusThatIsNotABooleanIsRefused() throws Exception {
        start();
        byte[] record = save(transport);
        // The device record ends with the link status, and the transport record with the device record.
        assertRefusedAndUnchanged(restored, withByte(record, record.length - 1, 7));
    }

    @Test
    void truncatedRecordsAreRefusedWithoutEffect() throws Exception {
        start();
        postRx(0);
        driver.notifyQueue(RECEIVEQ);
        byte[] record = save(transport);
        assertTruncationsRefused(restored, record);
        assertOtherVersionsRefused(restored, record);
        restore(restored, record);
        assertThat(save(restored)).isEqualTo(record);
    }
}

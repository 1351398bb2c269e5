package dev.jvmm.devices.virtio.net;

import static dev.jvmm.devices.virtio.net.VirtioNet.RECEIVEQ;
import static dev.jvmm.devices.virtio.net.VirtioNet.TRANSMITQ;
import static dev.jvmm.devices.virtio.net.VirtioNetSpec.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvmm.devices.virtio.LevelLine;
import dev.jvmm.devices.virtio.MmioDriver;
import dev.jvmm.devices.virtio.VirtioFeatures;
import dev.jvmm.devices.virtio.VirtioIds;
import dev.jvmm.devices.virtio.VirtqueueDriver;
import dev.jvmm.devices.virtio.VirtqueueDriver.Segment;
import dev.jvmm.devices.virtio.queue.VirtqueueSpec;
import dev.jvmm.devices.virtio.transport.MmioTransport;
import dev.jvmm.devices.virtio.transport.VirtioMmioRegisters;
import dev.jvmm.memory.GuestMemory;
import dev.jvmm.net.NetBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VirtioNetTest {

    private static final long RAM = 0x8000_0000L;
    private static final long RXQ = RAM + 0x1000;
    private static final long TXQ = RAM + 0x4000;
    private static final long TABLES = RAM + 0x8000;
    private static final long RX = RAM + 0x20000;
    private static final long TX = RAM + 0x60000;
    private static final int RX_BUFFER = 0x800;
    private static final int QSIZE = 16;

    private final GuestMemory memory = GuestMemory.allocate(RAM, 1 << 20);
    private final LevelLine irq = new LevelLine();
    private final RecordingBackend backend = new RecordingBackend();
    /** Receive chain head -> guest address of its (first) buffer. */
    private final Map<Integer, Long> rxBuffers = new HashMap<>();
    private int nextRxSlot;
    private VirtioNet net;
    private MmioDriver driver;
    private VirtqueueDriver rxq;
    private VirtqueueDriver txq;

    @AfterEach
    void close() throws Exception {
        if (net != null) {
            net.close();
        }
        memory.close();
    }

    private void setUp(int backlogFrames, long features) throws Exception {
        net = new VirtioNet(backend, MacAddress.QEMU_DEFAULT, backlogFrames);
        net.start();
        driver = new MmioDriver(new MmioTransport(memory, net, irq));
        initialise(features);
    }

    private void initialise(long features) {
        // A driver allocates fresh, zeroed rings.
        memory.write(RXQ, new byte[(int) VirtqueueDriver.footprint(QSIZE)]);
        memory.write(TXQ, new byte[(int) VirtqueueDriver.footprint(QSIZE)]);
        assertThat(driver.negotiate(features)).isTrue();
        rxq = driver.setUpQueue(RECEIVEQ, memory, RXQ, QSIZE);
        txq = driver.setUpQueue(TRANSMITQ, memory, TXQ, QSIZE);
        rxBuffers.clear();
        nextRxSlot = 0;
    }

    private void start() throws Exception {
        setUp(VirtioNet.DEFAULT_BACKLOG_FRAMES, VirtioFeatures.COMMON);
        driver.driverOk();
    }

    /** Posts a receive buffer of {@code length} bytes (not notifying); returns its address. */
    private long postRx(int length) {
        long address = RX + (long) RX_BUFFER * (nextRxSlot++ % 64);
        rxBuffers.put(rxq.addChain(Segment.writable(address, length)), address);
        return address;
    }

    private static byte[] frame(int length, int seed) {
        byte[] frame = new byte[length];
        for (int i = 0; i < length; i++) {
            frame[i] = (byte) (seed * 31 + i * 7);
        }
        return frame;
    }

    private byte[] receivedFrame(int usedIndex) {
        VirtqueueDriver.Used used = rxq.used(usedIndex);
        long address = rxBuffers.get(used.id());
        byte[] frame = new byte[used.length() - HEADER_SIZE];
        memory.read(address + HEADER_SIZE, frame, 0, frame.length);
        return frame;
    }

    /** Writes header + frame at {@code address}; returns the byte count. */
    private int writeTx(long address, byte[] header, byte[] frame) {
        memory.write(address, header);
        memory.write(address + header.length, frame);
        return header.length + frame.length;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(2);
        }
    }

    private CompletableFuture<Void> deliverAsync(List<byte[]> frames) {
        return CompletableFuture.runAsync(() -> {
            try {
                for (byte[] f : frames) {
                    backend.deliver(f);
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    // ---- identity, features, config ----

    @Test
    void isNetworkDeviceWithTwoQueuesAndNoControlQueue() throws Exception {
        start();
        assertThat(driver.read(VirtioMmioRegisters.DEVICE_ID)).isEqualTo(VirtioIds.VIRTIO_ID_NET);
        driver.write(VirtioMmioRegisters.QUEUE_SEL, 2);
        assertThat(driver.read(VirtioMmioRegisters.QUEUE_NUM_MAX)).isZero();
        assertThat(net.queues()).hasSize(2);
    }

    @Test
    void offersMacStatusMtuAndRingFeaturesButNoOffloads() throws Exception {
        setUp(4, VirtioFeatures.COMMON);
        long offered = driver.deviceFeatures();
        for (int bit : new int[] {VirtioFeatures.VIRTIO_F_VERSION_1, VirtioFeatures.VIRTIO_RING_F_EVENT_IDX,
                VirtioFeatures.VIRTIO_RING_F_INDIRECT_DESC, VIRTIO_NET_F_MAC, VIRTIO_NET_F_STATUS, VIRTIO_NET_F_MTU}) {
            assertThat(VirtioFeatures.has(offered, bit)).as("bit %d offered", bit).isTrue();
        }
        for (int bit : new int[] {VIRTIO_NET_F_CSUM, VIRTIO_NET_F_GUEST_CSUM, VIRTIO_NET_F_CTRL_GUEST_OFFLOADS,
                VIRTIO_NET_F_GUEST_TSO4, VIRTIO_NET_F_HOST_TSO4, VIRTIO_NET_F_MRG_RXBUF, VIRTIO_NET_F_CTRL_VQ,
                VIRTIO_NET_F_MQ}) {
            assertThat(VirtioFeatures.has(offered, bit)).as("bit %d not offered", bit).isFalse();
        }
    }

    @Test
    void driverMayAcceptNetFeaturesButNotChecksumOffload() throws Exception {
        setUp(4, VirtioFeatures.COMMON);
        long wanted = VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1) | VirtioFeatures.bit(VIRTIO_NET_F_MAC)
                | VirtioFeatures.bit(VIRTIO_NET_F_STATUS) | VirtioFeatures.bit(VIRTIO_NET_F_MTU);
        assertThat(driver.negotiate(wanted)).isTrue();
        assertThat(net.ackedFeatures()).isEqualTo(wanted);
        assertThat(driver.negotiate(wanted | VirtioFeatures.bit(VIRTIO_NET_F_CSUM))).isFalse();
    }

    @Test
    void configHoldsMacLinkUpStatusAndMtu() throws Exception {
        start();
        byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++) {
            mac[i] = (byte) driver.config(CONFIG_MAC + i, 1);
        }
        assertThat(mac).containsExactly(0x52, 0x54, 0x00, 0x12, 0x34, 0x56);
        assertThat(driver.config(CONFIG_STATUS, 2)).isEqualTo(VIRTIO_NET_S_LINK_UP);
        assertThat(driver.config(CONFIG_MTU, 2)).isEqualTo(MTU);
        assertThat(net.configSize()).isEqualTo(CONFIG_SIZE);
    }

    @Test
    void macWritesFromTheDriverAreIgnored() throws Exception {
        start();
        net.writeConfig(CONFIG_MAC, new byte[] {1, 2, 3, 4, 5, 6});
        assertThat(driver.config(CONFIG_MAC, 1)).isEqualTo(0x52);
    }

    @Test
    void linkDownClearsStatusAndRaisesConfigChange() throws Exception {
        start();
        int generation = driver.read(VirtioMmioRegisters.CONFIG_GENERATION);
        net.setLinkUp(false);
        assertThat(driver.config(CONFIG_STATUS, 2)).isZero();
        assertThat(driver.interruptStatus() & VirtioMmioRegisters.VIRTIO_MMIO_INT_CONFIG).isNotZero();
        assertThat(driver.read(VirtioMmioRegisters.CONFIG_GENERATION)).isNotEqualTo(generation);
        assertThat(net.linkUp()).isFalse();
    }

    // ---- transmit ----

    @Test
    void guestTransmitReachesBackendWithoutHeader() throws Exception {
        start();
        byte[] frame = frame(100, 1);
        memory.write(TX, new byte[HEADER_SIZE]);
        memory.write(TX + 0x100, Arrays.copyOfRange(frame, 0, 40));
        memory.write(TX + 0x200, Arrays.copyOfRange(frame, 40, 100));
        txq.addChain(Segment.readable(TX, HEADER_SIZE), Segment.readable(TX + 0x100, 40),
                Segment.readable(TX + 0x200, 60));
        driver.notifyQueue(TRANSMITQ);

        assertThat(backend.sent).hasSize(1);
        assertThat(backend.sent.get(0)).isEqualTo(frame);
        assertThat(txq.usedIdx()).isEqualTo(1);
        assertThat(txq.used(0).length()).isZero();
        assertThat(irq.level()).isTrue();
        assertThat(net.metrics().txFrames()).isEqualTo(1);
        assertThat(net.metrics().txBytes()).isEqualTo(100);
    }

    @Test
    void transmitThroughIndirectTableWithHeaderAndFrameInOneBuffer() throws Exception {
        start();
        byte[] frame = frame(NetBackend.MAX_FRAME, 2);
        int length = writeTx(TX, new byte[HEADER_SIZE], frame);
        txq.addIndirectChain(TABLES, Segment.readable(TX, length));
        driver.notifyQueue(TRANSMITQ);
        assertThat(backend.sent).singleElement().isEqualTo(frame);
    }

    @Test
    void malformedTransmitChainsAreCompletedAndDropped() throws Exception {
        start();
        byte[] gso = new byte[HEADER_SIZE];
        gso[HDR_GSO_TYPE] = 1;
        byte[] csum = new byte[HEADER_SIZE];
        csum[HDR_FLAGS] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
        byte[] good = frame(60, 3);
        long slot = 0x800;
        txq.addChain(Segment.readable(TX, 8));                                                    // shorter than the header
        txq.addChain(Segment.readable(TX + slot, writeTx(TX + slot, new byte[HEADER_SIZE], frame(NetBackend.MAX_FRAME + 1, 4))));
        txq.addChain(Segment.readable(TX + 3 * slot, writeTx(TX + 3 * slot, new byte[HEADER_SIZE], frame(10, 5)))); // runt
        txq.addChain(Segment.readable(TX + 4 * slot, writeTx(TX + 4 * slot, gso, frame(60, 6))));
        txq.addChain(Segment.readable(TX + 5 * slot, writeTx(TX + 5 * slot, csum, frame(60, 7))));
        txq.addChain(Segment.readable(TX + 6 * slot, writeTx(TX + 6 * slot, new byte[HEADER_SIZE], good)));
        driver.notifyQueue(TRANSMITQ);

        assertThat(backend.sent).singleElement().isEqualTo(good);
        assertThat(txq.usedIdx()).isEqualTo(6);
        assertThat(net.metrics().txDropped()).isEqualTo(5);
        assertThat(driver.needsReset()).isFalse();
    }

    @Test
    void transmitQueuedBeforeDriverOkIsSentAtActivation() throws Exception {
        setUp(4, VirtioFeatures.COMMON);
        byte[] frame = frame(64, 8);
        txq.addChain(Segment.readable(TX, writeTx(TX, new byte[HEADER_SIZE], frame)));
        assertThat(backend.sent).isEmpty();
        driver.driverOk();
        assertThat(backend.sent).singleElement().isEqualTo(frame);
    }

    @Test
    void framesReachBackendInGuestOrder() throws Exception {
        start();
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] frame = frame(60 + i, i);
            frames.add(frame);
            txq.addChain(Segment.readable(TX + 0x800L * (i % QSIZE), writeTx(TX + 0x800L * (i % QSIZE), new byte[HEADER_SIZE], frame)));
            if (i % QSIZE == QSIZE - 1) {
                driver.notifyQueue(TRANSMITQ);
            }
        }
        driver.notifyQueue(TRANSMITQ);
        assertThat(backend.sent).containsExactlyElementsOf(frames);
    }

    @Test
    void backendFailureOnSendIsCountedAndDoesNotReachTheGuest() throws Exception {
        start();
        backend.onSend(frame -> {
            throw new IllegalStateException("host network down");
        });
        txq.addChain(Segment.readable(TX, writeTx(TX, new byte[HEADER_SIZE], frame(60, 9))));
        driver.notifyQueue(TRANSMITQ);
        assertThat(txq.usedIdx()).isEqualTo(1);
        assertThat(net.metrics().txDropped()).isEqualTo(1);
        assertThat(driver.needsReset()).isFalse();
    }

    @Test
    void backendMayDeliverFromAnotherThreadWhileInsideSend() throws Exception {
        start();
        postRx(RX_BUFFER);
        driver.notifyQueue(RECEIVEQ);
        AtomicBoolean deliveredDuringSend = new AtomicBoolean();
        backend.onSend(frame -> {
            // A backend whose send waits for its own receive thread (a loopback, say).
            Thread echo = new Thread(() -> {
                try {
                    backend.deliver(frame);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            echo.start();
            try {
                echo.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            deliveredDuringSend.set(!echo.isAlive());
        });
        byte[] frame = frame(80, 10);
        txq.addChain(Segment.readable(TX, writeTx(TX, new byte[HEADER_SIZE], frame)));
        driver.notifyQueue(TRANSMITQ);
        assertThat(deliveredDuringSend).isTrue();
        assertThat(rxq.usedIdx()).isEqualTo(1);
        assertThat(receivedFrame(0)).isEqualTo(frame);
    }

    // ---- receive ----

    @Test
    void backendFrameReachesGuestBufferWithHeader() throws Exception {
        start();
        long buffer = postRx(RX_BUFFER);
        driver.notifyQueue(RECEIVEQ);
        byte[] frame = frame(98, 11);
        backend.deliver(frame);

        assertThat(rxq.usedIdx()).isEqualTo(1);
        assertThat(rxq.used(0).length()).isEqualTo(HEADER_SIZE + frame.length);
        byte[] header = new byte[HEADER_SIZE];
        memory.read(buffer, header, 0, HEADER_SIZE);
        byte[] expected = new byte[HEADER_SIZE];
        expected[HDR_NUM_BUFFERS] = 1;
        assertThat(header).isEqualTo(expected);
        assertThat(receivedFrame(0)).isEqualTo(frame);
        assertThat(irq.level()).isTrue();
        assertThat(net.metrics().rxFrames()).isEqualTo(1);
        assertThat(net.metrics().rxBytes()).isEqualTo(98);
    }

    @Test
    void receivedFrameMaySpanSeveralBuffers() throws Exception {
        start();
        int head = rxq.addChain(Segment.writable(RX, HEADER_SIZE), Segment.writable(RX + 0x1000, 50),
                Segment.writable(RX + 0x2000, 2000));
        driver.notifyQueue(RECEIVEQ);
        byte[] frame = frame(300, 12);
        backend.deliver(frame);
        assertThat(rxq.used(0)).isEqualTo(new VirtqueueDriver.Used(head, HEADER_SIZE + 300));
        byte[] got = new byte[300];
        memory.read(RX + 0x1000, got, 0, 50);
        memory.read(RX + 0x2000, got, 50, 250);
        assertThat(got).isEqualTo(frame);
        assertThat(memory.readShort(RX + HDR_NUM_BUFFERS)).isEqualTo((short) 1);
    }

    @Test
    void moreFramesThanBuffersWaitAndArriveOnceTheGuestAddsBuffers() throws Exception {
        setUp(4, VirtioFeatures.COMMON);
        driver.driverOk();
        postRx(RX_BUFFER);
        postRx(RX_BUFFER);
        driver.notifyQueue(RECEIVEQ);
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            frames.add(frame(60 + i, 20 + i));
        }
        CompletableFuture<Void> producer = deliverAsync(frames);
        await(() -> rxq.usedIdx() == 2 && net.pendingReceiveFrames() == 4, "backlog to fill");
        Thread.sleep(50);
        assertThat(producer).as("producer blocks on a full backlog").isNotDone();

        for (int i = 0; i < 8; i++) {
            postRx(RX_BUFFER);
        }
        driver.notifyQueue(RECEIVEQ);
        producer.get(5, TimeUnit.SECONDS);

        assertThat(rxq.usedIdx()).isEqualTo(10);
        for (int i = 0; i < 10; i++) {
            assertThat(receivedFrame(i)).as("frame %d", i).isEqualTo(frames.get(i));
        }
        assertThat(net.metrics().rxDropped()).isZero();
    }

    @Test
    void frameTooBigForItsChainIsDroppedAndTheChainReturnedEmpty() throws Exception {
        start();
        postRx(HEADER_SIZE + 50);
        postRx(RX_BUFFER);
        driver.notifyQueue(RECEIVEQ);
        backend.deliver(frame(100, 30));
        byte[] second = frame(100, 31);
        backend.deliver(second);

        assertThat(rxq.usedIdx()).isEqualTo(2);
        assertThat(rxq.used(0).length()).isZero();
        assertThat(receivedFrame(1)).isEqualTo(second);
        assertThat(net.metrics().rxDropped()).isEqualTo(1);
        assertThat(driver.needsReset()).isFalse();
    }

    @Test
    void malformedBackendFramesAreDroppedWithoutBlocking() throws Exception {
        setUp(1, VirtioFeatures.COMMON);
        driver.driverOk();
        backend.deliver(new byte[ETHERNET_HEADER_SIZE - 1]);
        backend.deliver(new byte[NetBackend.MAX_FRAME + 1]);
        assertThat(net.pendingReceiveFrames()).isZero();
        assertThat(net.metrics().rxDropped()).isEqualTo(2);
    }

    @Test
    void framesBeforeDriverOkAreDropped() throws Exception {
        setUp(4, VirtioFeatures.COMMON);
        backend.deliver(frame(60, 40));
        postRx(RX_BUFFER);
        driver.driverOk();
        assertThat(rxq.usedIdx()).isZero();
        assertThat(net.metrics().rxDropped()).isEqualTo(1);
    }

    @Test
    void eventIdxSuppressesReceiveInterruptsUntilUsedEventIsPassed() throws Exception {
        start();
        rxq.setUsedEvent(2);
        for (int i = 0; i < 4; i++) {
            postRx(RX_BUFFER);
        }
        driver.notifyQueue(RECEIVEQ);
        backend.deliver(frame(60, 50));
        backend.deliver(frame(60, 51));
        assertThat(irq.risingEdges()).as("no interrupt while used idx has not passed used_event 2").isZero();
        backend.deliver(frame(60, 52));
        assertThat(irq.level()).isTrue();
    }

    @Test
    void noInterruptFlagSuppressesReceiveInterruptsWithoutEventIdx() throws Exception {
        setUp(4, VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1));
        driver.driverOk();
        rxq.setAvailFlags(VirtqueueSpec.VIRTQ_AVAIL_F_NO_INTERRUPT);
        postRx(RX_BUFFER);
        driver.notifyQueue(RECEIVEQ);
        backend.deliver(frame(60, 54));
        assertThat(rxq.usedIdx()).isEqualTo(1);
        assertThat(irq.risingEdges()).isZero();
    }

    @Test
    void outOfBuffersTheDeviceAsksToBeNotified() throws Exception {
        start();
        backend.deliver(frame(60, 55));
        assertThat(rxq.availEvent()).as("avail_event names the next chain the device wants").isEqualTo(rxq.availIdx());
        postRx(RX_BUFFER);
        driver.notifyQueue(RECEIVEQ);
        assertThat(rxq.usedIdx()).isEqualTo(1);
    }

    // ---- reset and close ----

    @Test
    void resetStopsDeliveryIntoGuestMemory() throws Exception {
        start();
        postRx(RX_BUFFER);
        long untouched = postRx(RX_BUFFER);
        driver.notifyQueue(RECEIVEQ);
        backend.deliver(frame(60, 60));
        byte[] before = new byte[RX_BUFFER];
        memory.read(untouched, before, 0, before.length);
        int usedBefore = rxq.usedIdx();

        driver.setStatus(0);
        backend.deliver(frame(60, 61));

        byte[] after = new byte[RX_BUFFER];
        memory.read(untouched, after, 0, after.length);
        assertThat(after).isEqualTo(before);
        assertThat(rxq.usedIdx()).isEqualTo(usedBefore);
        assertThat(net.metrics().rxDropped()).isEqualTo(1);
    }

    @Test
    void resetDropsTheBacklogAndReleasesABlockedBackend() throws Exception {
        setUp(2, VirtioFeatures.COMMON);
        driver.driverOk();
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            frames.add(frame(60, 70 + i));
        }
        CompletableFuture<Void> producer = deliverAsync(frames);
        await(() -> net.pendingReceiveFrames() == 2, "backlog to fill");
        assertThat(producer).isNotDone();

        driver.setStatus(0);
        producer.get(5, TimeUnit.SECONDS);
        assertThat(net.pendingReceiveFrames()).isZero();
        assertThat(net.metrics().rxDropped()).isEqualTo(5);

        // The next driver instance starts clean.
        initialise(VirtioFeatures.COMMON);
        driver.driverOk();
        postRx(RX_BUFFER);
        driver.notifyQueue(RECEIVEQ);
        assertThat(rxq.usedIdx()).isZero();
        byte[] fresh = frame(60, 80);
        backend.deliver(fresh);
        assertThat(receivedFrame(0)).isEqualTo(fresh);
    }

    @Test
    void resetsDuringTrafficLoseNoFrameUncounted() throws Exception {
        setUp(8, VirtioFeatures.COMMON);
        driver.driverOk();
        int total = 300;
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            frames.add(frame(60, i));
        }
        CompletableFuture<Void> producer = deliverAsync(frames);
        int rounds = 0;
        while (!producer.isDone()) {
            if (++rounds % 25 == 0) {
                driver.setStatus(0);
                initialise(VirtioFeatures.COMMON);
                driver.driverOk();
            }
            // Recycle every used buffer, as a driver would.
            for (int i = 0; i < 4 && rxq.availIdx() - rxq.usedIdx() < QSIZE; i++) {
                postRx(RX_BUFFER);
            }
            driver.notifyQueue(RECEIVEQ);
            Thread.sleep(1);
        }
        producer.get(5, TimeUnit.SECONDS);
        driver.setStatus(0); // drops whatever is still in the backlog
        NetMetrics metrics = net.metrics();
        assertThat(metrics.rxFrames() + metrics.rxDropped()).isEqualTo(total);
        assertThat(driver.needsReset()).isFalse();
    }

    @Test
    void closeClosesTheBackendOnceAndReleasesABlockedBackend() throws Exception {
        setUp(1, VirtioFeatures.COMMON);
        driver.driverOk();
        CompletableFuture<Void> producer = deliverAsync(List.of(frame(60, 90), frame(60, 91)));
        await(() -> net.pendingReceiveFrames() == 1, "backlog to fill");
        net.close();
        producer.get(5, TimeUnit.SECONDS);
        net.close();
        assertThat(backend.closes.get()).isEqualTo(1);

        txq.addChain(Segment.readable(TX, writeTx(TX, new byte[HEADER_SIZE], frame(60, 92))));
        driver.notifyQueue(TRANSMITQ);
        assertThat(backend.sent).isEmpty();
        assertThat(txq.usedIdx()).isEqualTo(1);
    }

    @Test
    void backendStartsExactlyOnce() throws Exception {
        start();
        assertThat(backend.starts.get()).isEqualTo(1);
        assertThatThrownBy(net::start).isInstanceOf(IllegalStateException.class);
        net.close();
        assertThatThrownBy(net::start).isInstanceOf(IllegalStateException.class);
        assertThat(backend.starts.get()).isEqualTo(1);
    }
}

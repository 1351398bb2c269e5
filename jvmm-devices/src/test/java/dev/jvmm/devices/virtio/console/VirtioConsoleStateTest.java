package dev.jvmm.devices.virtio.console;

import static dev.jvmm.devices.StateRecords.*;
import static dev.jvmm.devices.virtio.console.VirtioConsole.RECEIVEQ;
import static dev.jvmm.devices.virtio.console.VirtioConsole.TRANSMITQ;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.devices.virtio.LevelLine;
import dev.jvmm.devices.virtio.MmioDriver;
import dev.jvmm.devices.virtio.VirtioFeatures;
import dev.jvmm.devices.virtio.VirtqueueDriver;
import dev.jvmm.devices.virtio.VirtqueueDriver.Segment;
import dev.jvmm.devices.virtio.transport.MmioTransport;
import dev.jvmm.memory.GuestMemory;
import dev.jvmm.memory.state.StateException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VirtioConsoleStateTest {

    private static final long RAM = 0x8000_0000L;
    private static final long RX = RAM + 0x20000;

    private final GuestMemory memory = GuestMemory.allocate(RAM, 1 << 20);
    private final VirtioConsole console = new VirtioConsole(new ByteArrayOutputStream(), 64);
    private final MmioTransport transport = new MmioTransport(memory, console, new LevelLine());
    private final MmioDriver driver = new MmioDriver(transport);
    private VirtqueueDriver rxq;

    @AfterEach
    void close() {
        memory.close();
    }

    private void start() {
        assertThat(driver.negotiate(VirtioFeatures.COMMON)).isTrue();
        rxq = driver.setUpQueue(RECEIVEQ, memory, RAM + 0x1000, 16);
        driver.setUpQueue(TRANSMITQ, memory, RAM + 0x4000, 16);
        driver.driverOk();
    }

    private static void type(VirtioConsole console, String text) throws InterruptedException {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        console.receive(bytes, 0, bytes.length);
    }

    private String received(int usedIndex) {
        VirtqueueDriver.Used used = rxq.used(usedIndex);
        byte[] bytes = new byte[used.length()];
        memory.read(RX + 0x100L * used.id(), bytes, 0, bytes.length);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    @Test
    void inputNotYetDeliveredReachesTheGuestAfterRestore() throws Exception {
        start();
        type(console, "ls\n"); // no receive buffer yet: stays in the backlog
        byte[] record = save(transport);

        VirtioConsole fresh = new VirtioConsole(new ByteArrayOutputStream(), 64);
        MmioTransport restored = new MmioTransport(memory, fresh, new LevelLine());
        restore(restored, record);
        assertThat(fresh.pendingInput()).isEqualTo(3);

        rxq.addChain(Segment.writable(RX, 0x100));
        new MmioDriver(restored).notifyQueue(RECEIVEQ);

        assertThat(rxq.usedIdx()).isEqualTo(1);
        assertThat(received(0)).isEqualTo("ls\n");
    }

    @Test
    void backlogLargerThanTheFreshConsoleTakesIsRefused() throws Exception {
        start();
        type(console, "0123456789");
        VirtioConsole small = new VirtioConsole(new ByteArrayOutputStream(), 4);
        assertRefusedAndUnchanged(new MmioTransport(memory, small, new LevelLine()), save(transport));
    }

    @Test
    void quiescedConsoleHoldsInputBackUntilUnquiesced() throws Exception {
        start();
        rxq.addChain(Segment.writable(RX, 0x100));
        driver.notifyQueue(RECEIVEQ);
        console.quiesce();

        CompletableFuture<Void> typing = CompletableFuture.runAsync(() -> {
            try {
                type(console, "hi");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(100);
        assertThat(typing).isNotDone();
        assertThat(console.pendingInput()).isZero();
        assertThat(rxq.usedIdx()).as("nothing written to guest memory").isZero();

        console.unquiesce();
        typing.get(5, TimeUnit.SECONDS);
        assertThat(rxq.usedIdx()).isEqualTo(1);
        assertThat(received(0)).isEqualTo("hi");
    }

    @Test
    void truncatedRecordsAreRefusedWithoutEffect() throws Exception {
        start();
        type(console, "abc");
        byte[] record = save(transport);
        MmioTransport restored = new MmioTransport(memory, new VirtioConsole(new ByteArrayOutputStream(), 64),
                new LevelLine());
        assertTruncationsRefused(restored, record);
        assertOtherVersionsRefused(restored, record);
    }

    @Test
    void restoredStateSavesToTheSameRecord() throws StateException, InterruptedException {
        start();
        type(console, "abc");
        byte[] record = save(transport);
        MmioTransport restored = new MmioTransport(memory, new VirtioConsole(new ByteArrayOutputStream(), 64),
                new LevelLine());
        restore(restored, record);
        assertThat(save(restored)).isEqualTo(record);
    }
}

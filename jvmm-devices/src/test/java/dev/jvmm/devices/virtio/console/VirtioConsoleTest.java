package dev.jvmm.devices.virtio.console;

import static dev.jvmm.devices.virtio.console.VirtioConsole.RECEIVEQ;
import static dev.jvmm.devices.virtio.console.VirtioConsole.TRANSMITQ;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.devices.virtio.LevelLine;
import dev.jvmm.devices.virtio.MmioDriver;
import dev.jvmm.devices.virtio.VirtioFeatures;
import dev.jvmm.devices.virtio.VirtioIds;
import dev.jvmm.devices.virtio.VirtqueueDriver;
import dev.jvmm.devices.virtio.VirtqueueDriver.Segment;
import dev.jvmm.devices.virtio.transport.MmioTransport;
import dev.jvmm.devices.virtio.transport.VirtioMmioRegisters;
import dev.jvmm.memory.GuestMemory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VirtioConsoleTest {

    private static final long RAM = 0x8000_0000L;
    private static final long RX = RAM + 0x20000;
    private static final long TX = RAM + 0x30000;

    private final GuestMemory memory = GuestMemory.allocate(RAM, 1 << 20);
    private final LevelLine irq = new LevelLine();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private VirtioConsole console;
    private MmioDriver driver;
    private VirtqueueDriver rxq;
    private VirtqueueDriver txq;

    @AfterEach
    void close() {
        memory.close();
    }

    private void start(OutputStream output, int backlog) {
        console = new VirtioConsole(output, backlog);
        driver = new MmioDriver(new MmioTransport(memory, console, irq));
        assertThat(driver.negotiate(VirtioFeatures.COMMON)).isTrue();
        rxq = driver.setUpQueue(RECEIVEQ, memory, RAM + 0x1000, 16);
        txq = driver.setUpQueue(TRANSMITQ, memory, RAM + 0x4000, 16);
    }

    private void start() {
        start(out, 64);
        driver.driverOk();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private String received(int usedIndex) {
        VirtqueueDriver.Used used = rxq.used(usedIndex);
        byte[] bytes = new byte[used.length()];
        memory.read(RX + 0x100L * used.id(), bytes, 0, bytes.length);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    @Test
    void isConsoleDevice() {
        start();
        assertThat(driver.read(VirtioMmioRegisters.DEVICE_ID)).isEqualTo(VirtioIds.VIRTIO_ID_CONSOLE);
        assertThat(driver.read(VirtioMmioRegisters.QUEUE_SEL)).isZero();
    }

    @Test
    void transmitWritesReadableBuffersToOutput() {
        start();
        memory.write(TX, ascii("hello "));
        memory.write(TX + 0x100, ascii("world\n"));
        txq.addChain(Segment.readable(TX, 6), Segment.readable(TX + 0x100, 6));
        driver.notifyQueue(TRANSMITQ);
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("hello world\n");
        assertThat(txq.usedIdx()).isEqualTo(1);
        assertThat(txq.used(0).length()).isZero();
    }

    @Test
    void inputGoesIntoAvailableReceiveBuffers() throws Exception {
        start();
        rxq.addChain(Segment.writable(RX, 0x100));
        driver.notifyQueue(RECEIVEQ);
        console.receive(ascii("ls\n"), 0, 3);
        assertThat(rxq.usedIdx()).isEqualTo(1);
        assertThat(received(0)).isEqualTo("ls\n");
        assertThat(irq.level()).isTrue();
    }

    @Test
    void inputBeforeDriverOkWaitsAndIsDeliveredLater() throws Exception {
        start(out, 64);
        console.receive(ascii("early"), 0, 5);
        rxq.addChain(Segment.writable(RX, 0x100));
        driver.driverOk();
        assertThat(rxq.usedIdx()).isEqualTo(1);
        assertThat(received(0)).isEqualTo("early");
    }

    @Test
    void inputWithoutBuffersWaitsForDriverToAddSome() throws Exception {
        start();
        console.receive(ascii("abcdef"), 0, 6);
        assertThat(console.pendingInput()).isEqualTo(6);
        rxq.addChain(Segment.writable(RX, 4));
        rxq.addChain(Segment.writable(RX + 0x100, 4));
        driver.notifyQueue(RECEIVEQ);
        assertThat(rxq.usedIdx()).isEqualTo(2);
        assertThat(received(0) + received(1)).isEqualTo("abcdef");
        assertThat(console.pendingInput()).isZero();
    }

    @Test
    void fullBacklogBlocksProducerInsteadOfDroppingInput() throws Exception {
        start(out, 4);
        driver.driverOk();
        CompletableFuture<Void> producer = CompletableFuture.runAsync(() -> {
            try {
                console.receive(ascii("0123456789"), 0, 10);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(50);
        assertThat(producer).isNotDone();
        for (int i = 0; i < 3; i++) {
            rxq.addChain(Segment.writable(RX + 0x100L * i, 4));
        }
        driver.notifyQueue(RECEIVEQ);
        producer.get(5, TimeUnit.SECONDS);
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < rxq.usedIdx(); i++) {
            all.append(received(i));
        }
        assertThat(all.toString()).isEqualTo("0123456789");
    }

    @Test
    void inputSurvivesDeviceReset() throws Exception {
        start();
        console.receive(ascii("keep"), 0, 4);
        driver.setStatus(0);
        assertThat(driver.negotiate(VirtioFeatures.COMMON)).isTrue();
        rxq = driver.setUpQueue(RECEIVEQ, memory, RAM + 0x1000, 16);
        driver.setUpQueue(TRANSMITQ, memory, RAM + 0x4000, 16);
        rxq.addChain(Segment.writable(RX, 0x100));
        driver.driverOk();
        assertThat(received(0)).isEqualTo("keep");
    }

    @Test
    void brokenOutputIsSwallowed() {
        start(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("closed");
            }
        }, 64);
        driver.driverOk();
        memory.write(TX, ascii("x"));
        txq.addChain(Segment.readable(TX, 1));
        driver.notifyQueue(TRANSMITQ);
        assertThat(txq.usedIdx()).isEqualTo(1);
        assertThat(driver.needsReset()).isFalse();
    }
}

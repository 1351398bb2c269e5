package dev.jvmm.devices.virtio.rng;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.devices.virtio.LevelLine;
import dev.jvmm.devices.virtio.MmioDriver;
import dev.jvmm.devices.virtio.VirtioFeatures;
import dev.jvmm.devices.virtio.VirtqueueDriver;
import dev.jvmm.devices.virtio.VirtqueueDriver.Segment;
import dev.jvmm.devices.virtio.transport.MmioTransport;
import dev.jvmm.memory.GuestMemory;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VirtioRngTest {

    private static final long RAM = 0x8000_0000L;
    private static final long DATA = RAM + 0x10000;

    private final GuestMemory memory = GuestMemory.allocate(RAM, 1 << 20);
    private final LevelLine irq = new LevelLine();
    private MmioDriver driver;
    private VirtqueueDriver queue;

    @AfterEach
    void close() {
        memory.close();
    }

    private void start(VirtioRng rng) {
        driver = new MmioDriver(new MmioTransport(memory, rng, irq));
        assertThat(driver.negotiate(VirtioFeatures.COMMON)).isTrue();
        queue = driver.setUpQueue(0, memory, RAM + 0x1000, 8);
        driver.driverOk();
    }

    @Test
    void fillsWritableBuffersFromSource() {
        start(new VirtioRng(new Random(7)));
        byte[] expected = new byte[32];
        new Random(7).nextBytes(expected);

        queue.addChain(Segment.writable(DATA, 16), Segment.writable(DATA + 100, 16));
        driver.notifyQueue(0);

        assertThat(queue.used(0).length()).isEqualTo(32);
        byte[] got = new byte[32];
        memory.read(DATA, got, 0, 16);
        memory.read(DATA + 100, got, 16, 16);
        assertThat(got).isEqualTo(expected);
        assertThat(irq.level()).isTrue();
    }

    @Test
    void ignoresReadableBuffers() {
        start(new VirtioRng(new Random(7)));
        memory.write(DATA, new byte[] {1, 2, 3, 4});
        queue.addChain(Segment.readable(DATA, 4), Segment.writable(DATA + 64, 8));
        driver.notifyQueue(0);
        assertThat(queue.used(0).length()).isEqualTo(8);
        assertThat(memory.readInt(DATA)).isEqualTo(0x04030201);
    }

    @Test
    void capsBytesPerRequest() {
        start(new VirtioRng(new Random(1)));
        queue.addChain(Segment.writable(DATA, VirtioRng.MAX_BYTES_PER_REQUEST + 4096));
        driver.notifyQueue(0);
        assertThat(queue.used(0).length()).isEqualTo(VirtioRng.MAX_BYTES_PER_REQUEST);
    }

    @Test
    void defaultSourceProducesBytes() {
        start(new VirtioRng());
        queue.addChain(Segment.writable(DATA, 64));
        driver.notifyQueue(0);
        byte[] got = new byte[64];
        memory.read(DATA, got, 0, 64);
        assertThat(queue.used(0).length()).isEqualTo(64);
        assertThat(got).isNotEqualTo(new byte[64]);
    }
}

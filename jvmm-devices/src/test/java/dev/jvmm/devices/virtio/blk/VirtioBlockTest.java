package dev.jvmm.devices.virtio.blk;

import static dev.jvmm.devices.virtio.VirtioFeatures.bit;
import static dev.jvmm.devices.virtio.blk.VirtioBlkSpec.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.devices.virtio.LevelLine;
import dev.jvmm.devices.virtio.MmioDriver;
import dev.jvmm.devices.virtio.VirtioFeatures;
import dev.jvmm.devices.virtio.VirtqueueDriver;
import dev.jvmm.devices.virtio.VirtqueueDriver.Segment;
import dev.jvmm.devices.virtio.transport.MmioTransport;
import dev.jvmm.memory.GuestMemory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VirtioBlockTest {

    private static final long RAM = 0x8000_0000L;
    private static final long RINGS = RAM + 0x1000;
    private static final long HEADER = RAM + 0x20000;
    private static final long DATA = RAM + 0x30000;
    private static final long STATUS = RAM + 0x2f000;
    private static final long TABLE = RAM + 0x2e000;
    private static final int DISK = 64 * 1024;

    private final GuestMemory memory = GuestMemory.allocate(RAM, 1 << 20);
    private final LevelLine irq = new LevelLine();
    private InMemoryBlockBackend disk;
    private VirtioBlock block;
    private MmioDriver driver;
    private VirtqueueDriver queue;

    @AfterEach
    void close() {
        memory.close();
    }

    private void start(boolean readOnly, long features) {
        disk = new InMemoryBlockBackend(DISK, readOnly);
        for (int i = 0; i < DISK; i++) {
            disk.data()[i] = (byte) (i * 7 + i / 512);
        }
        block = new VirtioBlock(disk, "jvmm-disk-0");
        driver = new MmioDriver(new MmioTransport(memory, block, irq));
        assertThat(driver.negotiate(features)).isTrue();
        queue = driver.setUpQueue(0, memory, RINGS, 16);
        driver.driverOk();
    }

    private void start() {
        start(false, block_features());
    }

    private static long block_features() {
        return VirtioFeatures.COMMON | bit(VIRTIO_BLK_F_FLUSH) | bit(VIRTIO_BLK_F_DISCARD)
                | bit(VIRTIO_BLK_F_WRITE_ZEROES) | bit(VIRTIO_BLK_F_BLK_SIZE) | bit(VIRTIO_BLK_F_SEG_MAX);
    }

    private void header(int type, long sector) {
        memory.writeInt(HEADER, type);
        memory.writeInt(HEADER + 4, 0);
        memory.writeLong(HEADER + 8, sector);
        memory.writeByte(STATUS, (byte) 0x55);
    }

    private int status() {
        return memory.readByte(STATUS) & 0xFF;
    }

    private VirtqueueDriver.Used submit(Segment... segments) {
        int before = queue.usedIdx();
        queue.addChain(segments);
        driver.notifyQueue(0);
        assertThat(queue.usedIdx()).isEqualTo((before + 1) & 0xFFFF);
        return queue.used(before);
    }

    @Test
    void configReportsCapacityInSectorsAndLimits() {
        start();
        assertThat(driver.config(CONFIG_CAPACITY, 8)).isEqualTo(DISK / 512);
        assertThat(driver.config(CONFIG_CAPACITY, 4)).isEqualTo(DISK / 512);
        assertThat(driver.config(CONFIG_SEG_MAX, 4)).isEqualTo(VirtioBlock.SEG_MAX);
        assertThat(driver.config(CONFIG_BLK_SIZE, 4)).isEqualTo(512);
        assertThat(driver.config(CONFIG_MAX_DISCARD_SEG, 4)).isEqualTo(VirtioBlock.MAX_DISCARD_SEG);
        assertThat(driver.config(0x400, 4)).as("past the end").isZero();
    }

    @Test
    void offersRoAndNoWritingFeaturesForReadOnlyDisk() {
        start(true, VirtioFeatures.COMMON);
        long features = driver.deviceFeatures();
        assertThat(VirtioFeatures.has(features, VIRTIO_BLK_F_RO)).isTrue();
        assertThat(VirtioFeatures.has(features, VIRTIO_BLK_F_DISCARD)).isFalse();
        assertThat(VirtioFeatures.has(features, VIRTIO_BLK_F_WRITE_ZEROES)).isFalse();
    }

    @Test
    void readCopiesSectorsIntoWritableBuffers() {
        start();
        header(VIRTIO_BLK_T_IN, 3);
        VirtqueueDriver.Used used = submit(Segment.readable(HEADER, 16), Segment.writable(DATA, 512),
                Segment.writable(DATA + 0x1000, 512), Segment.writable(STATUS, 1));

        assertThat(status()).isEqualTo(VIRTIO_BLK_S_OK);
        assertThat(used.length()).isEqualTo(1025);
        byte[] got = new byte[512];
        memory.read(DATA, got, 0, 512);
        assertThat(got).isEqualTo(Arrays.copyOfRange(disk.data(), 3 * 512, 4 * 512));
        memory.read(DATA + 0x1000, got, 0, 512);
        assertThat(got).isEqualTo(Arrays.copyOfRange(disk.data(), 4 * 512, 5 * 512));
        assertThat(irq.level()).isTrue();
    }

    @Test
    void writeStoresReadableBuffersOnDisk() {
        start();
        header(VIRTIO_BLK_T_OUT, 10);
        byte[] payload = new byte[1024];
        Arrays.fill(payload, (byte) 0xAB);
        memory.write(DATA, payload);
        VirtqueueDriver.Used used = submit(Segment.readable(HEADER, 16), Segment.readable(DATA, 1024),
                Segment.writable(STATUS, 1));

        assertThat(status()).isEqualTo(VIRTIO_BLK_S_OK);
        assertThat(used.length()).isEqualTo(1);
        assertThat(Arrays.copyOfRange(disk.data(), 10 * 512, 12 * 512)).isEqualTo(payload);
        assertThat(disk.data()[12 * 512]).isNotEqualTo((byte) 0xAB);
    }

    @Test
    void headerAndDataMaySplitAcrossBuffers() {
        start();
        header(VIRTIO_BLK_T_IN, 1);
        // Header in two pieces, data and status in one writable buffer.
        VirtqueueDriver.Used used = submit(Segment.readable(HEADER, 4), Segment.readable(HEADER + 4, 12),
                Segment.writable(DATA, 513));
        assertThat(used.length()).isEqualTo(513);
        assertThat(memory.readByte(DATA + 512)).isEqualTo((byte) VIRTIO_BLK_S_OK);
        assertThat(memory.readByte(DATA)).isEqualTo(disk.data()[512]);
    }

    @Test
    void flushReachesBackend() {
        start();
        header(VIRTIO_BLK_T_FLUSH, 0);
        submit(Segment.readable(HEADER, 16), Segment.writable(STATUS, 1));
        assertThat(status()).isEqualTo(VIRTIO_BLK_S_OK);
        assertThat(disk.flushes()).isEqualTo(1);
    }

    @Test
    void getIdReturnsTwentyByteSerial() {
        start();
        header(VIRTIO_BLK_T_GET_ID, 0);
        VirtqueueDriver.Used used = submit(Segment.readable(HEADER, 16), Segment.writable(DATA, 20),
                Segment.writable(STATUS, 1));
        assertThat(status()).isEqualTo(VIRTIO_BLK_S_OK);
        assertThat(used.length()).isEqualTo(21);
        byte[] id = new byte[20];
        memory.read(DATA, id, 0, 20);
        byte[] expected = Arrays.copyOf("jvmm-disk-0".getBytes(StandardCharsets.US_ASCII), 20);
        assertThat(id).isEqualTo(expected);
    }

    @Test
    void readPastEndOfDiskReturnsIoError() {
        start();
        header(VIRTIO_BLK_T_IN, DISK / 512 - 1);
        memory.write(DATA, new byte[1024]);
        submit(Segment.readable(HEADER, 16), Segment.writable(DATA, 1024), Segment.writable(STATUS, 1));
        assertThat(status()).isEqualTo(VIRTIO_BLK_S_IOERR);
    }

    @Test
    void hugeSectorNumberReturnsIoError() {
        start();
        header(VIRTIO_BLK_T_OUT, Long.MAX_VALUE / 256);
        submit(Segment.readable(HEADER, 16), Segment.readable(DATA, 512), Segment.writable(STATUS, 1));
        assertThat(status()).isEqualTo(VIRTIO_BLK_S_IOERR);
    }

    @Test
    void dataLengthNotMultipleOfSectorReturnsIoError() {
        start();
        header(VIRTIO_BLK_T_IN, 0);
        submit(Segment.readable(HEADER, 16), Segment.writable(DATA, 100), Segment.writable(STATUS, 1));
        assertThat(status()).isEqualTo(VIRTIO_BLK_S_IOERR);
    }

    @Test
    void writeToReadOnlyDiskReturnsIoError() {
        start(true, VirtioFeatures.COMMON);
        byte before = disk.data()[0];
        header(VIRTIO_BLK_T_OUT, 0);
        memory.write(DATA, new byte[512]);
        submit(Segment.readable(HEADER, 16), Segment.readable(DATA, 512), Segment.writable(STATUS, 1));
        assertThat(status()).isEqualTo(VIRTIO_BLK_S_IOERR);
        assertThat(disk.data()[0]).isEqualTo(before);
    }

    @Test
    void unknownTypeReturnsUnsupported() {
        start();
        header(0x42, 0);
        submit(Segment.readable(HEADER, 16), Segment.writable(STATUS, 1));
        assertThat(status()).isEqualTo(VIRTIO_BLK_S_UNSUPP);
    }

    @Test
    void shortHeaderReturnsIoError() {
        start();
        header(VIRTIO_BLK_T_IN, 0);
        submit(Segment.readable(HEADER, 8), Segment.writable(STATUS, 1));
        assertThat(status()).isEqualTo(VIRTIO_BLK_S_IOERR);
    }

    @Test
    void chainWithoutStatusByteIsReturnedUnwritten() {
        start();
        header(VIRTIO_BLK_T_IN, 0);
        VirtqueueDriver.Used used = submit(Segment.readable(HEADER, 16));
        assertThat(used.length()).isZero();
        assertThat(driver.needsReset()).isFalse();
    }

    @Test
    void writeZeroesClearsSegment() {
        start();
        header(VIRTIO_BLK_T_WRITE_ZEROES, 0);
        memory.writeLong(DATA, 4);
        memory.writeInt(DATA + 8, 2);
        memory.writeInt(DATA + 12, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
        submit(Segment.readable(HEADER, 16), Segment.readable(DATA, 16), Segment.writable(STATUS, 1));
        assertThat(status()).isEqualTo(VIRTIO_BLK_S_OK);
        assertThat(Arrays.copyOfRange(disk.data(), 4 * 512, 6 * 512)).containsOnly(0);
        assertThat(disk.data()[6 * 512 + 1]).isNotZero();
    }

    @Test
    void discardPassesRangeToBackend() {
        start();
        header(VIRTIO_BLK_T_DISCARD, 0);
        memory.writeLong(DATA, 8);
        memory.writeInt(DATA + 8, 16);
        memory.writeInt(DATA + 12, 0);
        submit(Segment.readable(HEADER, 16), Segment.readable(DATA, 16), Segment.writable(STATUS, 1));
        assertThat(status()).isEqualTo(VIRTIO_BLK_S_OK);
        assertThat(disk.discards()).containsExactly(new long[] {8 * 512, 16 * 512});
    }

    @Test
    void discardWithUnmapFlagIsUnsupported() {
        start();
        header(VIRTIO_BLK_T_DISCARD, 0);
        memory.writeLong(DATA, 8);
        memory.writeInt(DATA + 8, 1);
        memory.writeInt(DATA + 12, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
        submit(Segment.readable(HEADER, 16), Segment.readable(DATA, 16), Segment.writable(STATUS, 1));
        assertThat(status()).isEqualTo(VIRTIO_BLK_S_UNSUPP);
    }

    @Test
    void discardNotNegotiatedIsUnsupported() {
        start(false, VirtioFeatures.COMMON);
        header(VIRTIO_BLK_T_DISCARD, 0);
        memory.writeLong(DATA, 8);
        memory.writeInt(DATA + 8, 1);
        memory.writeInt(DATA + 12, 0);
        submit(Segment.readable(HEADER, 16), Segment.readable(DATA, 16), Segment.writable(STATUS, 1));
        assertThat(status()).isEqualTo(VIRTIO_BLK_S_UNSUPP);
        assertThat(disk.discards()).isEmpty();
    }

    @Test
    void discardPastEndReturnsIoError() {
        start();
        header(VIRTIO_BLK_T_DISCARD, 0);
        memory.writeLong(DATA, DISK / 512 - 1);
        memory.writeInt(DATA + 8, 2);
        memory.writeInt(DATA + 12, 0);
        submit(Segment.readable(HEADER, 16), Segment.readable(DATA, 16), Segment.writable(STATUS, 1));
        assertThat(status()).isEqualTo(VIRTIO_BLK_S_IOERR);
    }

    @Test
    void indirectRequestIsServed() {
        start();
        header(VIRTIO_BLK_T_IN, 2);
        queue.addIndirectChain(TABLE, Segment.readable(HEADER, 16), Segment.writable(DATA, 512),
                Segment.writable(STATUS, 1));
        driver.notifyQueue(0);
        assertThat(queue.usedIdx()).isEqualTo(1);
        assertThat(queue.used(0).length()).isEqualTo(513);
        assertThat(status()).isEqualTo(VIRTIO_BLK_S_OK);
        assertThat(memory.readByte(DATA + 5)).isEqualTo(disk.data()[2 * 512 + 5]);
    }

    @Test
    void eventIdxSuppressesInterruptUntilUsedEventPassed() {
        start();
        queue.setUsedEvent(1); // interrupt when the second request completes
        header(VIRTIO_BLK_T_FLUSH, 0);
        submit(Segment.readable(HEADER, 16), Segment.writable(STATUS, 1));
        assertThat(irq.level()).isFalse();
        submit(Segment.readable(HEADER, 16), Segment.writable(STATUS, 1));
        assertThat(irq.level()).isTrue();
        assertThat(queue.availEvent()).as("device asks to be notified of the next chain").isEqualTo(2);
    }

    @Test
    void batchOfRequestsCompletesWithOneInterrupt() {
        start();
        header(VIRTIO_BLK_T_FLUSH, 0);
        for (int i = 0; i < 5; i++) {
            queue.addChain(Segment.readable(HEADER, 16), Segment.writable(STATUS, 1));
        }
        driver.notifyQueue(0);
        assertThat(queue.usedIdx()).isEqualTo(5);
        assertThat(irq.risingEdges()).isEqualTo(1);
        assertThat(disk.flushes()).isEqualTo(5);
    }

    @Test
    void resetThenReinitialiseServesRequestsAgain() {
        start();
        driver.setStatus(0);
        assertThat(driver.negotiate(block_features())).isTrue();
        queue = driver.setUpQueue(0, memory, RINGS + 0x4000, 16);
        driver.driverOk();
        header(VIRTIO_BLK_T_IN, 0);
        submit(Segment.readable(HEADER, 16), Segment.writable(DATA, 512), Segment.writable(STATUS, 1));
        assertThat(status()).isEqualTo(VIRTIO_BLK_S_OK);
    }
}

package dev.jvmm.devices.virtio.net;

import static dev.jvmm.devices.virtio.queue.VirtqueueSpec.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.devices.virtio.LevelLine;
import dev.jvmm.devices.virtio.MmioDriver;
import dev.jvmm.devices.virtio.VirtioFeatures;
import dev.jvmm.devices.virtio.VirtqueueDriver;
import dev.jvmm.devices.virtio.transport.MmioTransport;
import dev.jvmm.memory.GuestMemory;
import dev.jvmm.net.NetBackend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.statistics.Statistics;

/**
 * A hostile driver against both virtio-net queues: random descriptor tables, indirect tables,
 * rings and indices, some pointing outside RAM or across its end, while the backend delivers
 * frames. The device must never throw, never write outside the device-writable buffers and the
 * used rings (canary pages at both ends of RAM must survive), pass the backend only frames of
 * legal size, and either complete what it can (every transmit chain; a receive chain per
 * frame) or set DEVICE_NEEDS_RESET. Reproducible: jqwik's seed is fixed and each try builds
 * its scenario from the seed it is handed.
 */
class NetHostileDriverPropertyTest {

    private static final long RAM = 0x8000_0000L;
    private static final int PAGE = 4096;
    private static final int RAM_SIZE = 16 * PAGE;
    private static final long RAM_END = RAM + RAM_SIZE;
    private static final long TABLES = RAM + 5 * PAGE;        // page 5: indirect tables
    private static final long DATA = RAM + 6 * PAGE;          // pages 6..14
    private static final long DATA_END = RAM + 15 * PAGE;     // page 15 is a canary
    private static final byte CANARY = (byte) 0xA5;

    /** Queue q's rings: descriptors and avail ring in page 1+2q, used ring in page 2+2q. */
    private static long desc(int q) {
        return RAM + (1 + 2L * q) * PAGE;
    }

    private static long avail(int q) {
        return desc(q) + 0xC00;
    }

    private static long used(int q) {
        return desc(q) + PAGE;
    }

    /** What the test knows about one queue it wrote. */
    private record QueueScenario(int size, boolean valid, int availIdx) {
    }

    @Property(tries = 300, seed = "4190263", shrinking = ShrinkingMode.OFF)
    void deviceNeverEscapesItsBuffersUnderRandomRings(@ForAll long seed) throws Exception {
        Random random = new Random(seed);
        RecordingBackend backend = new RecordingBackend();
        try (GuestMemory memory = GuestMemory.allocate(RAM, RAM_SIZE);
             VirtioNet net = new VirtioNet(backend, MacAddress.QEMU_DEFAULT)) {
            fill(memory, RAM, PAGE, CANARY);
            fill(memory, RAM_END - PAGE, PAGE, CANARY);
            fillData(memory, random);
            net.start();

            MmioDriver driver = new MmioDriver(new MmioTransport(memory, net, new LevelLine()));
            long features = VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1)
                    | (net.offeredFeatures() & random.nextLong());
            if (random.nextInt(4) != 0) {
                features |= VirtioFeatures.bit(VirtioFeatures.VIRTIO_RING_F_INDIRECT_DESC);
            }
            assertThat(driver.negotiate(features)).isTrue();

            List<long[]> writable = new ArrayList<>();
            // Some tries are mostly well-formed so that frames get through; others are hostile.
            double hostility = new double[] {0.0, 0.0, 0.01, 0.05, 0.2, 0.5}[random.nextInt(6)];
            QueueScenario rx = writeQueue(memory, random, hostility, driver, VirtioNet.RECEIVEQ, writable);
            QueueScenario tx = writeQueue(memory, random, hostility, driver, VirtioNet.TRANSMITQ, writable);
            byte[] before = snapshot(memory);

            driver.driverOk();
            int frames = random.nextInt(rx.size() + 3);
            for (int i = 0; i < frames; i++) {
                backend.deliver(new byte[NetBackend.MAX_FRAME - random.nextInt(NetBackend.MAX_FRAME - 14)]);
            }
            driver.notifyQueue(VirtioNet.RECEIVEQ);
            driver.notifyQueue(VirtioNet.TRANSMITQ);
            driver.notifyQueue(random.nextInt(4) - 1);

            byte[] after = snapshot(memory);
            assertOnlyAllowedBytesChanged(before, after, writable);
            assertThat(slice(after, 0, PAGE)).as("low canary").containsOnly(CANARY);
            assertThat(slice(after, RAM_SIZE - PAGE, PAGE)).as("high canary").containsOnly(CANARY);
            assertThat(backend.sent).allSatisfy(frame ->
                    assertThat(frame.length).isBetween(VirtioNetSpec.ETHERNET_HEADER_SIZE, NetBackend.MAX_FRAME));

            // The device reads the receive ring only when it has a frame to put there.
            boolean rxBroken = rx.availIdx() > rx.size() && frames > 0;
            if (!rx.valid() || !tx.valid() || rxBroken || tx.availIdx() > tx.size()) {
                assertThat(driver.needsReset()).as("broken queue must need reset").isTrue();
            }
            Statistics.label("outcome").collect(driver.needsReset() ? "needs reset"
                    : backend.sent.isEmpty() && net.metrics().rxFrames() == 0 ? "nothing moved" : "frames moved");
            if (!driver.needsReset()) {
                VirtqueueDriver txRing = new VirtqueueDriver(memory, tx.size(), desc(1), avail(1), used(1));
                assertThat(txRing.usedIdx()).as("every transmit chain completed").isEqualTo(tx.availIdx());
                VirtqueueDriver rxRing = new VirtqueueDriver(memory, rx.size(), desc(0), avail(0), used(0));
                assertThat(rxRing.usedIdx()).as("a receive chain per frame")
                        .isEqualTo(Math.min(rx.availIdx(), frames));
                assertThat(net.pendingReceiveFrames()).isEqualTo(frames - rxRing.usedIdx());
            }
        }
    }

    @Property(tries = 100, seed = "2654435", shrinking = ShrinkingMode.OFF)
    void randomRegisterTrafficNeverThrows(@ForAll long seed) throws Exception {
        Random random = new Random(seed);
        RecordingBackend backend = new RecordingBackend();
        try (GuestMemory memory = GuestMemory.allocate(RAM, RAM_SIZE);
             VirtioNet net = new VirtioNet(backend, MacAddress.QEMU_DEFAULT, 4)) {
            fill(memory, RAM, RAM_SIZE, (byte) random.nextInt());
            net.start();
            MmioTransport transport = new MmioTransport(memory, net, new LevelLine());
            int[] registers = {0x014, 0x020, 0x024, 0x030, 0x038, 0x044, 0x050, 0x064, 0x070, 0x080, 0x084,
                    0x090, 0x094, 0x0a0, 0x0a4, 0x0ac, 0x0c0, 0x100, 0x104, 0x106, 0x10a};
            for (int i = 0; i < 200; i++) {
                long offset = random.nextInt(8) == 0 ? random.nextInt(0x1100) - 0x80 : registers[random.nextInt(registers.length)];
                int size = new int[] {1, 2, 4, 8, 3}[random.nextInt(5)];
                long value = switch (random.nextInt(4)) {
                    case 0 -> random.nextLong();
                    case 1 -> random.nextInt(16);
                    case 2 -> RAM + random.nextInt(RAM_SIZE);
                    default -> 0xF;
                };
                if (random.nextInt(10) == 0 && net.pendingReceiveFrames() < 4) {
                    backend.deliver(new byte[60]);
                } else if (random.nextBoolean()) {
                    transport.write(offset, size, value);
                } else {
                    transport.read(offset, size);
                }
            }
        }
    }

    private static QueueScenario writeQueue(GuestMemory memory, Random random, double hostility, MmioDriver driver, int q,
                                            List<long[]> writable) {
        int[] sizes = {1, 2, 4, 8, 16, 32, 64};
        int size = sizes[random.nextInt(sizes.length)];
        boolean valid = true;
        long desc = desc(q);
        long avail = avail(q);
        long used = used(q);
        int reportedSize = size;
        if (random.nextInt(16) == 0) {
            valid = false;
            switch (random.nextInt(5)) {
                case 0 -> reportedSize = new int[] {0, 3, 12, 512, 65535}[random.nextInt(5)];
                case 1 -> desc += 8;
                case 2 -> avail = RAM_END - 2;
                case 3 -> used += 2;
                default -> desc = random.nextBoolean() ? RAM - 0x1000 : random.nextLong() | 1;
            }
        }
        driver.configureQueue(q, reportedSize, desc, avail, used);

        // Receive chains should be writable and transmit chains readable, mostly.
        boolean writes = q == VirtioNet.RECEIVEQ;
        for (int i = 0; i < size; i++) {
            writeRandomDescriptor(memory, random, hostility, writes, desc(q) + 16L * i, size, true, writable);
        }
        int availIdx = random.nextDouble() >= hostility ? random.nextInt(size + 1)
                : random.nextBoolean() ? random.nextInt(0x10000) : size + 1 + random.nextInt(4);
        for (int i = 0; i < size; i++) {
            int head = random.nextDouble() < hostility ? random.nextInt(0x10000) : random.nextInt(size);
            memory.writeShort(avail(q) + 4 + 2L * i, (short) head);
        }
        memory.writeShort(avail(q), (short) random.nextInt(2));
        memory.writeShort(avail(q) + 2, (short) availIdx);
        memory.writeShort(avail(q) + 4 + 2L * size, (short) random.nextInt(size + 2)); // used_event
        if (valid) {
            writable.add(new long[] {used(q), usedRingSize(size)});
        }
        return new QueueScenario(size, valid, availIdx);
    }

    private static void writeRandomDescriptor(GuestMemory memory, Random random, double hostility, boolean writes,
                                              long at, int tableSize, boolean mayBeIndirect, List<long[]> writable) {
        boolean writeFlag = random.nextInt(20) == 0 ? !writes : writes;
        int flags = random.nextDouble() < hostility ? random.nextInt(0x10000)
                : (random.nextInt(4) == 0 ? VIRTQ_DESC_F_NEXT : 0) | (writeFlag ? VIRTQ_DESC_F_WRITE : 0);
        if (random.nextDouble() < (hostility == 0 ? 0.02 : 0.1 + hostility / 2)) {
            flags |= VIRTQ_DESC_F_INDIRECT;
        }
        long address;
        long length;
        if ((flags & VIRTQ_DESC_F_INDIRECT) != 0 && mayBeIndirect && random.nextInt(4) != 0) {
            int entries = 1 + random.nextInt(6);
            address = TABLES + 16L * 8 * random.nextInt(30);
            length = random.nextInt(8) == 0 ? 16L * entries + 8 : 16L * entries;
            for (int i = 0; i < entries; i++) {
                writeRandomDescriptor(memory, random, hostility, writes, address + 16L * i, entries, false, writable);
            }
        } else {
            switch (random.nextDouble() < hostility ? random.nextInt(3) : 3) {
                case 0 -> { // outside RAM entirely
                    address = random.nextBoolean() ? RAM - 1 - random.nextInt(1 << 20) : RAM_END + random.nextInt(1 << 20);
                    length = random.nextInt(4096);
                }
                case 1 -> { // across the end of RAM, through the high canary
                    address = RAM_END - 1 - random.nextInt(PAGE);
                    length = RAM_END - address + 1 + random.nextInt(64);
                }
                case 2 -> { // absurd values
                    address = random.nextLong();
                    length = random.nextBoolean() ? 0xFFFF_FFFFL : random.nextInt() & 0xFFFF_FFFFL;
                }
                default -> { // inside the data region, around frame sizes
                    length = random.nextInt(8) == 0 ? random.nextInt(20) : 1 + random.nextInt(1600);
                    long room = DATA_END - DATA - length;
                    address = DATA + random.nextLong(room + 1);
                }
            }
        }
        memory.writeLong(at, address);
        memory.writeInt(at + 8, (int) length);
        memory.writeShort(at + 12, (short) flags);
        memory.writeShort(at + 14, (short) (random.nextDouble() < hostility ? random.nextInt(0x10000) : random.nextInt(tableSize + 1)));
        if ((flags & VIRTQ_DESC_F_WRITE) != 0 && (flags & VIRTQ_DESC_F_INDIRECT) == 0) {
            writable.add(new long[] {address, length});
        }
    }

    /** Zeros (so transmit headers are valid) or random bytes (so most ask for offloads). */
    private static void fillData(GuestMemory memory, Random random) {
        boolean zeros = random.nextBoolean();
        byte[] data = new byte[(int) (DATA_END - DATA)];
        if (!zeros) {
            random.nextBytes(data);
        }
        memory.write(DATA, data);
    }

    private static void assertOnlyAllowedBytesChanged(byte[] before, byte[] after, List<long[]> writable) {
        for (int i = 0; i < before.length; i++) {
            if (before[i] != after[i]) {
                long address = RAM + i;
                boolean allowed = writable.stream().anyMatch(r -> address - r[0] >= 0 && address - r[0] < r[1]);
                assertThat(allowed).as("write at 0x%x is inside a device-writable buffer or a used ring", address)
                        .isTrue();
            }
        }
    }

    private static void fill(GuestMemory memory, long address, int length, byte value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, value);
        memory.write(address, bytes);
    }

    private static byte[] snapshot(GuestMemory memory) {
        byte[] bytes = new byte[RAM_SIZE];
        memory.read(RAM, bytes, 0, RAM_SIZE);
        return bytes;
    }

    private static byte[] slice(byte[] bytes, int from, int length) {
        byte[] out = new byte[length];
        System.arraycopy(bytes, from, out, 0, length);
        return out;
    }
}

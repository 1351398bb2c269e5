package dev.jvmm.devices.virtio;

import static dev.jvmm.devices.virtio.queue.VirtqueueSpec.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.devices.virtio.blk.InMemoryBlockBackend;
import dev.jvmm.devices.virtio.blk.VirtioBlkSpec;
import dev.jvmm.devices.virtio.blk.VirtioBlock;
import dev.jvmm.devices.virtio.transport.MmioTransport;
import dev.jvmm.memory.GuestMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.statistics.Statistics;

/**
 * A hostile driver: random descriptor tables, indirect tables, rings and indices, some pointing
 * outside RAM or across its end. The device must never throw, never write outside the buffers
 * the driver marked device-writable and the used ring (canary pages at both ends of RAM must
 * survive), and must either complete every published chain or set DEVICE_NEEDS_RESET.
 *
 * <p>Each try builds its scenario from the {@code long seed} jqwik hands it; jqwik's own seed is
 * fixed, so the run is reproducible and a failure reports the seed of the failing try.
 */
class HostileDriverPropertyTest {

    private static final long RAM = 0x8000_0000L;
    private static final int PAGE = 4096;
    private static final int RAM_SIZE = 16 * PAGE;
    private static final long RAM_END = RAM + RAM_SIZE;
    private static final long RINGS = RAM + PAGE;            // pages 1: desc, avail, used
    private static final long DESC = RINGS;
    private static final long AVAIL = RINGS + 0x1000 - 0x400; // still page 1, after a 64-entry table
    private static final long USED = RINGS + 0x1000;          // page 2
    private static final long TABLES = RAM + 3 * PAGE;        // page 3: indirect tables
    private static final long DATA = RAM + 4 * PAGE;          // pages 4..14
    private static final long DATA_END = RAM + 15 * PAGE;     // page 15 is a canary
    private static final byte CANARY = (byte) 0xA5;

    /** What the test knows about the scenario it wrote. */
    private record Scenario(int size, boolean queueValid, int availIdx, List<long[]> writable) {
    }

    @Property(tries = 1000, seed = "7340033", shrinking = ShrinkingMode.OFF)
    void deviceNeverEscapesItsBuffersUnderRandomRings(@ForAll long seed) {
        Random random = new Random(seed);
        try (GuestMemory memory = GuestMemory.allocate(RAM, RAM_SIZE)) {
            fill(memory, RAM, PAGE, CANARY);
            fill(memory, RAM_END - PAGE, PAGE, CANARY);
            fillHeaders(memory, random);

            VirtioBlock block = new VirtioBlock(new InMemoryBlockBackend(32 * 512, random.nextInt(4) == 0), "fuzz");
            LevelLine irq = new LevelLine();
            MmioTransport transport = new MmioTransport(memory, block, irq);
            MmioDriver driver = new MmioDriver(transport);
            long features = VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1)
                    | (block.offeredFeatures() & random.nextLong());
            assertThat(driver.negotiate(features)).isTrue();

            Scenario scenario = writeScenario(memory, random, driver);
            byte[] before = snapshot(memory);

            driver.driverOk();
            driver.notifyQueue(0);
            driver.notifyQueue(random.nextInt(3) - 1);

            byte[] after = snapshot(memory);
            assertOnlyAllowedBytesChanged(before, after, scenario);
            assertThat(slice(after, 0, PAGE)).as("low canary").containsOnly(CANARY);
            assertThat(slice(after, RAM_SIZE - PAGE, PAGE)).as("high canary").containsOnly(CANARY);

            if (!scenario.queueValid() || scenario.availIdx() > scenario.size()) {
                assertThat(driver.needsReset()).as("broken queue must need reset").isTrue();
            }
            Statistics.label("outcome").collect(driver.needsReset() ? "needs reset"
                    : scenario.availIdx() == 0 ? "nothing published" : "completed");
            if (!driver.needsReset()) {
                VirtqueueDriver ring = new VirtqueueDriver(memory, scenario.size(), DESC, AVAIL, USED);
                assertThat(ring.usedIdx()).as("every published chain completed").isEqualTo(scenario.availIdx());
                for (int i = 0; i < scenario.availIdx(); i++) {
                    assertThat(ring.used(i).id()).isBetween(0, scenario.size() - 1);
                }
            }
        }
    }

    @Property(tries = 300, seed = "1234567", shrinking = ShrinkingMode.OFF)
    void randomRegisterTrafficNeverThrows(@ForAll long seed) {
        Random random = new Random(seed);
        try (GuestMemory memory = GuestMemory.allocate(RAM, RAM_SIZE)) {
            fill(memory, RAM, RAM_SIZE, (byte) random.nextInt());
            VirtioBlock block = new VirtioBlock(new InMemoryBlockBackend(32 * 512, false), "fuzz");
            MmioTransport transport = new MmioTransport(memory, block, new LevelLine());
            int[] registers = {0x014, 0x020, 0x024, 0x030, 0x038, 0x044, 0x050, 0x064, 0x070, 0x080, 0x084,
                    0x090, 0x094, 0x0a0, 0x0a4, 0x0ac, 0x0c0, 0x100, 0x104, 0x13c};
            for (int i = 0; i < 200; i++) {
                long offset = random.nextInt(8) == 0 ? random.nextInt(0x1100) - 0x80 : registers[random.nextInt(registers.length)];
                int size = new int[] {1, 2, 4, 8, 3}[random.nextInt(5)];
                long value = switch (random.nextInt(4)) {
                    case 0 -> random.nextLong();
                    case 1 -> random.nextInt(16);
                    case 2 -> RAM + random.nextInt(RAM_SIZE);
                    default -> 0xF;
                };
                if (random.nextBoolean()) {
                    transport.write(offset, size, value);
                } else {
                    transport.read(offset, size);
                }
            }
        }
    }

    private static Scenario writeScenario(GuestMemory memory, Random random, MmioDriver driver) {
        int[] sizes = {1, 2, 4, 8, 16, 32, 64};
        int size = sizes[random.nextInt(sizes.length)];
        boolean queueValid = true;
        long desc = DESC;
        long avail = AVAIL;
        long used = USED;
        int reportedSize = size;
        if (random.nextInt(10) == 0) {
            queueValid = false;
            switch (random.nextInt(5)) {
                case 0 -> reportedSize = new int[] {0, 3, 12, 512, 65535}[random.nextInt(5)];
                case 1 -> desc = DESC + 8;
                case 2 -> avail = RAM_END - 2;
                case 3 -> used = USED + 2;
                default -> desc = random.nextBoolean() ? RAM - 0x1000 : random.nextLong() | 1;
            }
        }
        driver.configureQueue(0, reportedSize, desc, avail, used);

        // Some tries are mostly well-formed so that requests get through; others are hostile.
        double hostility = new double[] {0.0, 0.01, 0.05, 0.2, 0.5}[random.nextInt(5)];
        List<long[]> writable = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            writeRandomDescriptor(memory, random, hostility, DESC + 16L * i, size, true, writable);
        }
        int availIdx = random.nextDouble() >= hostility ? random.nextInt(size + 1)
                : random.nextBoolean() ? random.nextInt(0x10000) : size + 1 + random.nextInt(4);
        for (int i = 0; i < size; i++) {
            int head = random.nextDouble() < hostility ? random.nextInt(0x10000) : random.nextInt(size);
            memory.writeShort(AVAIL + 4 + 2L * i, (short) head);
        }
        memory.writeShort(AVAIL, (short) random.nextInt(2));
        memory.writeShort(AVAIL + 2, (short) availIdx);
        memory.writeShort(AVAIL + 4 + 2L * size, (short) random.nextInt(size + 2)); // used_event
        if (queueValid) {
            writable.add(new long[] {USED, usedRingSize(size)});
        }
        return new Scenario(size, queueValid, availIdx, writable);
    }

    private static void writeRandomDescriptor(GuestMemory memory, Random random, double hostility, long at,
                                              int tableSize, boolean mayBeIndirect, List<long[]> writable) {
        int flags = random.nextDouble() < hostility ? random.nextInt(0x10000)
                : (random.nextInt(4) == 0 ? VIRTQ_DESC_F_NEXT : 0) | (random.nextBoolean() ? VIRTQ_DESC_F_WRITE : 0);
        if (random.nextDouble() < 0.1 + hostility / 2) {
            flags |= VIRTQ_DESC_F_INDIRECT;
        }
        long address;
        long length;
        if ((flags & VIRTQ_DESC_F_INDIRECT) != 0 && mayBeIndirect && random.nextInt(4) != 0) {
            int entries = 1 + random.nextInt(6);
            address = TABLES + 16L * 8 * random.nextInt(30);
            length = random.nextInt(8) == 0 ? 16L * entries + 8 : 16L * entries;
            for (int i = 0; i < entries; i++) {
                writeRandomDescriptor(memory, random, hostility, address + 16L * i, entries, false, writable);
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
                default -> { // inside the data region
                    length = random.nextInt(8) == 0 ? 0 : 1 + random.nextInt(1536);
                    long room = DATA_END - DATA - length;
                    address = DATA + (random.nextBoolean() ? random.nextLong(room + 1) : (random.nextLong(room + 1) & ~15L));
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

    /** Fills the data region with block request headers (random types, mostly small sectors). */
    private static void fillHeaders(GuestMemory memory, Random random) {
        int[] types = {VirtioBlkSpec.VIRTIO_BLK_T_IN, VirtioBlkSpec.VIRTIO_BLK_T_OUT, VirtioBlkSpec.VIRTIO_BLK_T_FLUSH,
                VirtioBlkSpec.VIRTIO_BLK_T_GET_ID, VirtioBlkSpec.VIRTIO_BLK_T_DISCARD,
                VirtioBlkSpec.VIRTIO_BLK_T_WRITE_ZEROES, 77};
        for (long at = DATA; at < DATA_END; at += 16) {
            memory.writeInt(at, types[random.nextInt(types.length)]);
            memory.writeInt(at + 4, random.nextInt(2));
            memory.writeLong(at + 8, random.nextInt(40));
        }
    }

    private static void assertOnlyAllowedBytesChanged(byte[] before, byte[] after, Scenario scenario) {
        for (int i = 0; i < before.length; i++) {
            if (before[i] != after[i]) {
                long address = RAM + i;
                boolean allowed = scenario.writable().stream()
                        .anyMatch(r -> address - r[0] >= 0 && address - r[0] < r[1]);
                assertThat(allowed).as("write at 0x%x is inside a device-writable buffer or the used ring", address)
                        .isTrue();
            }
        }
    }

    private static void fill(GuestMemory memory, long address, int length, byte value) {
        for (int i = 0; i < length; i++) {
            memory.writeByte(address + i, value);
        }
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

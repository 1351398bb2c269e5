package dev.jvmm.devices;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.devices.virtio.LevelLine;
import dev.jvmm.devices.virtio.MmioDriver;
import dev.jvmm.devices.virtio.VirtioDevice;
import dev.jvmm.devices.virtio.VirtioFeatures;
import dev.jvmm.devices.virtio.VirtqueueDriver;
import dev.jvmm.devices.virtio.VirtqueueDriver.Segment;
import dev.jvmm.devices.virtio.blk.InMemoryBlockBackend;
import dev.jvmm.devices.virtio.blk.VirtioBlock;
import dev.jvmm.devices.virtio.console.VirtioConsole;
import dev.jvmm.devices.virtio.net.MacAddress;
import dev.jvmm.devices.virtio.net.VirtioNet;
import dev.jvmm.devices.virtio.rng.VirtioRng;
import dev.jvmm.devices.virtio.transport.MmioTransport;
import dev.jvmm.memory.GuestMemory;
import dev.jvmm.memory.state.StateException;
import dev.jvmm.memory.state.StateReader;
import dev.jvmm.memory.state.Stateful;
import dev.jvmm.net.NetBackend;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

/**
 * Snapshot files are hostile input: whatever bytes reach a device's {@code restoreState}, it
 * either applies them or throws {@link StateException} and keeps the state it had. Each try
 * restores random bytes, or a real record with random damage, into a device with some state.
 */
class StateRestorePropertyTest {

    private static final long RAM = 0x8000_0000L;
    private static final long QUEUE = RAM + 0x1000;
    private static final long DATA = RAM + 0x8000;

    enum Kind { CLINT, PLIC, UART, RTC, RNG, BLOCK, READ_ONLY_BLOCK, CONSOLE, NET }

    /** One device of {@code kind}, and what must be closed after the try. */
    private static final class Fixture implements AutoCloseable {
        private final Kind kind;
        private GuestMemory memory;
        private Clint clint;
        private VirtioDevice device;

        Fixture(Kind kind) {
            this.kind = kind;
        }

        /** A device of the kind, given some state from {@code random}. */
        Stateful build(Random random) throws InterruptedException {
            return switch (kind) {
                case CLINT -> {
                    ManualClock clock = new ManualClock();
                    clock.advanceTo(random.nextInt(1000));
                    clint = new Clint(clock, List.of(new RecordingLine(), new RecordingLine()),
                            List.of(new RecordingLine(), new RecordingLine()));
                    clint.setTimeCompare(random.nextInt(2), random.nextInt(2000));
                    clint.setSoftwarePending(random.nextInt(2), random.nextBoolean());
                    yield clint;
                }
                case PLIC -> {
                    Plic plic = new Plic(Plic.VIRT_SOURCES, List.of(new RecordingLine(), new RecordingLine()));
                    for (int i = 0; i < 8; i++) {
                        int source = 1 + random.nextInt(Plic.VIRT_SOURCES - 1);
                        plic.write(4L * source, 4, random.nextInt(8));
                        plic.write(0x2080 + 4L * (source / 32), 4, plic.read(0x2080 + 4L * (source / 32), 4) | 1L << (source % 32));
                        plic.source(source).set(random.nextBoolean());
                    }
                    plic.read(0x201004, 4); // a claim
                    yield plic;
                }
                case UART -> {
                    Uart16550 uart = new Uart16550(new RecordingLine(), new ByteArrayOutputStream(), 64);
                    for (int i = 0; i < 6; i++) {
                        uart.write(random.nextInt(8), 1, random.nextInt(256));
                    }
                    byte[] input = new byte[random.nextInt(20)];
                    random.nextBytes(input);
                    uart.receive(input, 0, input.length);
                    yield uart;
                }
                case RTC -> {
                    GoldfishRtc rtc = new GoldfishRtc(new RecordingLine(), () -> 1_000_000L);
                    rtc.write(GoldfishRtc.IRQ_ENABLED, 4, random.nextInt(2));
                    rtc.write(GoldfishRtc.ALARM_LOW, 4, random.nextInt(2_000_000)); // before or after "now"
                    yield rtc;
                }
                case RNG -> virtio(new VirtioRng(new Random(random.nextLong())), random);
                case BLOCK -> virtio(new VirtioBlock(new InMemoryBlockBackend(4096, false), "p"), random);
                case READ_ONLY_BLOCK -> virtio(new VirtioBlock(new InMemoryBlockBackend(4096, true), "p"), random);
                case CONSOLE -> {
                    VirtioConsole console = new VirtioConsole(new ByteArrayOutputStream(), 32);
                    MmioTransport transport = virtio(console, random);
                    byte[] input = new byte[random.nextInt(20)];
                    console.receive(input, 0, input.length);
                    yield transport;
                }
                case NET -> {
                    VirtioNet net = new VirtioNet(new SilentBackend(), MacAddress.QEMU_DEFAULT, 4);
                    yield virtio(net, random);
                }
            };
        }

        /** A transport for {@code device}, taken to a random point of its initialisation and use. */
        private MmioTransport virtio(VirtioDevice device, Random random) {
            this.device = device;
            memory = GuestMemory.allocate(RAM, 64 * 1024);
            MmioTransport transport = new MmioTransport(memory, device, new LevelLine());
            MmioDriver driver = new MmioDriver(transport);
            int stage = random.nextInt(4);
            if (stage == 0) {
                return transport;
            }
            driver.negotiate(VirtioFeatures.bit(VirtioFeatures.VIRTIO_F_VERSION_1) | (device.offeredFeatures() & random.nextLong()));
            VirtqueueDriver queue = driver.setUpQueue(0, memory, QUEUE, 8);
            if (stage >= 2) {
                driver.driverOk();
            }
            if (stage == 3) {
                queue.addChain(Segment.writable(DATA, 16));
                driver.notifyQueue(0);
            }
            return transport;
        }

        @Override
        public void close() throws Exception {
            if (clint != null) {
                clint.close();
            }
            if (device instanceof VirtioNet net) {
                net.close();
            }
            if (memory != null) {
                memory.close();
            }
        }
    }

    /** A network back end that never delivers and drops what it is sent. */
    private static final class SilentBackend implements NetBackend {
        @Override
        public void start(FrameSink toGuest) {
        }

        @Override
        public void send(ByteBuffer frame) {
        }

        @Override
        public void close() {
        }
    }

    @Property(tries = 300, seed = "20261126", shrinking = ShrinkingMode.OFF)
    void randomBytesAreAppliedOrRefusedWithoutEffect(@ForAll Kind kind, @ForAll long seed,
                                                     @ForAll @Size(max = 120) byte[] bytes) throws Exception {
        try (Fixture fixture = new Fixture(kind)) {
            Stateful target = fixture.build(new Random(seed));
            Statistics.label("outcome").collect(attempt(target, bytes, target.stateVersion()));
        }
    }

    @Property(tries = 600, seed = "20261127", shrinking = ShrinkingMode.OFF)
    void damagedRecordsAreAppliedOrRefusedWithoutEffect(@ForAll Kind kind, @ForAll long seed) throws Exception {
        Random random = new Random(seed);
        int version = random.nextInt(4) == 0 ? random.nextInt(5) - 1 : 1;
        byte[] record;
        try (Fixture source = new Fixture(kind)) {
            record = StateRecords.save(source.build(random));
        }
        byte[] damaged = damage(record, random);
        try (Fixture fixture = new Fixture(kind)) {
            Stateful target = fixture.build(random);
            String outcome = attempt(target, damaged, version);
            Statistics.label(kind.name()).collect(outcome);
            if (version == 1 && Arrays.equals(damaged, record)) {
                assertThat(outcome).as("an undamaged %s record restores (%s)", kind, lastRefusal).isEqualTo("applied");
            }
        }
    }

    private String lastRefusal;

    /** Restores {@code record}; only a StateException may come out, and it must leave the state as it was. */
    private String attempt(Stateful target, byte[] record, int version) {
        byte[] before = StateRecords.save(target);
        try {
            target.restoreState(new StateReader("fuzz", record), version);
            return "applied";
        } catch (StateException e) {
            assertThat(StateRecords.save(target)).as("state after refusing: " + e.getMessage()).isEqualTo(before);
            assertThat(e.getMessage()).doesNotContain("\n");
            lastRefusal = e.getMessage();
            return "refused";
        }
    }

    /** Flips, overwrites, truncates or extends {@code record}, or leaves it whole (one try in eight). */
    private static byte[] damage(byte[] record, Random random) {
        byte[] out = record.clone();
        switch (random.nextInt(8)) {
            case 0 -> { }
            case 1 -> out = Arrays.copyOf(out, random.nextInt(out.length + 1));
            case 2 -> {
                out = Arrays.copyOf(out, out.length + 1 + random.nextInt(8));
                out[out.length - 1] = (byte) random.nextInt();
            }
            default -> {
                int changes = 1 + random.nextInt(3);
                for (int i = 0; i < changes && out.length > 0; i++) {
                    int at = random.nextInt(out.length);
                    out[at] = switch (random.nextInt(4)) {
                        case 0 -> (byte) (out[at] ^ (1 << random.nextInt(8)));
                        case 1 -> (byte) 0xFF;
                        case 2 -> 0;
                        default -> (byte) random.nextInt();
                    };
                }
            }
        }
        return out;
    }
}

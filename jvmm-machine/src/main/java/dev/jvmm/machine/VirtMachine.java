package dev.jvmm.machine;

import dev.jvmm.cpu.riscv.Engine;
import dev.jvmm.cpu.riscv.Hart;
import dev.jvmm.devices.Clint;
import dev.jvmm.devices.GoldfishRtc;
import dev.jvmm.devices.Plic;
import dev.jvmm.devices.Syscon;
import dev.jvmm.devices.Uart16550;
import dev.jvmm.machine.boot.BootImage;
import dev.jvmm.machine.boot.BootLayout;
import dev.jvmm.machine.boot.FirmwareInfo;
import dev.jvmm.machine.boot.ImageFiles;
import dev.jvmm.machine.boot.Segment;
import dev.jvmm.machine.firmware.BuiltinSbi;
import dev.jvmm.machine.firmware.HartLifecycle;
import dev.jvmm.machine.firmware.HartState;
import dev.jvmm.machine.firmware.SbiPlatform;
import dev.jvmm.machine.htif.Htif;
import dev.jvmm.machine.htif.Signature;
import dev.jvmm.memory.AddressSpace;
import dev.jvmm.memory.Clock;
import dev.jvmm.memory.GuestMemory;
import dev.jvmm.memory.InterruptLine;
import dev.jvmm.memory.state.StateException;
import dev.jvmm.memory.state.StateReader;
import dev.jvmm.memory.state.StateWriter;
import dev.jvmm.memory.state.Stateful;
import dev.jvmm.machine.state.Snapshot;
import dev.jvmm.machine.state.StateRecord;
import dev.jvmm.devices.virtio.transport.MmioTransport;
import dev.jvmm.machine.migration.MigrationSource;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * QEMU's {@code virt} board in jvmm: RAM at {@link VirtBoard#DRAM_BASE}, the harts, CLINT,
 * PLIC, UART, RTC and test finisher at QEMU's addresses, the device tree describing exactly
 * that, and the boot images in RAM.
 *
 * <h3>Wiring</h3>
 * PLIC context 2h drives hart h's MEIP, context 2h + 1 its SEIP. The CLINT's software line
 * of hart h drives MSIP; its timer line drives STIP when the built-in SBI stands in for
 * firmware (SBI set_timer programs mtimecmp, and the kernel sees a supervisor timer), MTIP
 * when M-mode code runs (firmware, or a bare ELF). UART0 is PLIC source 10, the RTC 11.
 * The configured virtio devices take virtio-mmio slots 0, 1, ... in order, slot n at
 * {@link VirtBoard#virtioBase}(n) on PLIC source 1 + n (see {@link VirtioSlots}); their network
 * cards are closed and their disks flushed and closed when the machine closes. Every hart runs
 * on the configured {@link Engine}.
 *
 * <h3>Boot modes</h3>
 * See {@link BootMode}: firmware, the built-in SBI, or a bare ELF started in M-mode. A bare
 * ELF with a {@code tohost} symbol talks to the host through {@link Htif}, polled after every
 * run slice; its {@code begin_signature}..{@code end_signature} range can be written out with
 * {@link #writeSignature(Path, int)} once the run is over.
 *
 * <h3>Threads</h3>
 * {@link #run()} starts one platform thread per hart; each runs its hart in slices,
 * parking while the hart waits in WFI (or is stopped or suspended through SBI HSM). The
 * first exit reason wins; then every hart is told to stop, woken and joined.
 */
public final class VirtMachine implements AutoCloseable {

    /** Instructions per run slice: bounds how long a hart takes to notice a stop or HSM change. */
    static final long RUN_BUDGET = 200_000;
    /** A shorter slice when HTIF is polled after each: a program waiting for the host waits at most this long. */
    static final long HTIF_RUN_BUDGET = 20_000;
    /** Longest park while waiting for an interrupt or an HSM start (a safety net; wake-ups are explicit). */
    static final long PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final long JOIN_TIMEOUT_MILLIS = 5_000;

    private final GuestMemory memory;
    private final List<Hart> harts;
    private final Clint clint;
    private final Uart16550 uart;
    private final GoldfishRtc rtc;
    private final ConsoleOutput console;
    private final HartLifecycle lifecycle;
    private final BootMode bootMode;
    private final boolean builtinSbi;
    private final Htif htif;
    private final Map<String, Long> kernelSymbols;
    private final byte[] deviceTree;
    private final BootLayout layout;
    private final VirtioSlots virtio;
    private final BoardConfig board;
    private final VirtualClock clock;
    /** Every component with saved state, by record name, in restore order. */
    private final Map<String, Stateful> components;
    private final HartPauser pauser;
    private final Object stateLock = new Object();
    private volatile boolean paused;
    private volatile int throttlePercent;
    private volatile MigrationSource migration;

    private final AtomicReference<ExitReason> exit = new AtomicReference<>();
    private final CountDownLatch exited = new CountDownLatch(1);
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile List<Thread> threads = List.of();
    private volatile List<String> closeProblems = List.of();

    private VirtMachine(Builder b) {
        this.memory = b.memory;
        this.harts = b.harts;
        this.clint = b.clint;
        this.uart = b.uart;
        this.rtc = b.rtc;
        this.console = b.console;
        this.lifecycle = b.lifecycle;
        this.bootMode = b.bootMode;
        this.builtinSbi = b.bootMode == BootMode.BUILTIN_SBI;
        this.htif = b.htif;
        this.kernelSymbols = b.kernelSymbols;
        this.deviceTree = b.deviceTree;
        this.layout = b.layout == null ? null : b.layout.placementOnly(); // null when restored
        this.virtio = b.virtio;
        this.board = b.board;
        this.clock = b.clock;
        this.components = b.components;
        this.pauser = new HartPauser(b.harts.size());
    }

    /** The parts, gathered while the board is assembled (so a failure can free what exists). */
    private static final class Builder {
        GuestMemory memory;
        List<Hart> harts;
        Clint clint;
        Uart16550 uart;
        GoldfishRtc rtc;
        ConsoleOutput console;
        HartLifecycle lifecycle;
        BootMode bootMode;
        Htif htif;
        Map<String, Long> kernelSymbols = Map.of();
        byte[] deviceTree;
        BootLayout layout;
        VirtioSlots virtio;
        BoardConfig board;
        VirtualClock clock;
        Map<String, Stateful> components = new java.util.LinkedHashMap<>();
        VirtMachine machine;
    }

    /**
     * Builds the board: RAM, devices, device tree, images loaded. The guest's serial output
     * goes to {@code consoleOutput}. Throws with a one-line message for bad input (missing
     * or non-RISC-V kernel, memory too small for the images, ...).
     */
    public static VirtMachine create(MachineConfig config, OutputStream consoleOutput) throws MachineException {
        config.validate();
        // The image files are mapped only until they are copied into RAM.
        try (Arena files = Arena.ofConfined()) {
            return create(config, consoleOutput, files);
        }
    }

    private static VirtMachine create(MachineConfig config, OutputStream consoleOutput, Arena files) throws MachineException {
        BootImage kernel = ImageFiles.readKernel(config.kernel(), config.firmware().isPresent(), files);
        Optional<BootImage> firmware = config.firmware().isPresent()
                ? Optional.of(ImageFiles.readFirmware(config.firmware().get(), files)) : Optional.empty();
        Optional<MemorySegment> initrd = config.initrd().isPresent()
                ? Optional.of(ImageFiles.readInitrd(config.initrd().get(), files)) : Optional.empty();

        BootLayout.Images images = BootLayout.place(VirtBoard.DRAM_BASE, config.memoryBytes(), firmware, kernel, initrd);
        byte[] seed = new byte[VirtDeviceTree.RNG_SEED_BYTES];
        new SecureRandom().nextBytes(seed);
        VirtDeviceTree.Spec spec = new VirtDeviceTree.Spec(config.harts(), config.memoryBytes(), config.append(),
                images.initrd().map(s -> new VirtDeviceTree.Range(s.address(), s.end())), seed,
                java.util.stream.IntStream.range(0, config.devices().size()).boxed().toList());
        byte[] dtb = VirtDeviceTree.encode(spec);
        BootLayout layout = images.placeDeviceTree(dtb.length);

        Builder b = new Builder();
        b.console = new ConsoleOutput(consoleOutput);
        // Disks are opened last among the checks and before RAM: a bad disk costs nothing to undo.
        b.virtio = VirtioSlots.open(config.devices(), b.console);
        b.bootMode = config.bootMode(kernel);
        if (kernel instanceof BootImage.Elf elf) {
            b.kernelSymbols = elf.symbols();
        }
        b.deviceTree = dtb;
        b.layout = layout;
        b.lifecycle = new HartLifecycle(config.harts(), b.bootMode != BootMode.BUILTIN_SBI);
        b.board = new BoardConfig(config.memoryBytes(), config.harts(), b.bootMode, config.engine(), config.devices());
        b.clock = new VirtualClock(Clock.VIRT_FREQUENCY, 0, true);
        try {
            b.memory = allocate(config.memoryBytes());
        } catch (MachineException e) {
            b.virtio.close();
            throw e;
        }
        try {
            loadImages(b.memory, layout, dtb);
            if (b.bootMode == BootMode.BARE && kernel instanceof BootImage.Elf elf && elf.symbol("tohost").isPresent()) {
                b.htif = Htif.attach(b.memory, elf.symbol("tohost").getAsLong(), elf.symbol("fromhost"), new HtifHost(b));
            }
            assemble(b);
            long firmwareEntry = firmware.map(f -> f instanceof BootImage.Elf e ? e.entry() : VirtBoard.DRAM_BASE)
                    .orElse(VirtBoard.DRAM_BASE);
            resetHarts(b, layout, firmwareEntry);
            return b.machine;
        } catch (MachineException | RuntimeException | Error e) {
            if (b.clint != null) {
                b.clint.close();
            }
            b.virtio.close();
            b.memory.close();
            throw e;
        }
    }

    private static GuestMemory allocate(long size) throws MachineException {
        try {
            return GuestMemory.allocate(VirtBoard.DRAM_BASE, size);
        } catch (OutOfMemoryError | IllegalArgumentException | IllegalStateException e) {
            throw new MachineException("cannot allocate %s of guest memory: %s".formatted(BootLayout.human(size), e.getMessage()));
        }
    }

    private static void loadImages(GuestMemory ram, BootLayout layout, byte[] dtb) throws MachineException {
        // RAM is fresh and zeroed, so each segment's tail (BSS) needs no clearing.
        try {
            layout.firmware().forEach(s -> ram.write(s.address(), s.data()));
            layout.kernel().forEach(s -> ram.write(s.address(), s.data()));
            layout.initrd().ifPresent(s -> ram.write(s.address(), s.data()));
        } catch (InternalError e) {
            // What a fault in a mapped file becomes: another program truncated it meanwhile.
            throw new MachineException("an image file changed while it was being loaded: " + e.getMessage());
        }
        ram.write(layout.deviceTree(), dtb);
        layout.firmwareInfo().ifPresent(a -> ram.write(a, FirmwareInfo.encode(layout.kernelEntry())));
    }

    private static void assemble(Builder b) {
        int hartCount = b.board.harts();
        Engine engine = b.board.engine();
        AddressSpace bus = new AddressSpace(b.memory);
        Clock clock = b.clock;
        List<Hart> harts = new ArrayList<>();
        List<InterruptLine> plicContexts = new ArrayList<>();
        List<InterruptLine> softwareLines = new ArrayList<>();
        List<InterruptLine> timerLines = new ArrayList<>();
        long timerBit = b.bootMode == BootMode.BUILTIN_SBI ? Hart.MIP_STIP : Hart.MIP_MTIP;
        for (int h = 0; h < hartCount; h++) {
            Hart hart = new Hart(h, bus, clock);
            hart.setEngine(engine);
            harts.add(hart);
            plicContexts.add(hart.interruptPin(Hart.MIP_MEIP));
            plicContexts.add(hart.interruptPin(Hart.MIP_SEIP));
            softwareLines.add(hart.interruptPin(Hart.MIP_MSIP));
            timerLines.add(hart.interruptPin(timerBit));
        }
        b.harts = List.copyOf(harts);
        b.clint = new Clint(clock, softwareLines, timerLines);
        Plic plic = new Plic(Plic.VIRT_SOURCES, plicContexts);
        b.uart = new Uart16550(plic.source(VirtBoard.UART0_IRQ), b.console);
        GoldfishRtc rtc = new GoldfishRtc(plic.source(VirtBoard.RTC_IRQ));
        b.rtc = rtc;
        // Restore order: harts first, then the devices that drive their interrupt lines.
        for (Hart hart : harts) {
            b.components.put("hart." + hart.id(), hart);
        }
        b.components.put("hsm", b.lifecycle);
        b.components.put("clint", b.clint);
        b.components.put("plic", plic);
        b.components.put("uart0", b.uart);
        b.components.put("rtc", rtc);
        b.machine = new VirtMachine(b);
        VirtMachine m = b.machine;
        Syscon syscon = new Syscon(new Syscon.Listener() {
            @Override
            public void powerOff() {
                m.finish(new ExitReason.PowerOff());
            }

            @Override
            public void reboot() {
                m.finish(new ExitReason.Reboot());
            }

            @Override
            public void fail(int code) {
                m.finish(new ExitReason.GuestFailure(code));
            }
        });
        bus.map(VirtBoard.TEST_BASE, VirtBoard.TEST_SIZE, syscon);
        bus.map(VirtBoard.RTC_BASE, VirtBoard.RTC_SIZE, rtc);
        bus.map(VirtBoard.CLINT_BASE, VirtBoard.CLINT_SIZE, b.clint);
        bus.map(VirtBoard.PLIC_BASE, VirtBoard.PLIC_SIZE, plic);
        bus.map(VirtBoard.UART0_BASE, VirtBoard.UART0_SIZE, b.uart);
        List<MmioTransport> transports = b.virtio.map(bus, b.memory, plic);
        for (int slot = 0; slot < transports.size(); slot++) {
            b.components.put("virtio." + slot, transports.get(slot));
        }
    }

    private static void resetHarts(Builder b, BootLayout layout, long firmwareEntry) {
        VirtMachine m = b.machine;
        switch (b.bootMode) {
            case BUILTIN_SBI -> {
                BuiltinSbi sbi = new BuiltinSbi(m.new Platform(), b.lifecycle);
                for (Hart hart : b.harts) {
                    hart.reset(layout.kernelEntry());
                    hart.setSupervisorCallHandler(sbi);
                }
                // Hart 0 boots the kernel; the others wait, stopped, for SBI HSM hart_start.
                b.harts.getFirst().enterSupervisor(layout.kernelEntry(), 0, layout.deviceTree());
            }
            case FIRMWARE -> {
                // As QEMU's reset vector: every hart enters the firmware in M-mode with
                // a0 = hartid, a1 = device tree, a2 = fw_dynamic_info.
                for (Hart hart : b.harts) {
                    hart.reset(firmwareEntry);
                    hart.setRegister(10, hart.id());
                    hart.setRegister(11, layout.deviceTree());
                    hart.setRegister(12, layout.firmwareInfo().orElseThrow());
                }
            }
            case BARE -> {
                // As QEMU with -bios none: every hart starts at the program's entry in M-mode.
                for (Hart hart : b.harts) {
                    hart.reset(layout.kernelEntry());
                    hart.setRegister(10, hart.id());
                    hart.setRegister(11, layout.deviceTree());
                }
            }
        }
    }

    /** What HTIF does to the machine; the machine exists by the time a hart polls. */
    private record HtifHost(Builder b) implements Htif.Host {
        @Override
        public void console(byte[] data, int offset, int length) {
            b.console.write(data, offset, length);
        }

        @Override
        public void exit(ExitReason reason) {
            b.machine.finish(reason);
        }
    }

    /** The device tree blob the guest receives (a copy). */
    public byte[] deviceTree() {
        return deviceTree.clone();
    }

    /** Where the boot images were placed (addresses and sizes; the bytes are in guest RAM). */
    public BootLayout bootLayout() {
        return layout;
    }

    /** A copy of {@code length} bytes of guest physical memory from {@code address}; an {@link IndexOutOfBoundsException} outside RAM. */
    public byte[] readPhysical(long address, int length) {
        byte[] bytes = new byte[length];
        memory.read(address, bytes, 0, length);
        return bytes;
    }

    /** How the harts were started. */
    public BootMode bootMode() {
        return bootMode;
    }

    /** Whether the program polls the host through HTIF (a bare ELF with a {@code tohost} symbol). */
    public boolean hasHtif() {
        return htif != null;
    }

    /** Whether the kernel ELF defines {@code begin_signature} and {@code end_signature}. */
    public boolean hasSignature() {
        return kernelSymbols.containsKey("begin_signature") && kernelSymbols.containsKey("end_signature");
    }

    /** {@link #writeSignature(Path, int)} with Spike's default of 16 bytes a line. */
    public void writeSignature(Path file) throws MachineException {
        writeSignature(file, Signature.DEFAULT_LINE_BYTES);
    }

    /**
     * Writes the program's memory signature, {@code begin_signature} up to
     * {@code end_signature}, to {@code file} in Spike's {@code +signature} format with
     * {@code lineBytes} bytes a line (Spike's {@code +signature-granularity}): each line is
     * those bytes as hex, highest address first; see {@link Signature}. Call it after
     * {@link #run()} returned and before {@link #close()}.
     */
    public void writeSignature(Path file, int lineBytes) throws MachineException {
        if (!hasSignature()) {
            throw new MachineException("cannot write a signature: the kernel defines no begin_signature and end_signature symbols");
        }
        if (closed.get()) {
            throw new MachineException("cannot write a signature: the machine is closed");
        }
        Signature.write(memory, kernelSymbols.get("begin_signature"), kernelSymbols.get("end_signature"), lineBytes, file);
    }

    // ---- encapsulated state: pause, snapshots, restore, migration ----

    /** What the machine is doing now. */
    public RunStatus status() {
        ExitReason reason = exit.get();
        if (reason != null) {
            return reason instanceof ExitReason.Migrated ? RunStatus.POSTMIGRATE : RunStatus.SHUTDOWN;
        }
        if (paused) {
            return RunStatus.PAUSED;
        }
        return started.get() ? RunStatus.RUNNING : RunStatus.PRELAUNCH;
    }

    /**
     * Pauses every hart at an instruction boundary, stops the guest's clock and quiesces the
     * devices' back ends; returns once the machine is paused. Idempotent. A machine paused
     * before {@link #run()} starts paused.
     */
    public void pause() throws InterruptedException {
        synchronized (stateLock) {
            if (paused) {
                return;
            }
            pauser.request();
            for (Hart hart : harts) {
                hart.requestExit();
                hart.wake();
            }
            lifecycle.wakeAll();
            if (started.get() && !pauser.awaitParked(JOIN_TIMEOUT_MILLIS)) {
                pauser.release();
                throw new IllegalStateException("the harts did not pause within " + JOIN_TIMEOUT_MILLIS + " ms");
            }
            clock.freeze();
            virtio.quiesce();
            uart.quiesce();
            rtc.quiesce();
            paused = true;
        }
    }

    /** Resumes a paused machine (QMP {@code cont}); does nothing if it runs. */
    public void resume() {
        synchronized (stateLock) {
            if (!paused) {
                return;
            }
            paused = false;
            rtc.unquiesce();
            uart.unquiesce();
            virtio.unquiesce();
            clock.thaw();
            pauser.release();
        }
    }

    /** Whether the machine is paused (by {@link #pause()}, a snapshot that stayed paused, or a migration's last phase). */
    public boolean isPaused() {
        return paused;
    }

    /** The board this machine was built as. */
    public BoardConfig board() {
        return board;
    }

    /**
     * Writes a snapshot of the running (or paused) machine into the new directory {@code dir}:
     * pauses, writes the memory and every component's record, then resumes unless
     * {@code stayPaused} (or it was paused before). On failure nothing is left at {@code dir}
     * and the guest runs on; the message is one line.
     */
    public void saveSnapshot(Path dir, boolean stayPaused) throws MachineException, InterruptedException {
        if (htif != null) {
            throw new MachineException("cannot snapshot a bare program that talks HTIF");
        }
        synchronized (stateLock) {
            if (exit.get() != null || closed.get()) {
                throw new MachineException("cannot snapshot: the machine is not running");
            }
            if (migration != null && migration.isActive()) {
                throw new MachineException("cannot snapshot while a migration is under way");
            }
            boolean wasPaused = paused;
            pause();
            try {
                Snapshot.write(dir, memory, board, clock.freeze(), this::saveComponents);
            } finally {
                if (!stayPaused && !wasPaused) {
                    resume();
                }
            }
        }
    }

    /** Every component's record, in restore order. Only while paused. */
    List<StateRecord> saveComponents() {
        List<StateRecord> records = new ArrayList<>();
        for (Map.Entry<String, Stateful> c : components.entrySet()) {
            StateWriter out = new StateWriter();
            c.getValue().saveState(out);
            records.add(new StateRecord(c.getKey(), c.getValue().stateVersion(), out.toByteArray()));
        }
        return records;
    }

    /**
     * Applies saved component records to this freshly built machine: every component must have
     * exactly one record of a version it reads, and no record may be left over.
     */
    private void restoreComponents(Map<String, StateRecord> records, String what) throws MachineException {
        for (String name : records.keySet()) {
            if (!components.containsKey(name) && !name.equals(Snapshot.MACHINE_RECORD) && !name.equals(Snapshot.MEMORY_RECORD)) {
                throw new MachineException(what + ": record '" + name + "' belongs to no component of this board");
            }
        }
        for (Map.Entry<String, Stateful> c : components.entrySet()) {
            StateRecord r = records.get(c.getKey());
            if (r == null) {
                throw new MachineException(what + ": no record for " + c.getKey());
            }
            if (r.version() < 1 || r.version() > c.getValue().stateVersion()) {
                throw new MachineException("%s: record '%s' has version %d; this jvmm reads versions 1 to %d"
                        .formatted(what, r.name(), r.version(), c.getValue().stateVersion()));
            }
            StateReader in = new StateReader(r.name(), r.payload());
            try {
                c.getValue().restoreState(in, r.version());
                in.expectEnd();
            } catch (StateException e) {
                throw new MachineException(what + ": " + e.getMessage());
            }
        }
    }

    /**
     * Restores the snapshot in {@code dir} into a new machine; {@link #run()} continues the guest
     * at the saved instruction. The memory file is mapped copy-on-write, so restoring costs the
     * pages the guest had in use, not its memory size, and clones share what they do not write.
     * Guest output goes to {@code consoleOutput}.
     */
    public static VirtMachine restore(Path dir, RestoreOptions options, OutputStream consoleOutput) throws MachineException {
        Snapshot snapshot = Snapshot.open(dir);
        BoardConfig board = snapshot.board();
        if (options.isClone()) {
            board = Clones.prepare(dir, board, options.cloneNumber());
        }
        GuestMemory memory = snapshot.mapMemory();
        try {
            return fromState(board, memory, snapshot.clockTicks(), snapshot.records(), consoleOutput, true, dir.toString());
        } catch (MachineException | RuntimeException | Error e) {
            memory.close();
            throw e;
        }
    }

    /**
     * Builds a machine around restored RAM and applies the component records. With
     * {@code startNets} false the network cards are built but their back ends (and host
     * forwards) start only at {@link #startNetworks()} (a migration's destination waits for the
     * source to release the ports).
     */
    static VirtMachine fromState(BoardConfig board, GuestMemory memory, long clockTicks, Map<String, StateRecord> records,
                                 OutputStream consoleOutput, boolean startNets, String what) throws MachineException {
        Builder b = new Builder();
        b.console = new ConsoleOutput(consoleOutput);
        b.board = board;
        b.bootMode = board.bootMode();
        b.memory = memory;
        b.clock = new VirtualClock(Clock.VIRT_FREQUENCY, clockTicks, true);
        b.lifecycle = new HartLifecycle(board.harts(), b.bootMode != BootMode.BUILTIN_SBI);
        b.deviceTree = new byte[0];
        b.virtio = VirtioSlots.open(board.devices(), b.console, startNets);
        try {
            assemble(b);
            if (b.bootMode == BootMode.BUILTIN_SBI) {
                BuiltinSbi sbi = new BuiltinSbi(b.machine.new Platform(), b.lifecycle);
                b.harts.forEach(h -> h.setSupervisorCallHandler(sbi));
            }
            b.machine.restoreComponents(records, what);
            return b.machine;
        } catch (MachineException | RuntimeException | Error e) {
            if (b.clint != null) {
                b.clint.close();
            }
            b.virtio.close();
            throw e;
        }
    }

    /**
     * Builds a board of {@code board}'s kind (16 MiB, one virtio-rng) without starting it: the
     * components in their reset state. Only for {@link #warmUp}.
     */
    private static VirtMachine blank(BoardConfig board) throws MachineException {
        Builder b = new Builder();
        b.console = new ConsoleOutput(java.io.OutputStream.nullOutputStream());
        b.board = board;
        b.bootMode = board.bootMode();
        b.memory = allocate(board.memoryBytes());
        b.clock = new VirtualClock(Clock.VIRT_FREQUENCY, 0, true);
        b.lifecycle = new HartLifecycle(board.harts(), b.bootMode != BootMode.BUILTIN_SBI);
        b.deviceTree = new byte[0];
        b.virtio = VirtioSlots.open(board.devices(), b.console);
        assemble(b);
        return b.machine;
    }

    /**
     * Loads and initialises the classes that rebuilding a board of {@code board}'s kind needs, by
     * building a small throwaway board and restoring a second one from the first's records: a
     * migration's destination does this while the pages arrive, so its cold JVM does not spend
     * the guest's downtime on class loading. Best effort: a failure here changes nothing.
     */
    public static void warmUp(BoardConfig board) {
        BoardConfig small = new BoardConfig(MachineConfig.MIN_MEMORY, board.harts(), board.bootMode(), board.engine(),
                List.of(new RngConfig()));
        try (VirtMachine original = blank(small)) {
            Map<String, StateRecord> records = new java.util.LinkedHashMap<>();
            original.saveComponents().forEach(r -> records.put(r.name(), r));
            GuestMemory memory = allocate(small.memoryBytes());
            try (VirtMachine copy = fromState(small, memory, 0, records, java.io.OutputStream.nullOutputStream(), true, "warm-up")) {
                copy.status();
            }
        } catch (MachineException | RuntimeException e) {
            // Only time is lost: the real restore will report any real problem.
        }
    }

    /** Starts the network cards' back ends held back by {@link #fromState}; returns problems, one line each. */
    List<String> startNetworks() {
        return virtio.startNets();
    }

    /**
     * Starts a live migration to the jvmm listening at {@code host:port}; the guest keeps running.
     * When it completes, {@link #run()} returns {@link ExitReason.Migrated}; when it fails, the
     * guest runs on here unharmed. Throws if a migration is already under way.
     */
    public dev.jvmm.machine.migration.Migration migrate(String host, int port) throws MachineException {
        synchronized (stateLock) {
            if (htif != null) {
                throw new MachineException("cannot migrate a bare program that talks HTIF");
            }
            if (exit.get() != null || closed.get() || !started.get()) {
                throw new MachineException("cannot migrate: the machine is not running");
            }
            if (migration != null && migration.isActive()) {
                throw new MachineException("a migration is already under way");
            }
            migration = MigrationSource.start(new MigrationHost(), host, port);
            return migration;
        }
    }

    /** The last migration started from this machine, if any. */
    public Optional<dev.jvmm.machine.migration.Migration> migration() {
        return Optional.ofNullable(migration);
    }

    /**
     * Listens on {@code listen} for one incoming migration and returns the arrived machine, ready
     * for {@link #run()}. {@code progress} receives one-line progress reports.
     */
    public static VirtMachine incoming(java.net.InetSocketAddress listen, OutputStream consoleOutput,
                                       java.util.function.Consumer<String> progress) throws MachineException, InterruptedException {
        return dev.jvmm.machine.migration.MigrationDestination.receive(listen, progress, VirtMachine::warmUp,
                (board, memory, ticks, records, what) -> fromState(board, memory, ticks, records, consoleOutput, false, what),
                VirtMachine::startNetworksOf);
    }

    private static List<String> startNetworksOf(VirtMachine m) {
        return m.startNetworks();
    }

    /** What a migration source needs of this machine. */
    private final class MigrationHost implements MigrationSource.Host {
        @Override
        public GuestMemory memory() {
            return memory;
        }

        @Override
        public BoardConfig board() {
            return board;
        }

        @Override
        public void pause() throws InterruptedException {
            VirtMachine.this.pause();
        }

        @Override
        public void resume() {
            VirtMachine.this.resume();
        }

        @Override
        public long clockTicks() {
            return clock.freeze();
        }

        @Override
        public List<StateRecord> saveComponents() {
            return VirtMachine.this.saveComponents();
        }

        @Override
        public void setThrottle(int percent) {
            throttlePercent = Math.max(0, Math.min(99, percent));
        }

        @Override
        public void releaseDisks() throws MachineException {
            virtio.releaseDisks();
        }

        @Override
        public void reclaimDisks() throws MachineException {
            virtio.reclaimDisks();
        }

        @Override
        public void handedOver(String destination) {
            finish(new ExitReason.Migrated(destination));
        }
    }

    /** Bytes typed by the user, for the guest's serial console; blocks while the console's input buffer is full. */
    public void sendConsoleInput(byte[] data, int offset, int length) throws InterruptedException {
        uart.receive(data, offset, length);
    }

    /** Whether a virtio console ({@code hvc0}) is attached. */
    public boolean hasVirtioConsole() {
        return virtio.console().isPresent();
    }

    /**
     * Bytes for the first virtio console ({@code hvc0}); blocks while its input backlog is full.
     * Throws {@link IllegalStateException} if the board has no virtio console.
     */
    public void sendVirtioConsoleInput(byte[] data, int offset, int length) throws InterruptedException {
        virtio.console().orElseThrow(() -> new IllegalStateException("no virtio console attached"))
                .receive(data, offset, length);
    }

    /**
     * Problems met while closing the network cards and flushing and closing the disks at
     * {@link #close()}, one line each; empty before close and when every device closed cleanly.
     */
    public List<String> closeProblems() {
        return closeProblems;
    }

    /** Runs the guest on this and the harts' threads until it stops; returns why. */
    public ExitReason run() throws InterruptedException {
        if (closed.get()) {
            throw new IllegalStateException("machine is closed");
        }
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("machine already ran");
        }
        synchronized (stateLock) {
            // Guest time starts now (not when the board was built, restored or arrived), unless paused.
            if (!paused) {
                clock.thaw();
            }
        }
        List<Thread> all = new ArrayList<>();
        for (Hart hart : harts) {
            all.add(Thread.ofPlatform().name("jvmm-hart-" + hart.id()).daemon(true).unstarted(() -> hartLoop(hart)));
        }
        threads = List.copyOf(all);
        all.forEach(Thread::start);
        try {
            exited.await();
        } catch (InterruptedException e) {
            finish(new ExitReason.Stopped("interrupted"));
            joinHarts();
            throw e;
        }
        joinHarts();
        return exit.get();
    }

    /** Asks a running machine to stop; {@link #run()} then returns {@link ExitReason.Stopped}. */
    public void requestStop(String why) {
        finish(new ExitReason.Stopped(why));
    }

    /** The machine's exit reason once it has one. */
    public Optional<ExitReason> exitReason() {
        return Optional.ofNullable(exit.get());
    }

    /** Records the first exit reason and tells every hart to stop. Any thread. */
    private void finish(ExitReason reason) {
        if (exit.compareAndSet(null, reason)) {
            exited.countDown();
        }
        // Parked harts must see the exit too.
        pauser.release();
        for (Hart hart : harts) {
            hart.requestExit();
            hart.wake();
        }
        lifecycle.wakeAll();
    }

    private void hartLoop(Hart hart) {
        int id = hart.id();
        try {
            long budget = htif != null ? HTIF_RUN_BUDGET : RUN_BUDGET;
            while (exit.get() == null) {
                if (pauser.pauseRequested()) {
                    hart.syncDirtyLog(); // a paused machine's dirty-page log is exact
                    pauser.parkIfPaused();
                    continue;
                }
                if (builtinSbi && !runnable(hart)) {
                    continue;
                }
                long sliceStart = System.nanoTime();
                hart.run(budget);
                throttle(sliceStart);
                if (htif != null) {
                    // After every slice, so also before the hart parks in WFI.
                    htif.poll();
                }
                if (builtinSbi && hart.privilege() == 3) {
                    // TODO: the CPU helper is adding Hart.machineTrapWithoutFirmware() and lastMachineTrapCause();
                    // once installed, test that instead of privilege() and put the mcause in the message.
                    finish(new ExitReason.Stopped(("hart %d trapped into M-mode (pc 0x%x); the built-in SBI has no "
                            + "M-mode handler: an exception or interrupt the kernel did not delegate").formatted(id, hart.pc())));
                    return;
                }
                if (hart.isWaitingForInterrupt() && exit.get() == null && !pauser.pauseRequested()) {
                    hart.awaitInterrupt(PARK_NANOS);
                }
            }
        } catch (InterruptedException e) {
            finish(new ExitReason.Stopped("hart %d thread interrupted".formatted(id)));
        } catch (Throwable t) {
            finish(new ExitReason.Stopped("hart %d failed at pc %s: %s".formatted(id, safePc(hart), oneLine(t))));
        } finally {
            pauser.ended();
        }
    }

    /**
     * Slows the hart to {@code 100 - throttlePercent} percent of its speed by sleeping after a
     * slice in proportion to the slice's length: a migration that cannot keep up with the
     * guest's dirtying asks for this.
     */
    private void throttle(long sliceStart) throws InterruptedException {
        int percent = throttlePercent;
        if (percent <= 0) {
            return;
        }
        long ran = System.nanoTime() - sliceStart;
        long sleep = Math.min(ran * percent / Math.max(1, 100 - percent), TimeUnit.MILLISECONDS.toNanos(100));
        if (sleep > 0) {
            Thread.sleep(sleep / 1_000_000L, (int) (sleep % 1_000_000L));
        }
    }

    /**
     * Applies the hart's HSM state before a run slice: parks a stopped hart until SBI
     * hart_start, a suspended one until an interrupt. Returns whether the hart may run now.
     */
    private boolean runnable(Hart hart) throws InterruptedException {
        int id = hart.id();
        HartState state = lifecycle.state(id);
        switch (state) {
            case STARTED -> {
                return true;
            }
            case SUSPENDED -> {
                hart.awaitInterrupt(PARK_NANOS);
                lifecycle.resume(id).ifPresent(e -> hart.enterSupervisor(e.address(), id, e.opaque()));
                return false;
            }
            default -> {
                if (lifecycle.allStopped()) {
                    finish(new ExitReason.Stopped("every hart stopped itself (SBI hart_stop); nothing left to run"));
                    return false;
                }
                lifecycle.awaitStart(id, PARK_NANOS).ifPresent(e -> hart.enterSupervisor(e.address(), id, e.opaque()));
                return false;
            }
        }
    }

    private static String safePc(Hart hart) {
        try {
            return "0x" + Long.toHexString(hart.pc());
        } catch (RuntimeException e) {
            return "(unknown)";
        }
    }

    private static String oneLine(Throwable t) {
        String message = t.getMessage() == null ? "" : ": " + t.getMessage();
        return (t.getClass().getName() + message).replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    private void joinHarts() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(JOIN_TIMEOUT_MILLIS);
        for (Thread t : threads) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left > 0) {
                t.join(left);
            }
        }
    }

    /**
     * Stops the machine if it runs, stops the CLINT's timer thread, closes the network cards
     * (their host sockets and forwards), flushes and closes the disks (see {@link #closeProblems()})
     * and frees guest RAM.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        finish(new ExitReason.Stopped("closed"));
        boolean interrupted = false;
        try {
            joinHarts();
        } catch (InterruptedException e) {
            interrupted = true;
        }
        clint.close();
        // The harts are stopped: no request is in flight, so what the guest wrote is flushed whole.
        closeProblems = virtio.closeDevices();
        // A hart that ignored the stop must never touch freed RAM: then the RAM is leaked instead.
        if (threads.stream().noneMatch(Thread::isAlive)) {
            memory.close();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The board as the built-in SBI sees it. */
    private final class Platform implements SbiPlatform {

        @Override
        public GuestMemory memory() {
            return memory;
        }

        @Override
        public void setTimer(int hart, long stimeValue) {
            clint.setTimeCompare(hart, stimeValue);
        }

        @Override
        public void sendSupervisorSoftwareInterrupt(int hart) {
            harts.get(hart).postInterrupt(Hart.MIP_SSIP);
        }

        @Override
        public void remoteFence(int hart) {
            harts.get(hart).flushTlb();
        }

        @Override
        public void leaveRun(int hart) {
            harts.get(hart).requestExit();
        }

        @Override
        public void systemReset(ExitReason reason) {
            finish(reason);
        }

        @Override
        public void consoleWrite(byte[] data, int offset, int length) {
            console.write(data, offset, length);
        }

        @Override
        public int consoleRead() {
            // TODO: the UART owns console input; SBI console reads see none until input can be shared.
            return -1;
        }
    }
}

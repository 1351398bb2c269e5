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
import dev.jvmm.memory.HostClock;
import dev.jvmm.memory.InterruptLine;
import java.io.OutputStream;
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
    private final ConsoleOutput console;
    private final HartLifecycle lifecycle;
    private final BootMode bootMode;
    private final boolean builtinSbi;
    private final Htif htif;
    private final Map<String, Long> kernelSymbols;
    private final byte[] deviceTree;
    private final BootLayout layout;
    private final VirtioSlots virtio;

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
        this.console = b.console;
        this.lifecycle = b.lifecycle;
        this.bootMode = b.bootMode;
        this.builtinSbi = b.bootMode == BootMode.BUILTIN_SBI;
        this.htif = b.htif;
        this.kernelSymbols = b.kernelSymbols;
        this.deviceTree = b.deviceTree;
        this.layout = b.layout;
        this.virtio = b.virtio;
    }

    /** The parts, gathered while the board is assembled (so a failure can free what exists). */
    private static final class Builder {
        GuestMemory memory;
        List<Hart> harts;
        Clint clint;
        Uart16550 uart;
        ConsoleOutput console;
        HartLifecycle lifecycle;
        BootMode bootMode;
        Htif htif;
        Map<String, Long> kernelSymbols = Map.of();
        byte[] deviceTree;
        BootLayout layout;
        VirtioSlots virtio;
        VirtMachine machine;
    }

    /**
     * Builds the board: RAM, devices, device tree, images loaded. The guest's serial output
     * goes to {@code consoleOutput}. Throws with a one-line message for bad input (missing
     * or non-RISC-V kernel, memory too small for the images, ...).
     */
    public static VirtMachine create(MachineConfig config, OutputStream consoleOutput) throws MachineException {
        config.validate();
        BootImage kernel = ImageFiles.readKernel(config.kernel(), config.firmware().isPresent());
        Optional<BootImage> firmware = config.firmware().isPresent()
                ? Optional.of(ImageFiles.readFirmware(config.firmware().get())) : Optional.empty();
        Optional<byte[]> initrd = config.initrd().isPresent()
                ? Optional.of(ImageFiles.readInitrd(config.initrd().get())) : Optional.empty();

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
            assemble(b, config.harts(), config.engine());
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

    private static void loadImages(GuestMemory ram, BootLayout layout, byte[] dtb) {
        // RAM is fresh and zeroed, so each segment's tail (BSS) needs no clearing.
        layout.firmware().forEach(s -> ram.write(s.address(), s.data()));
        layout.kernel().forEach(s -> ram.write(s.address(), s.data()));
        layout.initrd().ifPresent(s -> ram.write(s.address(), s.data()));
        ram.write(layout.deviceTree(), dtb);
        layout.firmwareInfo().ifPresent(a -> ram.write(a, FirmwareInfo.encode(layout.kernelEntry())));
    }

    private static void assemble(Builder b, int hartCount, Engine engine) {
        AddressSpace bus = new AddressSpace(b.memory);
        Clock clock = HostClock.virt();
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
        b.virtio.map(bus, b.memory, plic);
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

    /** Where the boot images were placed. */
    public BootLayout bootLayout() {
        return layout;
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
                if (builtinSbi && !runnable(hart)) {
                    continue;
                }
                hart.run(budget);
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
                if (hart.isWaitingForInterrupt() && exit.get() == null) {
                    hart.awaitInterrupt(PARK_NANOS);
                }
            }
        } catch (InterruptedException e) {
            finish(new ExitReason.Stopped("hart %d thread interrupted".formatted(id)));
        } catch (Throwable t) {
            finish(new ExitReason.Stopped("hart %d failed at pc %s: %s".formatted(id, safePc(hart), oneLine(t))));
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

package dev.jvmm.conformance.lockstep;

import dev.jvmm.cpu.riscv.Engine;
import dev.jvmm.cpu.riscv.Hart;
import dev.jvmm.cpu.riscv.translate.TranslatorOptions;
import dev.jvmm.devices.Syscon;
import dev.jvmm.devices.Uart16550;
import dev.jvmm.machine.ExitReason;
import dev.jvmm.machine.VirtBoard;
import dev.jvmm.machine.boot.BootImage;
import dev.jvmm.machine.boot.Segment;
import dev.jvmm.memory.AddressSpace;
import dev.jvmm.memory.GuestMemory;
import dev.jvmm.memory.InterruptLine;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One side of an engine lockstep: the parts of QEMU's virt board a bare conformance program
 * uses (RAM at {@link VirtBoard#DRAM_BASE}, the test finisher, UART0, the CLINT; no PLIC, RTC or
 * virtio, which the programs do not touch), one hart on
 * the chosen engine, the ELF loaded and the hart reset to its entry in M-mode, as
 * {@link dev.jvmm.machine.VirtMachine} boots a bare ELF. Unlike VirtMachine it runs on the
 * caller's thread, only when {@link Hart#run(long)} is called, and its time is
 * {@link InstructionClock}'s: so two boards given the same budgets stay comparable instruction
 * by instruction.
 */
final class LockstepBoard implements AutoCloseable {

    final GuestMemory ram;
    final Hart hart;
    final InstructionClock clock = new InstructionClock();
    final LockstepClint clint;
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private ExitReason exit;

    LockstepBoard(BootImage.Elf elf, long ramBytes, Engine engine, TranslatorOptions options) {
        ram = GuestMemory.allocate(VirtBoard.DRAM_BASE, ramBytes);
        try {
            for (Segment s : elf.segments()) {
                if (!ram.contains(s.address(), Math.max(1, s.memorySize()))) {
                    throw new IllegalArgumentException("segment at 0x%x (%d bytes) is outside RAM"
                            .formatted(s.address(), s.memorySize()));
                }
                ram.write(s.address(), s.data());
            }
            AddressSpace bus = new AddressSpace(ram);
            hart = new Hart(0, bus, clock);
            clock.attach(hart);
            hart.setEngine(engine, options);
            clint = new LockstepClint(clock, hart.interruptPin(Hart.MIP_MSIP), hart.interruptPin(Hart.MIP_MTIP));
            Syscon syscon = new Syscon(new Syscon.Listener() {
                @Override
                public void powerOff() {
                    finish(new ExitReason.PowerOff());
                }

                @Override
                public void reboot() {
                    finish(new ExitReason.Reboot());
                }

                @Override
                public void fail(int code) {
                    finish(new ExitReason.GuestFailure(code));
                }
            });
            bus.map(VirtBoard.TEST_BASE, VirtBoard.TEST_SIZE, syscon);
            bus.map(VirtBoard.CLINT_BASE, VirtBoard.CLINT_SIZE, clint);
            bus.map(VirtBoard.UART0_BASE, VirtBoard.UART0_SIZE, new Uart16550(InterruptLine.NONE, console));
            hart.reset(elf.entry());
            hart.setRegister(10, 0);  // a0 = hart id
            hart.setRegister(11, 0);  // a1 = device tree: none here (the programs do not read it)
        } catch (RuntimeException | Error e) {
            ram.close();
            throw e;
        }
    }

    private void finish(ExitReason reason) {
        if (exit == null) {
            exit = reason;
        }
    }

    /** The first exit the program asked for through the test finisher, or null. */
    ExitReason exit() {
        return exit;
    }

    String console() {
        return console.toString(StandardCharsets.UTF_8);
    }

    int consoleBytes() {
        return console.size();
    }

    @Override
    public void close() {
        ram.close();
    }
}

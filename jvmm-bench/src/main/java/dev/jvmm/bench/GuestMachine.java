package dev.jvmm.bench;

import dev.jvmm.cpu.riscv.Engine;
import dev.jvmm.cpu.riscv.Hart;
import dev.jvmm.memory.AddressSpace;
import dev.jvmm.memory.Clock;
import dev.jvmm.memory.GuestMemory;

/**
 * The smallest machine a benchmark needs: RAM at {@link GuestPrograms#RAM_BASE}, one hart on a
 * stopped clock (so no timer ever fires), no devices; built from jvmm's public API only.
 */
public final class GuestMachine implements AutoCloseable {

    /** A clock that never advances: the loops must not see interrupts. */
    private static final Clock STOPPED = new Clock() {
        @Override
        public long frequency() {
            return VIRT_FREQUENCY;
        }

        @Override
        public long ticks() {
            return 0;
        }

        @Override
        public long nanosUntil(long ticks) {
            return Math.max(0, ticks) * 100;
        }
    };

    public final GuestMemory ram;
    public final Hart hart;

    public GuestMachine(Engine engine) {
        ram = GuestMemory.allocate(GuestPrograms.RAM_BASE, GuestPrograms.RAM_SIZE);
        hart = new Hart(0, new AddressSpace(ram), STOPPED);
        hart.setEngine(engine);
    }

    /** Loads {@code code} at RAM base and resets the hart there in M-mode. */
    public GuestMachine startMachineMode(GuestCode code) {
        ram.write(GuestPrograms.RAM_BASE, code.bytes());
        hart.reset(GuestPrograms.RAM_BASE);
        return this;
    }

    /** Loads {@code code} at RAM base and starts the hart there in S-mode, as firmware hands over to a kernel. */
    public GuestMachine startSupervisorMode(GuestCode code) {
        ram.write(GuestPrograms.RAM_BASE, code.bytes());
        hart.enterSupervisor(GuestPrograms.RAM_BASE, 0, 0);
        return this;
    }

    /** Writes 64-bit words at {@code address}. */
    public void writeLongs(long address, long[] words) {
        for (int k = 0; k < words.length; k++) {
            ram.writeLong(address + 8L * k, words[k]);
        }
    }

    @Override
    public void close() {
        ram.close();
    }
}

package dev.jvmm.conformance.lockstep;

import dev.jvmm.cpu.riscv.Hart;
import dev.jvmm.memory.Clock;

/**
 * A deterministic timebase for one side of a lockstep: the hart's retired instructions plus the
 * ticks the harness skipped while the hart waited in WFI. Both sides read the same time at the
 * same instruction, so time-dependent programs (rdtime, mtime, timer interrupts) run alike on
 * both engines. The translator keeps instret exact wherever guest code can observe it (CSR
 * reads run in the interpreter, MMIO loads in the translator's slow path).
 */
public final class InstructionClock implements Clock {

    private Hart hart;
    private long skipped;

    /** The hart whose retired instructions drive this clock (it needs the clock to be built first). */
    void attach(Hart h) {
        this.hart = h;
    }

    /** Moves time on by {@code ticks} while the hart retires nothing (it waits for an interrupt). */
    void skip(long ticks) {
        skipped += ticks;
    }

    @Override
    public long frequency() {
        return VIRT_FREQUENCY;
    }

    @Override
    public long ticks() {
        return (hart == null ? 0 : hart.instructionsRetired()) + skipped;
    }

    @Override
    public long nanosUntil(long ticks) {
        return Long.MAX_VALUE; // not host time: nothing may sleep on it
    }
}

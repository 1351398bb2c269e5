package dev.jvmm.cpu.riscv.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.cpu.riscv.Engine;
import dev.jvmm.cpu.riscv.Hart;
import dev.jvmm.memory.AddressSpace;
import dev.jvmm.memory.Clock;
import dev.jvmm.memory.GuestMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Two harts over two identical RAM copies: one interprets (the reference), one runs the
 * translator tier. {@link #run} advances both by the same budgets and compares the full
 * architectural state after every step: x, f, pc, privilege, instret, the trap/status CSRs and
 * all of RAM.
 */
final class Lockstep implements AutoCloseable {

    static final long RAM_BASE = 0x8000_0000L;

    /** A clock frozen at zero, so time-dependent state cannot differ. */
    static final Clock FROZEN = new Clock() {
        @Override
        public long frequency() {
            return VIRT_FREQUENCY;
        }

        @Override
        public long ticks() {
            return 0;
        }

        @Override
        public long nanosUntil(long deadline) {
            return Long.MAX_VALUE;
        }
    };

    private static final int[] CSRS = {0x001, 0x002, 0x300, 0x302, 0x303, 0x304, 0x305, 0x340, 0x341, 0x342, 0x343,
        0x105, 0x140, 0x141, 0x142, 0x143, 0x180};

    final GuestMemory interpRam;
    final GuestMemory jitRam;
    final Hart interp;
    final Hart jit;
    long steps;

    Lockstep(long ramSize, TranslatorOptions options) {
        interpRam = GuestMemory.allocate(RAM_BASE, ramSize);
        jitRam = GuestMemory.allocate(RAM_BASE, ramSize);
        interp = new Hart(0, new AddressSpace(interpRam), FROZEN);
        jit = new Hart(0, new AddressSpace(jitRam), FROZEN);
        jit.setEngine(Engine.JIT, options);
    }

    /** Writes the same bytes into both RAMs (before running, or as a DMA-like host write). */
    void write(long address, byte[] bytes) {
        interpRam.write(address, bytes);
        jitRam.write(address, bytes);
    }

    /** Writes {@code value} little-endian into both RAMs. */
    void writeLong(long address, long value) {
        byte[] b = new byte[8];
        for (int k = 0; k < 8; k++) {
            b[k] = (byte) (value >>> (8 * k));
        }
        write(address, b);
    }

    /** The long at {@code address} in the translator's RAM (little-endian). */
    long readLong(long address) {
        return jitRam.readLong(address);
    }

    void reset(long pc) {
        interp.reset(pc);
        jit.reset(pc);
    }

    /** Both harts in S-mode as the built-in SBI would start a kernel. */
    void enterSupervisor(long pc) {
        interp.enterSupervisor(pc, 0, 0);
        jit.enterSupervisor(pc, 0, 0);
    }

    void setRegister(int r, long v) {
        interp.setRegister(r, v);
        jit.setRegister(r, v);
    }

    /** Runs both harts with each budget in turn, comparing after every step. */
    void run(int... budgets) {
        for (int b : budgets) {
            step(b);
        }
    }

    /** Runs random budgets in [1, maxBudget] until {@code total} instructions were attempted or the pc stalls at {@code stopPc}. */
    void runRandom(SplittableRandom random, int maxBudget, long total, long stopPc) {
        long n = 0;
        while (n < total && interp.pc() != stopPc) {
            int b = 1 + random.nextInt(maxBudget);
            step(b);
            n += b;
        }
    }

    void step(int budget) {
        long a = interp.run(budget);
        long b = jit.run(budget);
        steps++;
        assertThat(b).as("retired in step %d (budget %d)", steps, budget).isEqualTo(a);
        assertSameState();
    }

    void assertSameState() {
        List<String> diffs = new ArrayList<>();
        compare(diffs, "pc", interp.pc(), jit.pc());
        compare(diffs, "priv", interp.privilege(), jit.privilege());
        compare(diffs, "instret", interp.instructionsRetired(), jit.instructionsRetired());
        compare(diffs, "wfi", interp.isWaitingForInterrupt() ? 1 : 0, jit.isWaitingForInterrupt() ? 1 : 0);
        for (int r = 0; r < 32; r++) {
            compare(diffs, "x" + r, interp.register(r), jit.register(r));
            compare(diffs, "f" + r, interp.fpRegister(r), jit.fpRegister(r));
        }
        for (int csr : CSRS) {
            compare(diffs, "csr 0x" + Integer.toHexString(csr), interp.debugCsr(csr), jit.debugCsr(csr));
        }
        long mismatch = interpRam.segment().mismatch(jitRam.segment());
        if (mismatch >= 0) {
            diffs.add("RAM differs at 0x" + Long.toHexString(RAM_BASE + mismatch));
        }
        assertThat(diffs).as("state after step %d (interpreter pc 0x%x)", steps, interp.pc()).isEmpty();
    }

    private static void compare(List<String> diffs, String what, long expected, long actual) {
        if (expected != actual) {
            diffs.add("%s: interpreter 0x%x, jit 0x%x".formatted(what, expected, actual));
        }
    }

    @Override
    public void close() {
        interpRam.close();
        jitRam.close();
    }
}

package dev.jvmm.conformance.lockstep;

import dev.jvmm.cpu.riscv.Engine;
import dev.jvmm.cpu.riscv.Hart;
import dev.jvmm.cpu.riscv.translate.TranslatorOptions;
import dev.jvmm.cpu.riscv.translate.TranslatorStats;
import dev.jvmm.machine.ExitReason;
import dev.jvmm.machine.MachineException;
import dev.jvmm.machine.boot.BootImage;
import dev.jvmm.machine.boot.ImageFiles;
import dev.jvmm.memory.GuestMemory;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Runs a bare program on two {@link LockstepBoard}s, one on the interpreter (the reference) and
 * one on the translator, giving both the same run budgets (random, seeded) and comparing their
 * whole architectural state after every step: pc, privilege, instret, WFI, x1..x31, f0..f31, the
 * trap, status, interrupt and translation CSRs, mtimecmp, the console so far, the finisher, and
 * every RAM page either side wrote during the step (from the RAM's dirty-page logs; all of RAM
 * at the start, every {@value #FULL_COMPARE_STEPS} steps and at the end). The first step after
 * which anything differs fails the run with both values and the steps that led there.
 */
public final class EngineLockstep implements AutoCloseable {

    /** Steps between comparisons of all of RAM (besides the written pages compared every step). */
    static final int FULL_COMPARE_STEPS = 20_000;
    private static final int HISTORY = 12;
    private static final int[] CSRS = {
        0x003, 0x300, 0x302, 0x303, 0x304, 0x344, 0x305, 0x340, 0x341, 0x342, 0x343,
        0x105, 0x140, 0x141, 0x142, 0x143, 0x180};

    /** How the run ended and what it took. */
    public record Result(long steps, long instructions, ExitReason exit, String console, TranslatorStats jit) { }

    /** A step as the failure message lists it. */
    private record Step(long number, long pcBefore, int budget, long retired) {
        @Override
        public String toString() {
            return "step %d: pc 0x%x, budget %d, retired %d".formatted(number, pcBefore, budget, retired);
        }
    }

    private final LockstepBoard interp;
    private final LockstepBoard jit;
    private final SplittableRandom budgets;
    private final Deque<Step> history = new ArrayDeque<>();
    private long steps;
    private int consoleCompared;

    /**
     * Loads {@code elf} on both boards with {@code ramBytes} of RAM each (comparing all of it costs
     * time: give what the program uses); the translator gets {@code options}; {@code seed} drives
     * the budgets.
     */
    public EngineLockstep(Path elf, long ramBytes, TranslatorOptions options, long seed) throws MachineException {
        BootImage image = ImageFiles.readKernel(elf);
        if (!(image instanceof BootImage.Elf e)) {
            throw new IllegalArgumentException(elf + " is not an ELF");
        }
        this.interp = new LockstepBoard(e, ramBytes, Engine.INTERPRETER, options);
        try {
            this.jit = new LockstepBoard(e, ramBytes, Engine.JIT, options);
        } catch (RuntimeException | Error x) {
            interp.close();
            throw x;
        }
        this.budgets = new SplittableRandom(seed);
    }

    /**
     * Steps both boards until the program reaches the test finisher on both, or fails with an
     * {@link AssertionError} at the first step after which they differ, or when more than
     * {@code maxInstructions} have been attempted.
     */
    public Result run(long maxInstructions) {
        compareAllRam();
        long attempted = 0;
        while (interp.exit() == null || jit.exit() == null) {
            if (attempted > maxInstructions) {
                throw new AssertionError("no exit after %d instructions (interpreter pc 0x%x)"
                        .formatted(attempted, interp.hart.pc()));
            }
            int budget = nextBudget();
            step(budget);
            attempted += budget;
            if (steps % FULL_COMPARE_STEPS == 0) {
                compareAllRam();
            }
        }
        compareAllRam();
        return new Result(steps, interp.hart.instructionsRetired(), interp.exit(), interp.console(),
                jit.hart.translatorStats());
    }

    /**
     * Mostly budgets of up to 64 instructions (a translated block runs only when the budget holds it
     * whole, so these mix translated blocks with interpreted cut-offs), a quarter tiny, a few long.
     */
    private int nextBudget() {
        int kind = budgets.nextInt(32);
        return kind < 8 ? 1 + budgets.nextInt(4) : kind < 31 ? 1 + budgets.nextInt(64) : 1 + budgets.nextInt(1024);
    }

    /** Runs both harts with {@code budget}, then advances time alike on both and compares. */
    void step(int budget) {
        long pc = interp.hart.pc();
        long a = interp.hart.run(budget);
        long b = jit.hart.run(budget);
        steps++;
        history.addLast(new Step(steps, pc, budget, a));
        if (history.size() > HISTORY) {
            history.removeFirst();
        }
        List<String> diffs = new ArrayList<>();
        compare(diffs, "retired in this step", a, b);
        advanceTime(budget);
        compareState(diffs);
        if (!diffs.isEmpty()) {
            throw divergence(diffs);
        }
    }

    /**
     * Time is instret plus skipped ticks; while both harts wait in WFI (they must both be, or the
     * comparison fails) it jumps to the timer deadline, or by {@code budget} without one.
     */
    private void advanceTime(int budget) {
        if (interp.hart.isWaitingForInterrupt() && jit.hart.isWaitingForInterrupt()) {
            long now = interp.clock.ticks();
            long deadline = interp.clint.timeCompare();
            long skip = deadline >= 0 && deadline > now ? deadline - now : budget;
            interp.clock.skip(skip);
            jit.clock.skip(skip);
        }
        interp.clint.update();
        jit.clint.update();
    }

    private void compareState(List<String> diffs) {
        Hart i = interp.hart;
        Hart j = jit.hart;
        compare(diffs, "pc", i.pc(), j.pc());
        compare(diffs, "privilege", i.privilege(), j.privilege());
        compare(diffs, "instret", i.instructionsRetired(), j.instructionsRetired());
        compare(diffs, "waiting in WFI", i.isWaitingForInterrupt() ? 1 : 0, j.isWaitingForInterrupt() ? 1 : 0);
        for (int r = 1; r < 32; r++) {
            compare(diffs, "x" + r, i.register(r), j.register(r));
        }
        for (int r = 0; r < 32; r++) {
            compare(diffs, "f" + r, i.fpRegister(r), j.fpRegister(r));
        }
        for (int csr : CSRS) {
            compare(diffs, "csr 0x" + Integer.toHexString(csr), i.debugCsr(csr), j.debugCsr(csr));
        }
        compare(diffs, "mtimecmp", interp.clint.timeCompare(), jit.clint.timeCompare());
        compare(diffs, "console bytes", interp.consoleBytes(), jit.consoleBytes());
        if (!String.valueOf(interp.exit()).equals(String.valueOf(jit.exit()))) {
            diffs.add("finisher: interpreter %s, jit %s".formatted(interp.exit(), jit.exit()));
        }
        compareWrittenRam(diffs);
        if (diffs.isEmpty() && interp.consoleBytes() != consoleCompared) {
            consoleCompared = interp.consoleBytes();
            if (!interp.console().equals(jit.console())) {
                diffs.add("console: interpreter %s, jit %s".formatted(interp.console(), jit.console()));
            }
        }
    }

    /** Compares every page either side wrote since the last comparison. */
    private void compareWrittenRam(List<String> diffs) {
        BitSet written = new BitSet();
        interp.ram.dirtyPages().collect(p -> {
            written.set(p);
            return true;
        });
        jit.ram.dirtyPages().collect(p -> {
            written.set(p);
            return true;
        });
        for (int p = written.nextSetBit(0); p >= 0 && diffs.size() < 40; p = written.nextSetBit(p + 1)) {
            comparePage(diffs, p);
        }
    }

    private void compareAllRam() {
        List<String> diffs = new ArrayList<>();
        interp.ram.dirtyPages().collect(p -> true);
        jit.ram.dirtyPages().collect(p -> true);
        MemorySegment a = interp.ram.segment();
        MemorySegment b = jit.ram.segment();
        long at = a.mismatch(b);
        if (at >= 0) {
            comparePage(diffs, (int) (at / GuestMemory.PAGE_SIZE));
            if (diffs.isEmpty()) {
                diffs.add("RAM differs at 0x%x".formatted(interp.ram.base() + at));
            }
            throw divergence(diffs);
        }
    }

    private void comparePage(List<String> diffs, int page) {
        long off = (long) page * GuestMemory.PAGE_SIZE;
        MemorySegment a = interp.ram.segment();
        MemorySegment b = jit.ram.segment();
        long at = MemorySegment.mismatch(a, off, off + GuestMemory.PAGE_SIZE, b, off, off + GuestMemory.PAGE_SIZE);
        if (at >= 0) {
            long word = (off + at) & ~7L;
            diffs.add("RAM at 0x%x: interpreter 0x%016x, jit 0x%016x (dword at 0x%x)".formatted(
                    interp.ram.base() + off + at, a.get(GuestMemory.LONG, word), b.get(GuestMemory.LONG, word),
                    interp.ram.base() + word));
        }
    }

    private static void compare(List<String> diffs, String what, long expected, long actual) {
        if (expected != actual) {
            diffs.add("%s: interpreter 0x%x, jit 0x%x".formatted(what, expected, actual));
        }
    }

    private AssertionError divergence(List<String> diffs) {
        StringBuilder s = new StringBuilder("the translator diverges from the interpreter after step ")
                .append(steps).append(" (interpreter pc 0x").append(Long.toHexString(interp.hart.pc()))
                .append(", jit pc 0x").append(Long.toHexString(jit.hart.pc())).append("):\n");
        diffs.forEach(d -> s.append("  ").append(d).append('\n'));
        s.append("last steps (pc before each):\n");
        history.forEach(h -> s.append("  ").append(h).append('\n'));
        s.append("translator: ").append(jit.hart.translatorStats()).append('\n');
        return new AssertionError(s.toString());
    }

    /** The translator's board (for tests of the harness itself). */
    LockstepBoard jitSide() {
        return jit;
    }

    @Override
    public void close() {
        interp.close();
        jit.close();
    }
}

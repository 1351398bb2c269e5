package dev.jvmm.cpu.riscv;

import dev.jvmm.memory.AddressSpace;
import dev.jvmm.memory.Clock;
import dev.jvmm.memory.InterruptLine;
import dev.jvmm.cpu.riscv.translate.TranslatorOptions;
import dev.jvmm.cpu.riscv.translate.TranslatorStats;
import dev.jvmm.memory.state.StateException;
import dev.jvmm.memory.state.StateReader;
import dev.jvmm.memory.state.StateWriter;
import dev.jvmm.memory.state.Stateful;
import java.util.concurrent.locks.LockSupport;

/**
 * One RV64GC hardware thread: the public face of the interpreter, CSRs, MMU and PMP.
 *
 * <p>Threading: {@link #run(long)} and the register accessors are called only by the
 * hart's own thread (or while the hart is stopped); {@link #interruptPin(long)} lines,
 * {@link #wake()}, {@link #postInterrupt(long)}, {@link #flushTlb()} and
 * {@link #requestExit()} may be called from any thread. Requests from other threads take
 * effect at the next instruction-block boundary (at most {@link #BLOCK} instructions).
 *
 * <p>As a {@link Stateful} the hart saves its architectural state (see {@code HartState} for
 * what is in the record); a restore drops the TLBs, translations and the LR reservation.
 */
public final class Hart implements Stateful {

    public static final long MIP_SSIP = 1L << 1;
    public static final long MIP_MSIP = 1L << 3;
    public static final long MIP_STIP = 1L << 5;
    public static final long MIP_MTIP = 1L << 7;
    public static final long MIP_SEIP = 1L << 9;
    public static final long MIP_MEIP = 1L << 11;

    /**
     * Instructions between checks for interrupts and requests from other threads: the bound
     * on their latency, some microseconds in compiled code (about 40 at the interpreter's
     * speed). Each check also leaves compiled code for the dispatcher's lookup; at 256 that
     * round trip cost translated code 10-20 % (2026-11-27: hash 0.89 -> 0.76 s, qsort 1.07 ->
     * 0.96 s, matmul 3.96 -> 3.21 s at 4096; 16384 and 65536 no faster, boots alike or faster).
     */
    public static final int BLOCK = 4096;

    private final int hartId;
    private final Fpu fpu = new Fpu();
    private final Pmp pmp = new Pmp();
    private final Csrs csrs;
    private final Mmu mmu;
    private final Traps traps;
    private final FloatUnit floatUnit;
    private final Interpreter interpreter;

    private volatile boolean exitRequested;
    private volatile boolean flushRequested;
    private volatile boolean wakeRequested;
    private volatile Thread waiter;
    private long machineTrapsSeen;
    /** The translator tier; null while the engine is {@link Engine#INTERPRETER}. */
    private JitRuntime jit;

    public Hart(int hartId, AddressSpace bus, Clock clock) {
        this.hartId = hartId;
        this.csrs = new Csrs(hartId, clock, fpu, pmp);
        this.mmu = new Mmu(bus, csrs, pmp);
        this.traps = new Traps(csrs);
        csrs.attach(mmu, traps);
        mmu.attach(traps);
        this.floatUnit = new FloatUnit(fpu, csrs, mmu, traps);
        this.interpreter = new Interpreter(this, csrs, mmu, traps, floatUnit);
        reset(0);
    }

    public int id() {
        return hartId;
    }

    /** Power-on reset: M-mode, {@code pc}, mstatus/misa at reset values, all other state cleared. */
    public void reset(long pc) {
        csrs.reset();
        interpreter.reset();
        floatUnit.reset();
        interpreter.pc = pc;
        if (jit != null) {
            jit.invalidateAll(); // memory may have been reloaded behind the CPU's back
        }
        traps.lastMachineTrapCause = -1;
        machineTrapsSeen = traps.machineTrapCount;
    }

    /**
     * Starts the hart in S-mode at {@code pc} with {@code a0}, {@code a1} set, as SBI firmware
     * would hand over to a kernel: all delegable exceptions but ECALL from S/M and the S-level
     * interrupts delegated, the cycle, time and instret counters enabled for S-mode and (as
     * OpenSBI leaves {@code scounteren}) for U-mode, one PMP entry opening all memory to S/U,
     * paging off.
     */
    public void enterSupervisor(long pc, long a0, long a1) {
        reset(pc);
        csrs.medeleg = Csrs.MEDELEG_MASK & ~((1L << Traps.ECALL_FROM_S) | (1L << Traps.ECALL_FROM_M));
        csrs.mideleg = Csrs.S_INTERRUPTS;
        csrs.mcounteren = 7;
        // Linux relies on firmware for this: its vDSO reads the time CSR from U-mode.
        csrs.scounteren = 7;
        pmp.writeAddr(0, -1L);
        pmp.writeCfg(0, Pmp.A_NAPOT | Pmp.R | Pmp.W | Pmp.X);
        // As after firmware's MRET into S: MPP = U, MPIE = 1.
        csrs.mstatus = Csrs.MSTATUS_XL_64 | Csrs.MSTATUS_MPIE;
        csrs.satp = 0;
        mmu.flushAll();
        csrs.setPrivilege(Csrs.PRIV_S);
        mmu.selectSets();
        interpreter.x[10] = a0;
        interpreter.x[11] = a1;
    }

    /**
     * Executes at most {@code budget} instructions; returns the number retired. Returns early
     * when the hart executes WFI with no interrupt pending, when {@link #requestExit()} was
     * called, or when a trap enters M-mode while a {@link SupervisorCallHandler} stands in
     * for firmware (see {@link #lastMachineTrapCause()}).
     */
    public long run(long budget) {
        if (owner != Thread.currentThread()) {
            owner = Thread.currentThread();
        }
        long startInstret = csrs.instret;
        long attempted = 0;
        Interpreter interp = interpreter;
        while (attempted < budget) {
            mmu.syncDirtyLog();
            if (flushRequested) {
                mmu.flushAll();
                if (jit != null) {
                    jit.remoteFence();
                }
                flushRequested = false;
            }
            long pending = csrs.pendingEnabled();
            if (interp.waiting) {
                if (pending == 0) {
                    break;
                }
                interp.waiting = false;
            }
            if (pending != 0) {
                int irq = traps.selectInterrupt(pending);
                if (irq >= 0) {
                    interp.takeInterrupt(irq);
                }
            }
            if (exitRequested || machineTrapWithoutFirmware()) {
                break;
            }
            int chunk = (int) Math.min(budget - attempted, BLOCK);
            attempted += jit != null ? jit.run(chunk, budget - attempted) : interp.runBlock(chunk);
            if (exitRequested || interp.waiting || machineTrapWithoutFirmware()) {
                break;
            }
        }
        exitRequested = false;
        mmu.syncDirtyLog();
        return csrs.instret - startInstret;
    }

    /**
     * Marks in the dirty-page log every page this hart's store TLB may have written since the
     * log's last collection, if there was one since the hart last looked (see
     * {@code DirtyPageLog}'s rules for cached writers). {@link #run} does so at every slice and
     * when it returns; a machine calls this on the hart's thread before it parks for a pause, so
     * that a paused machine's log is exact. Call on the hart's thread or while it is stopped.
     */
    public void syncDirtyLog() {
        mmu.syncDirtyLog();
    }

    /**
     * Whether a trap entered M-mode since the last {@link #reset} while a supervisor call
     * handler was installed, i.e. with no M-mode firmware to handle it. {@link #run} returns
     * as soon as that happens; the cause is {@link #lastMachineTrapCause()}.
     */
    public boolean machineTrapWithoutFirmware() {
        return traps.machineTrapCount != machineTrapsSeen;
    }

    /** The mcause of the last trap into M-mode without firmware, or -1 if there was none. */
    public long lastMachineTrapCause() {
        return traps.lastMachineTrapCause;
    }

    /** Whether the hart is stopped in WFI waiting for an interrupt. */
    public boolean isWaitingForInterrupt() {
        return interpreter.waiting;
    }

    /**
     * Parks the calling (hart) thread until an interrupt is pending (in {@code mip & mie},
     * regardless of global enables), {@link #wake()}, {@link #requestExit()}, or the timeout.
     */
    public void awaitInterrupt(long timeoutNanos) throws InterruptedException {
        waiter = Thread.currentThread();
        try {
            long deadline = System.nanoTime() + timeoutNanos;
            while (!wakeRequested && !exitRequested && csrs.pendingEnabled() == 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                LockSupport.parkNanos(this, left);
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
            }
            wakeRequested = false;
        } finally {
            waiter = null;
        }
    }

    /** Unparks {@link #awaitInterrupt(long)}. */
    public void wake() {
        wakeRequested = true;
        unpark();
    }

    private void unpark() {
        Thread t = waiter;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Makes a running {@link #run(long)} return at the next instruction-block boundary. */
    public void requestExit() {
        exitRequested = true;
        unpark();
    }

    private static void checkInterruptBit(long mipBit) {
        if (Long.bitCount(mipBit) != 1 || (mipBit & Csrs.ALL_INTERRUPTS) == 0) {
            throw new IllegalArgumentException("not an mip interrupt bit: 0x" + Long.toHexString(mipBit));
        }
    }

    /** A level-triggered wire into one bit of {@code mip} (one of the {@code MIP_*} constants). */
    public InterruptLine interruptPin(long mipBit) {
        checkInterruptBit(mipBit);
        return level -> {
            if (level) {
                csrs.externalPending.getAndUpdate(v -> v | mipBit);
                unpark();
            } else {
                csrs.externalPending.getAndUpdate(v -> v & ~mipBit);
            }
        };
    }

    /**
     * Sets a software-writable bit of {@code mip} (e.g. SSIP for an IPI sent by the built-in
     * SBI), as M-mode firmware would; the guest may clear it. Safe from any thread; wakes WFI.
     */
    public void postInterrupt(long mipBit) {
        checkInterruptBit(mipBit);
        csrs.softwarePending.getAndUpdate(v -> v | mipBit);
        unpark();
    }

    /**
     * Clears a software-written bit of {@code mip} (e.g. STIP when the built-in SBI's timer is
     * reprogrammed into the future). Safe from any thread.
     */
    public void clearInterrupt(long mipBit) {
        checkInterruptBit(mipBit);
        csrs.softwarePending.getAndUpdate(v -> v & ~mipBit);
    }

    /** Handles ECALL from S-mode in Java instead of trapping to M-mode (the built-in SBI); null to trap. */
    public void setSupervisorCallHandler(SupervisorCallHandler handler) {
        interpreter.supervisorCallHandler = handler;
        traps.firmwareless = handler != null;
    }

    public long register(int index) {
        return interpreter.x[checkRegister(index)];
    }

    public void setRegister(int index, long value) {
        if (checkRegister(index) != 0) {
            interpreter.x[index] = value;
        }
    }

    /** Raw bits of floating-point register {@code index} (single values NaN-boxed). */
    public long fpRegister(int index) {
        return floatUnit.f[checkRegister(index)];
    }

    public void setFpRegister(int index, long bits) {
        floatUnit.f[checkRegister(index)] = bits;
    }

    private static int checkRegister(int index) {
        if (index < 0 || index > 31) {
            throw new IndexOutOfBoundsException("register " + index);
        }
        return index;
    }

    public long pc() {
        return interpreter.pc;
    }

    public void setPc(long pc) {
        interpreter.pc = pc;
    }

    /** Privilege level: 0 = U, 1 = S, 3 = M. */
    public int privilege() {
        return csrs.priv;
    }

    /**
     * Drops every cached translation and the cached code page (remote SFENCE.VMA / FENCE.I
     * from the SBI). Safe from any thread: on the hart's own thread (or before it first runs)
     * it takes effect at once; from another thread at the hart's next block boundary, which
     * {@link #isTlbFlushPending()} lets a caller wait for.
     */
    public void flushTlb() {
        Thread o = owner;
        if (o == null || o == Thread.currentThread()) {
            mmu.flushAll();
            interpreter.invalidateCode();
            if (jit != null) {
                jit.remoteFence(); // the SBI's remote FENCE.I comes this way too
            }
        } else {
            flushRequested = true;
        }
    }

    /**
     * Whether a {@link #flushTlb()} from another thread has not yet been carried out (it is
     * carried out before the hart executes anything, so a hart stopped in WFI can be treated
     * as flushed).
     */
    public boolean isTlbFlushPending() {
        return flushRequested;
    }

    /** The thread that last ran this hart; requests from others are deferred to it. */
    private volatile Thread owner;

    public long instructionsRetired() {
        return csrs.instret;
    }

    // ---- execution engine ----

    /**
     * Selects how guest code runs: the interpreter (the default and the reference) or the
     * translator tier with default options. Call on the hart's thread or while it is stopped.
     */
    public void setEngine(Engine engine) {
        setEngine(engine, TranslatorOptions.fromSystemProperties());
    }

    /** As {@link #setEngine(Engine)}, with the translator's options (ignored for the interpreter). */
    public void setEngine(Engine engine, TranslatorOptions options) {
        if (jit != null) {
            jit.invalidateAll();
            mmu.trackCode(null);
            interpreter.profileJumps(null, 0);
            jit = null;
        }
        if (engine == Engine.JIT) {
            jit = new JitRuntime(interpreter, csrs, mmu, options);
            mmu.trackCode(jit);
        }
    }

    public Engine engine() {
        return jit != null ? Engine.JIT : Engine.INTERPRETER;
    }

    /** The translator's counters, or all zero under the interpreter. */
    public TranslatorStats translatorStats() {
        return jit != null ? jit.stats() : TranslatorStats.NONE;
    }

    /** FENCE.I executed by this hart: translated code must be re-read from memory. */
    void instructionFence() {
        if (jit != null) {
            jit.instructionFence();
        }
    }

    /**
     * Debug read of a CSR by number, without privilege checks or side effects; for tests,
     * differential harnesses and diagnostics. Supports the trap, status, translation and
     * floating-point CSRs; throws IllegalArgumentException for others.
     */
    public long debugCsr(int number) {
        Csrs c = csrs;
        return switch (number) {
            case Csrs.FFLAGS -> fpu.flags & 0x1f;
            case Csrs.FRM -> c.frm;
            case Csrs.FCSR -> (c.frm << 5) | (fpu.flags & 0x1f);
            case Csrs.MSTATUS -> c.readMstatus();
            case Csrs.SSTATUS -> c.readMstatus() & Csrs.SSTATUS_READ_MASK;
            case Csrs.MEDELEG -> c.medeleg;
            case Csrs.MIDELEG -> c.mideleg;
            case Csrs.MIE -> c.mie;
            case Csrs.MIP -> c.mip();
            case Csrs.MTVEC -> c.mtvec;
            case Csrs.MSCRATCH -> c.mscratch;
            case Csrs.MEPC -> c.mepc;
            case Csrs.MCAUSE -> c.mcause;
            case Csrs.MTVAL -> c.mtval;
            case Csrs.STVEC -> c.stvec;
            case Csrs.SSCRATCH -> c.sscratch;
            case Csrs.SEPC -> c.sepc;
            case Csrs.SCAUSE -> c.scause;
            case Csrs.STVAL -> c.stval;
            case Csrs.SATP -> c.satp;
            case Csrs.MINSTRET, Csrs.INSTRET -> c.instret;
            default -> throw new IllegalArgumentException("CSR 0x" + Integer.toHexString(number) + " has no debug read");
        };
    }

    // ---- snapshots ----

    @Override
    public int stateVersion() {
        return HartState.VERSION;
    }

    /** Writes the architectural state; call only while the hart is stopped. */
    @Override
    public void saveState(StateWriter out) {
        captureState().write(out);
    }

    /** The architectural state now (what {@link #saveState} writes). */
    HartState captureState() {
        return HartState.capture(hartId, interpreter, floatUnit, csrs, fpu, pmp);
    }

    /**
     * Replaces the architectural state with the record's, or throws and changes nothing. Call
     * only while the hart is stopped. Afterwards the TLBs, cached code and translations are
     * empty, the LR reservation is gone and no M-mode trap counts as unseen.
     */
    @Override
    public void restoreState(StateReader in, int version) throws StateException {
        HartState state = HartState.read(in, version, hartId);
        state.applyTo(interpreter, floatUnit, csrs, fpu, pmp);
        interpreter.forgetCachedState();
        mmu.flushAll();
        mmu.selectSets(); // the privilege and MPRV/MPP may have changed
        if (jit != null) {
            jit.invalidateAll();
        }
        traps.lastMachineTrapCause = -1;
        machineTrapsSeen = traps.machineTrapCount;
    }

    // ---- package-private access for tests and the board's diagnostics ----

    Csrs csrs() {
        return csrs;
    }

    Mmu mmu() {
        return mmu;
    }

    Fpu fpu() {
        return fpu;
    }
}

package dev.jvmm.cpu.riscv;

import dev.jvmm.memory.AddressSpace;
import dev.jvmm.memory.Clock;
import dev.jvmm.memory.InterruptLine;

/**
 * One RV64GC hardware thread. STUB: the public API the board uses; the implementation
 * replaces the bodies.
 *
 * <p>Threading: {@link #run(long)} and the register accessors are called only by the
 * hart's own thread (or while the hart is stopped); {@link #interruptPin(long)} lines,
 * {@link #wake()} and {@link #requestExit()} may be called from any thread.
 */
public final class Hart {

    public static final long MIP_SSIP = 1L << 1;
    public static final long MIP_MSIP = 1L << 3;
    public static final long MIP_STIP = 1L << 5;
    public static final long MIP_MTIP = 1L << 7;
    public static final long MIP_SEIP = 1L << 9;
    public static final long MIP_MEIP = 1L << 11;

    public Hart(int hartId, AddressSpace bus, Clock clock) {
        throw new UnsupportedOperationException("stub");
    }

    public int id() {
        throw new UnsupportedOperationException("stub");
    }

    /** Power-on reset: M-mode, {@code pc}, mstatus/misa at reset values, all other state cleared. */
    public void reset(long pc) {
        throw new UnsupportedOperationException("stub");
    }

    /**
     * Starts the hart in S-mode at {@code pc} with {@code a0}, {@code a1} set, as SBI firmware
     * would hand over to a kernel: all delegable exceptions and the S-level interrupts
     * delegated, counters enabled for S-mode, paging off.
     */
    public void enterSupervisor(long pc, long a0, long a1) {
        throw new UnsupportedOperationException("stub");
    }

    /**
     * Executes at most {@code budget} instructions; returns the number retired. Returns early
     * when the hart executes WFI with no interrupt pending, or when {@link #requestExit()} was
     * called.
     */
    public long run(long budget) {
        throw new UnsupportedOperationException("stub");
    }

    /** Whether the hart is stopped in WFI waiting for an interrupt. */
    public boolean isWaitingForInterrupt() {
        throw new UnsupportedOperationException("stub");
    }

    /** Parks the calling (hart) thread until an interrupt is pending, {@link #wake()}, or the timeout. */
    public void awaitInterrupt(long timeoutNanos) throws InterruptedException {
        throw new UnsupportedOperationException("stub");
    }

    /** Unparks {@link #awaitInterrupt(long)}. */
    public void wake() {
        throw new UnsupportedOperationException("stub");
    }

    /** Makes a running {@link #run(long)} return at the next instruction boundary. */
    public void requestExit() {
        throw new UnsupportedOperationException("stub");
    }

    /** A level-triggered wire into one bit of {@code mip} (one of the {@code MIP_*} constants). */
    public InterruptLine interruptPin(long mipBit) {
        throw new UnsupportedOperationException("stub");
    }

    /**
     * Sets a software-writable bit of {@code mip} (e.g. SSIP for an IPI sent by the built-in
     * SBI), as M-mode firmware would; the guest may clear it. Safe from any thread; wakes WFI.
     */
    public void postInterrupt(long mipBit) {
        throw new UnsupportedOperationException("stub");
    }

    /** Handles ECALL from S-mode in Java instead of trapping to M-mode (the built-in SBI); null to trap. */
    public void setSupervisorCallHandler(SupervisorCallHandler handler) {
        throw new UnsupportedOperationException("stub");
    }

    public long register(int index) {
        throw new UnsupportedOperationException("stub");
    }

    public void setRegister(int index, long value) {
        throw new UnsupportedOperationException("stub");
    }

    public long pc() {
        throw new UnsupportedOperationException("stub");
    }

    public void setPc(long pc) {
        throw new UnsupportedOperationException("stub");
    }

    /** Privilege level: 0 = U, 1 = S, 3 = M. */
    public int privilege() {
        throw new UnsupportedOperationException("stub");
    }

    /**
     * Drops every cached translation (remote SFENCE.VMA / FENCE.I from the SBI). Safe from any
     * thread: another hart's request takes effect before that hart's next instruction.
     */
    public void flushTlb() {
        throw new UnsupportedOperationException("stub");
    }

    public long instructionsRetired() {
        throw new UnsupportedOperationException("stub");
    }
}

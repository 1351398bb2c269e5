package dev.jvmm.cpu.riscv;

/**
 * Exception and interrupt cause codes, the exception the interpreter throws to abandon an
 * instruction, and the one path that enters a trap handler (delegation, xstatus stacking,
 * xtvec direct/vectored).
 */
final class Traps {

    static final int INSTRUCTION_MISALIGNED = 0;
    static final int INSTRUCTION_ACCESS_FAULT = 1;
    static final int ILLEGAL_INSTRUCTION = 2;
    static final int BREAKPOINT = 3;
    static final int LOAD_MISALIGNED = 4;
    static final int LOAD_ACCESS_FAULT = 5;
    static final int STORE_MISALIGNED = 6;
    static final int STORE_ACCESS_FAULT = 7;
    static final int ECALL_FROM_U = 8;
    static final int ECALL_FROM_S = 9;
    static final int ECALL_FROM_M = 11;
    static final int INSTRUCTION_PAGE_FAULT = 12;
    static final int LOAD_PAGE_FAULT = 13;
    static final int STORE_PAGE_FAULT = 15;

    static final int IRQ_S_SOFTWARE = 1;
    static final int IRQ_M_SOFTWARE = 3;
    static final int IRQ_S_TIMER = 5;
    static final int IRQ_M_TIMER = 7;
    static final int IRQ_S_EXTERNAL = 9;
    static final int IRQ_M_EXTERNAL = 11;

    static final long INTERRUPT_BIT = 1L << 63;

    /** An abandoned instruction; preallocated per hart and without a stack trace, as traps are frequent. */
    static final class Trap extends RuntimeException {
        int cause;
        long tval;

        Trap() {
            super(null, null, false, false);
        }
    }

    private final Csrs csrs;
    private final Trap trap = new Trap();

    /** Set while a Java SBI stands in for M-mode firmware: traps into M-mode are then recorded for the board. */
    boolean firmwareless;
    long lastMachineTrapCause = -1;
    long machineTrapCount;

    Traps(Csrs csrs) {
        this.csrs = csrs;
    }

    /** The trap to throw for a synchronous exception. */
    Trap raise(int cause, long tval) {
        trap.cause = cause;
        trap.tval = tval;
        return trap;
    }

    Trap illegal(int insnBits) {
        return raise(ILLEGAL_INSTRUCTION, insnBits & 0xffffffffL);
    }

    /**
     * Enters the handler for exception {@code cause} (or interrupt when {@code interrupt}) that
     * occurred at {@code pc}; returns the handler's address.
     */
    long enter(int cause, boolean interrupt, long tval, long pc) {
        Csrs c = csrs;
        int priv = c.priv;
        long deleg = interrupt ? c.mideleg : c.medeleg;
        long causeValue = interrupt ? (INTERRUPT_BIT | cause) : cause;
        if (priv <= Csrs.PRIV_S && ((deleg >>> cause) & 1) != 0) {
            c.scause = causeValue;
            c.sepc = pc;
            c.stval = tval;
            long s = c.mstatus;
            s = (s & ~Csrs.MSTATUS_SPIE) | ((s & Csrs.MSTATUS_SIE) != 0 ? Csrs.MSTATUS_SPIE : 0);
            s &= ~Csrs.MSTATUS_SIE;
            s = (s & ~Csrs.MSTATUS_SPP) | (priv == Csrs.PRIV_S ? Csrs.MSTATUS_SPP : 0);
            c.mstatus = s;
            c.setPrivilege(Csrs.PRIV_S);
            return vector(c.stvec, cause, interrupt);
        }
        c.mcause = causeValue;
        c.mepc = pc;
        c.mtval = tval;
        long s = c.mstatus;
        s = (s & ~Csrs.MSTATUS_MPIE) | ((s & Csrs.MSTATUS_MIE) != 0 ? Csrs.MSTATUS_MPIE : 0);
        s &= ~Csrs.MSTATUS_MIE;
        s = (s & ~Csrs.MSTATUS_MPP) | ((long) priv << Csrs.MSTATUS_MPP_SHIFT);
        c.mstatus = s;
        c.setPrivilege(Csrs.PRIV_M);
        if (firmwareless) {
            lastMachineTrapCause = causeValue;
            machineTrapCount++;
        }
        return vector(c.mtvec, cause, interrupt);
    }

    private static long vector(long tvec, int cause, boolean interrupt) {
        long base = tvec & ~3L;
        if ((tvec & 3) == 1 && interrupt) {
            return base + 4L * cause;
        }
        return base;
    }

    /** MRET: returns the new pc. */
    long mret() {
        Csrs c = csrs;
        long s = c.mstatus;
        int mpp = (int) ((s & Csrs.MSTATUS_MPP) >>> Csrs.MSTATUS_MPP_SHIFT);
        s = (s & ~Csrs.MSTATUS_MIE) | ((s & Csrs.MSTATUS_MPIE) != 0 ? Csrs.MSTATUS_MIE : 0);
        s |= Csrs.MSTATUS_MPIE;
        s &= ~Csrs.MSTATUS_MPP;
        if (mpp != Csrs.PRIV_M) {
            s &= ~Csrs.MSTATUS_MPRV;
        }
        c.mstatus = s;
        c.setPrivilege(mpp);
        return c.mepc;
    }

    /** SRET: returns the new pc. */
    long sret() {
        Csrs c = csrs;
        long s = c.mstatus;
        int spp = (s & Csrs.MSTATUS_SPP) != 0 ? Csrs.PRIV_S : Csrs.PRIV_U;
        s = (s & ~Csrs.MSTATUS_SIE) | ((s & Csrs.MSTATUS_SPIE) != 0 ? Csrs.MSTATUS_SIE : 0);
        s |= Csrs.MSTATUS_SPIE;
        s &= ~Csrs.MSTATUS_SPP;
        s &= ~Csrs.MSTATUS_MPRV;
        c.mstatus = s;
        c.setPrivilege(spp);
        return c.sepc;
    }

    /**
     * The interrupt to take now given pending-and-enabled bits, or -1. Priority: MEI, MSI, MTI,
     * SEI, SSI, STI; interrupts destined for M-mode come before those for S-mode.
     */
    int selectInterrupt(long pendingEnabled) {
        if (pendingEnabled == 0) {
            return -1;
        }
        Csrs c = csrs;
        int priv = c.priv;
        long mstatus = c.mstatus;
        long toM = pendingEnabled & ~c.mideleg;
        boolean mEnabled = priv < Csrs.PRIV_M || (mstatus & Csrs.MSTATUS_MIE) != 0;
        if (mEnabled && toM != 0) {
            return highestPriority(toM);
        }
        long toS = pendingEnabled & c.mideleg;
        boolean sEnabled = priv < Csrs.PRIV_S || (priv == Csrs.PRIV_S && (mstatus & Csrs.MSTATUS_SIE) != 0);
        if (sEnabled && toS != 0) {
            return highestPriority(toS);
        }
        return -1;
    }

    private static final int[] PRIORITY = {
        IRQ_M_EXTERNAL, IRQ_M_SOFTWARE, IRQ_M_TIMER, IRQ_S_EXTERNAL, IRQ_S_SOFTWARE, IRQ_S_TIMER
    };

    private static int highestPriority(long bits) {
        for (int irq : PRIORITY) {
            if (((bits >>> irq) & 1) != 0) {
                return irq;
            }
        }
        return -1;
    }
}

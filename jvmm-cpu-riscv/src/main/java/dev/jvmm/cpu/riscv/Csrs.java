package dev.jvmm.cpu.riscv;

import dev.jvmm.memory.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Control and status registers and the current privilege level. Reads and writes go through
 * one switch on the CSR number; masks are named as in the privileged specification. Access
 * rules (privilege in bits 9:8, read-only in bits 11:10, TVM, counter enables, FS) raise
 * illegal instruction through {@link Traps}.
 */
final class Csrs {

    static final int PRIV_U = 0;
    static final int PRIV_S = 1;
    static final int PRIV_M = 3;

    // ---- mstatus fields ----
    static final long MSTATUS_SIE = 1L << 1;
    static final long MSTATUS_MIE = 1L << 3;
    static final long MSTATUS_SPIE = 1L << 5;
    static final long MSTATUS_UBE = 1L << 6;
    static final long MSTATUS_MPIE = 1L << 7;
    static final long MSTATUS_SPP = 1L << 8;
    static final long MSTATUS_VS = 3L << 9;
    static final int MSTATUS_MPP_SHIFT = 11;
    static final long MSTATUS_MPP = 3L << MSTATUS_MPP_SHIFT;
    static final int MSTATUS_FS_SHIFT = 13;
    static final long MSTATUS_FS = 3L << MSTATUS_FS_SHIFT;
    static final long MSTATUS_XS = 3L << 15;
    static final long MSTATUS_MPRV = 1L << 17;
    static final long MSTATUS_SUM = 1L << 18;
    static final long MSTATUS_MXR = 1L << 19;
    static final long MSTATUS_TVM = 1L << 20;
    static final long MSTATUS_TW = 1L << 21;
    static final long MSTATUS_TSR = 1L << 22;
    static final long MSTATUS_UXL = 3L << 32;
    static final long MSTATUS_SXL = 3L << 34;
    static final long MSTATUS_SD = 1L << 63;

    static final long FS_OFF = 0;
    static final long FS_DIRTY = MSTATUS_FS;

    /** XLEN fields fixed at 64 bits. */
    static final long MSTATUS_XL_64 = (2L << 32) | (2L << 34);

    static final long MSTATUS_WRITE_MASK = MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP
            | MSTATUS_MPP | MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW
            | MSTATUS_TSR;
    static final long SSTATUS_READ_MASK = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_UBE | MSTATUS_SPP | MSTATUS_VS
            | MSTATUS_FS | MSTATUS_XS | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_UXL | MSTATUS_SD;
    static final long SSTATUS_WRITE_MASK = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_SUM
            | MSTATUS_MXR;

    // ---- interrupt bits ----
    static final long MIP_SSIP = 1L << 1;
    static final long MIP_MSIP = 1L << 3;
    static final long MIP_STIP = 1L << 5;
    static final long MIP_MTIP = 1L << 7;
    static final long MIP_SEIP = 1L << 9;
    static final long MIP_MEIP = 1L << 11;
    static final long ALL_INTERRUPTS = MIP_SSIP | MIP_MSIP | MIP_STIP | MIP_MTIP | MIP_SEIP | MIP_MEIP;
    static final long S_INTERRUPTS = MIP_SSIP | MIP_STIP | MIP_SEIP;
    /** mip bits M-mode software may write (the rest follow hardware lines). */
    static final long MIP_WRITE_MASK = MIP_SSIP | MIP_STIP | MIP_SEIP;
    static final long MIDELEG_MASK = S_INTERRUPTS;
    /** Delegable exceptions: all but ECALL from M and the reserved causes 10 and 14. */
    static final long MEDELEG_MASK = 0xB3FFL;

    static final long MISA = (2L << 62) | (1 << 0) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8) | (1 << 12)
            | (1 << 18) | (1 << 20);

    // ---- satp ----
    static final int SATP_MODE_SHIFT = 60;
    static final long SATP_MODE_BARE = 0;
    static final long SATP_MODE_SV39 = 8;
    static final long SATP_MODE_SV48 = 9;
    static final long SATP_PPN_MASK = (1L << 44) - 1;
    static final long SATP_ASID_MASK = 0xFFFFL << 44;

    // ---- CSR numbers ----
    static final int FFLAGS = 0x001;
    static final int FRM = 0x002;
    static final int FCSR = 0x003;
    static final int CYCLE = 0xC00;
    static final int TIME = 0xC01;
    static final int INSTRET = 0xC02;
    static final int HPMCOUNTER31 = 0xC1F;
    static final int SSTATUS = 0x100;
    static final int SIE = 0x104;
    static final int STVEC = 0x105;
    static final int SCOUNTEREN = 0x106;
    static final int SENVCFG = 0x10A;
    static final int SSCRATCH = 0x140;
    static final int SEPC = 0x141;
    static final int SCAUSE = 0x142;
    static final int STVAL = 0x143;
    static final int SIP = 0x144;
    static final int SATP = 0x180;
    static final int MVENDORID = 0xF11;
    static final int MARCHID = 0xF12;
    static final int MIMPID = 0xF13;
    static final int MHARTID = 0xF14;
    static final int MCONFIGPTR = 0xF15;
    static final int MSTATUS = 0x300;
    static final int MISA_CSR = 0x301;
    static final int MEDELEG = 0x302;
    static final int MIDELEG = 0x303;
    static final int MIE = 0x304;
    static final int MTVEC = 0x305;
    static final int MCOUNTEREN = 0x306;
    static final int MENVCFG = 0x30A;
    static final int MCOUNTINHIBIT = 0x320;
    static final int MHPMEVENT3 = 0x323;
    static final int MHPMEVENT31 = 0x33F;
    static final int MSCRATCH = 0x340;
    static final int MEPC = 0x341;
    static final int MCAUSE = 0x342;
    static final int MTVAL = 0x343;
    static final int MIP = 0x344;
    static final int PMPCFG0 = 0x3A0;
    static final int PMPCFG15 = 0x3AF;
    static final int PMPADDR0 = 0x3B0;
    static final int PMPADDR63 = 0x3EF;
    static final int MCYCLE = 0xB00;
    static final int MINSTRET = 0xB02;
    static final int MHPMCOUNTER3 = 0xB03;
    static final int MHPMCOUNTER31 = 0xB1F;

    private final int hartId;
    private final Clock clock;
    private final Fpu fpu;
    private final Pmp pmp;
    private Mmu mmu;
    private Traps traps;

    int priv = PRIV_M;
    long mstatus;
    long medeleg;
    long mideleg;
    long mie;
    long mtvec;
    long mscratch;
    long mepc;
    long mcause;
    long mtval;
    long stvec;
    long sscratch;
    long sepc;
    long scause;
    long stval;
    long satp;
    long mcounteren;
    long scounteren;
    long mcountinhibit;
    int frm;

    /** Instructions retired; the interpreter increments it. */
    long instret;
    /** mcycle and minstret minus {@link #instret} (they are counted together but written apart). */
    long cycleOffset;
    long instretOffset;

    /** mip bits written by software (CSR writes, or firmware via postInterrupt). */
    final AtomicLong softwarePending = new AtomicLong();
    /** mip bits driven by interrupt lines. */
    final AtomicLong externalPending = new AtomicLong();

    Csrs(int hartId, Clock clock, Fpu fpu, Pmp pmp) {
        this.hartId = hartId;
        this.clock = clock;
        this.fpu = fpu;
        this.pmp = pmp;
    }

    void attach(Mmu mmu, Traps traps) {
        this.mmu = mmu;
        this.traps = traps;
    }

    void reset() {
        priv = PRIV_M;
        mstatus = MSTATUS_XL_64;
        medeleg = 0;
        mideleg = 0;
        mie = 0;
        mtvec = 0;
        mscratch = 0;
        mepc = 0;
        mcause = 0;
        mtval = 0;
        stvec = 0;
        sscratch = 0;
        sepc = 0;
        scause = 0;
        stval = 0;
        satp = 0;
        mcounteren = 0;
        scounteren = 0;
        mcountinhibit = 0;
        frm = 0;
        fpu.flags = 0;
        softwarePending.set(0);
        pmp.reset();
        mmu.flushAll();
        mmu.selectSets();
    }

    void setPrivilege(int p) {
        if (p != priv) {
            priv = p;
            mmu.selectSets();
        }
    }

    /** The architectural mip: software-written bits OR lines. */
    long mip() {
        return (softwarePending.get() | externalPending.get()) & ALL_INTERRUPTS;
    }

    long pendingEnabled() {
        return mip() & mie;
    }

    long readMstatus() {
        long s = mstatus;
        if ((s & MSTATUS_FS) == MSTATUS_FS) {
            s |= MSTATUS_SD;
        }
        return s;
    }

    void writeMstatus(long value) {
        long old = mstatus;
        long v = (old & ~MSTATUS_WRITE_MASK) | (value & MSTATUS_WRITE_MASK);
        if (((v & MSTATUS_MPP) >>> MSTATUS_MPP_SHIFT) == 2) { // reserved MPP: keep the old value
            v = (v & ~MSTATUS_MPP) | (old & MSTATUS_MPP);
        }
        mstatus = v;
        mmu.onStatusChange(old, v);
    }

    boolean fpEnabled() {
        return (mstatus & MSTATUS_FS) != FS_OFF;
    }

    void markFpDirty() {
        mstatus |= FS_DIRTY;
    }

    /** Whether {@code csr} access at the current privilege is allowed by the counter enables. */
    private boolean counterEnabled(int csr) {
        int bit = csr & 31;
        if (priv == PRIV_M) {
            return true;
        }
        if (((mcounteren >>> bit) & 1) == 0) {
            return false;
        }
        return priv == PRIV_S || ((scounteren >>> bit) & 1) != 0;
    }

    private void checkAccess(int csr, boolean write, int insn) {
        int minPriv = (csr >>> 8) & 3;
        if (priv < minPriv || (write && (csr >>> 10) == 3)) {
            throw traps.illegal(insn);
        }
    }

    /** CSR read as a CSR instruction performs it; throws illegal instruction for bad access. */
    long read(int csr, int insn) {
        checkAccess(csr, false, insn);
        switch (csr) {
            case FFLAGS, FRM, FCSR -> {
                if (!fpEnabled()) {
                    throw traps.illegal(insn);
                }
                return switch (csr) {
                    case FFLAGS -> fpu.flags & 0x1f;
                    case FRM -> frm;
                    default -> (frm << 5) | (fpu.flags & 0x1f);
                };
            }
            case SSTATUS -> {
                return readMstatus() & SSTATUS_READ_MASK;
            }
            case SIE -> {
                return mie & mideleg;
            }
            case STVEC -> {
                return stvec;
            }
            case SCOUNTEREN -> {
                return scounteren;
            }
            case SENVCFG, MENVCFG, MCONFIGPTR, MVENDORID, MARCHID, MIMPID -> {
                return 0;
            }
            case SSCRATCH -> {
                return sscratch;
            }
            case SEPC -> {
                return sepc;
            }
            case SCAUSE -> {
                return scause;
            }
            case STVAL -> {
                return stval;
            }
            case SIP -> {
                return mip() & mideleg;
            }
            case SATP -> {
                if (priv == PRIV_S && (mstatus & MSTATUS_TVM) != 0) {
                    throw traps.illegal(insn);
                }
                return satp;
            }
            case MHARTID -> {
                return hartId;
            }
            case MSTATUS -> {
                return readMstatus();
            }
            case MISA_CSR -> {
                return MISA;
            }
            case MEDELEG -> {
                return medeleg;
            }
            case MIDELEG -> {
                return mideleg;
            }
            case MIE -> {
                return mie;
            }
            case MTVEC -> {
                return mtvec;
            }
            case MCOUNTEREN -> {
                return mcounteren;
            }
            case MCOUNTINHIBIT -> {
                return mcountinhibit;
            }
            case MSCRATCH -> {
                return mscratch;
            }
            case MEPC -> {
                return mepc;
            }
            case MCAUSE -> {
                return mcause;
            }
            case MTVAL -> {
                return mtval;
            }
            case MIP -> {
                return mip();
            }
            case MCYCLE -> {
                return instret + cycleOffset;
            }
            case MINSTRET -> {
                return instret + instretOffset;
            }
            default -> {
                if (csr >= CYCLE && csr <= HPMCOUNTER31) {
                    if (!counterEnabled(csr)) {
                        throw traps.illegal(insn);
                    }
                    return switch (csr) {
                        case CYCLE -> instret + cycleOffset;
                        case TIME -> clock.ticks();
                        case INSTRET -> instret + instretOffset;
                        default -> 0;
                    };
                }
                if ((csr >= MHPMCOUNTER3 && csr <= MHPMCOUNTER31) || (csr >= MHPMEVENT3 && csr <= MHPMEVENT31)) {
                    return 0;
                }
                if (csr >= PMPCFG0 && csr <= PMPCFG15 && (csr & 1) == 0) {
                    return pmp.readCfg(csr - PMPCFG0);
                }
                if (csr >= PMPADDR0 && csr <= PMPADDR63) {
                    return pmp.readAddr(csr - PMPADDR0);
                }
                throw traps.illegal(insn);
            }
        }
    }

    /** CSR write as a CSR instruction performs it; throws illegal instruction for bad access. */
    void write(int csr, long value, int insn) {
        checkAccess(csr, true, insn);
        switch (csr) {
            case FFLAGS, FRM, FCSR -> {
                if (!fpEnabled()) {
                    throw traps.illegal(insn);
                }
                switch (csr) {
                    case FFLAGS -> fpu.flags = (int) value & 0x1f;
                    case FRM -> frm = (int) value & 7;
                    default -> {
                        fpu.flags = (int) value & 0x1f;
                        frm = (int) (value >>> 5) & 7;
                    }
                }
                markFpDirty();
            }
            case SSTATUS -> writeMstatus((mstatus & ~SSTATUS_WRITE_MASK) | (value & SSTATUS_WRITE_MASK));
            case SIE -> mie = (mie & ~mideleg) | (value & mideleg);
            case STVEC -> stvec = legalTvec(value);
            case SCOUNTEREN -> scounteren = value & 0xffffffffL;
            case SENVCFG, MENVCFG, MCOUNTINHIBIT -> {
                // Fields not supported read as zero; inhibit is accepted and ignored.
                if (csr == MCOUNTINHIBIT) {
                    mcountinhibit = value & 0xfffffffdL;
                }
            }
            case SSCRATCH -> sscratch = value;
            case SEPC -> sepc = value & ~1L;
            case SCAUSE -> scause = value;
            case STVAL -> stval = value;
            case SIP -> {
                long mask = MIP_SSIP & mideleg;
                updateSoftwarePending(mask, value);
            }
            case SATP -> {
                if (priv == PRIV_S && (mstatus & MSTATUS_TVM) != 0) {
                    throw traps.illegal(insn);
                }
                writeSatp(value);
            }
            case MSTATUS -> writeMstatus(value);
            case MISA_CSR -> {
                // read-only: writes ignored
            }
            case MEDELEG -> medeleg = value & MEDELEG_MASK;
            case MIDELEG -> mideleg = value & MIDELEG_MASK;
            case MIE -> mie = value & ALL_INTERRUPTS;
            case MTVEC -> mtvec = legalTvec(value);
            case MCOUNTEREN -> mcounteren = value & 0xffffffffL;
            case MSCRATCH -> mscratch = value;
            case MEPC -> mepc = value & ~1L;
            case MCAUSE -> mcause = value;
            case MTVAL -> mtval = value;
            case MIP -> updateSoftwarePending(MIP_WRITE_MASK, value);
            case MCYCLE -> cycleOffset = value - instret;
            case MINSTRET -> instretOffset = value - instret;
            default -> {
                if ((csr >= MHPMCOUNTER3 && csr <= MHPMCOUNTER31) || (csr >= MHPMEVENT3 && csr <= MHPMEVENT31)) {
                    return; // read-only zero
                }
                if (csr >= PMPCFG0 && csr <= PMPCFG15 && (csr & 1) == 0) {
                    pmp.writeCfg(csr - PMPCFG0, value);
                    mmu.flushAll();
                    return;
                }
                if (csr >= PMPADDR0 && csr <= PMPADDR63) {
                    pmp.writeAddr(csr - PMPADDR0, value);
                    mmu.flushAll();
                    return;
                }
                throw traps.illegal(insn);
            }
        }
    }

    /**
     * The value a CSRRS/CSRRC instruction sets or clears bits in, given what the read returned.
     * For mip and sip that is the software-writable bits alone: a read ORs the interrupt lines
     * in (SEIP from the PLIC), but the privileged spec leaves the line out of the
     * read-modify-write, so firmware doing {@code csrs mip, STIP} while the PLIC holds SEIP high
     * must not latch SEIP into the writable bit (which S-mode could then never clear).
     */
    long readModifyBase(int csr, long readValue) {
        return switch (csr) {
            case MIP -> (readValue & ~MIP_WRITE_MASK) | (softwarePending.get() & MIP_WRITE_MASK);
            case SIP -> (readValue & ~MIP_WRITE_MASK) | (softwarePending.get() & MIP_WRITE_MASK & mideleg);
            default -> readValue;
        };
    }

    private void updateSoftwarePending(long mask, long value) {
        softwarePending.getAndUpdate(old -> (old & ~mask) | (value & mask));
    }

    private static long legalTvec(long value) {
        long mode = value & 3;
        return (value & ~3L) | (mode >= 2 ? 0 : mode);
    }

    void writeSatp(long value) {
        long mode = value >>> SATP_MODE_SHIFT;
        if (mode != SATP_MODE_BARE && mode != SATP_MODE_SV39 && mode != SATP_MODE_SV48) {
            return; // WARL: unsupported modes leave satp unchanged
        }
        satp = mode == SATP_MODE_BARE ? 0 : value & ((0xFL << 60) | SATP_ASID_MASK | SATP_PPN_MASK);
        mmu.flushAll();
    }
}

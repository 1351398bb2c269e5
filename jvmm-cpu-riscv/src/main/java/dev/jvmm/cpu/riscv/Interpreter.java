package dev.jvmm.cpu.riscv;

import dev.jvmm.memory.DirectRam;
import dev.jvmm.memory.GuestMemory;
import java.lang.invoke.VarHandle;

/**
 * The hot loop: fetch (through a cached current code page), expand compressed parcels,
 * execute RV64IMA + Zicsr/Zifencei and the privileged instructions; F/D go to
 * {@link FloatUnit}. Exceptions are thrown as {@link Traps.Trap} and entered at the end of
 * the instruction that raised them.
 */
final class Interpreter {

    /** Zihintpause: FENCE with predecessor W and nothing else. */
    private static final int PAUSE = 0x0100000f;

    final long[] x = new long[32];
    long pc;

    private final Csrs csrs;
    private final Mmu mmu;
    private final Traps traps;
    final FloatUnit fp;
    private final DirectRam code;

    // The current code page: va >>> 12 and the offset to add to a va for its segment offset.
    private long codeTag = -1;
    private long codeAdd;
    private int codeEpoch;

    /** Set by instructions after which pending interrupts and cached state must be rechecked (read by the JIT's dispatcher). */
    boolean breakBlock;
    /** Set by WFI when nothing is pending. */
    boolean waiting;

    /**
     * The translator's engine only (null otherwise): heat of taken-jump targets, indexed by
     * {@code (target >>> 1) & (length - 1)}; see {@link #jumped}.
     */
    int[] jumpHeat;
    /** A jump target whose heat reaches this stops the run (with {@link #breakBlock} and {@link #atWarmTarget}). */
    int jumpHeatThreshold = Integer.MAX_VALUE;
    /** Set with breakBlock when a taken jump reached a warm (or decoded) target. */
    boolean atWarmTarget;

    // LR/SC reservation (physical address, width and the value LR saw).
    private long reservationAddress = -1;
    private int reservationSize;
    private long reservationValue;

    SupervisorCallHandler supervisorCallHandler;
    private final Hart hart;

    Interpreter(Hart hart, Csrs csrs, Mmu mmu, Traps traps, FloatUnit fp) {
        this.hart = hart;
        this.csrs = csrs;
        this.mmu = mmu;
        this.traps = traps;
        this.fp = fp;
        this.code = mmu.direct;
    }

    void reset() {
        java.util.Arrays.fill(x, 0);
        codeTag = -1;
        waiting = false;
        atWarmTarget = false;
        reservationAddress = -1;
    }

    /** Under the translator: count taken jumps in {@code heat} and stop at targets reaching {@code threshold}; null stops counting. */
    void profileJumps(int[] heat, int threshold) {
        jumpHeat = heat;
        jumpHeatThreshold = heat != null ? threshold : Integer.MAX_VALUE;
        atWarmTarget = false;
    }

    void invalidateCode() {
        codeTag = -1;
    }

    /**
     * After a state restore: forgets the cached code page and drops the LR reservation (an SC
     * may always fail spuriously, so a restored hart loses nothing it could rely on).
     */
    void forgetCachedState() {
        codeTag = -1;
        reservationAddress = -1;
        breakBlock = false;
    }

    /** Enters the handler for interrupt {@code irq} before the instruction at pc. */
    void takeInterrupt(int irq) {
        reservationAddress = -1;
        pc = traps.enter(irq, true, 0, pc);
        codeTag = -1;
    }

    /** Executes up to {@code n} instructions; returns how many were attempted. */
    int runBlock(int n) {
        if (mmu.fetchEpoch != codeEpoch) {
            codeEpoch = mmu.fetchEpoch;
            codeTag = -1;
        }
        breakBlock = false;
        Csrs c = csrs;
        int i = 0;
        try {
            while (i < n) {
                step();
                i++;
                c.instret++;
                if (breakBlock) {
                    return i;
                }
            }
        } catch (Traps.Trap t) {
            enterTrap(t);
            i++;
        }
        return i;
    }

    /** Enters the handler for exception {@code t} raised by the instruction at pc (also used by translated code). */
    void enterTrap(Traps.Trap t) {
        reservationAddress = -1;
        pc = traps.enter(t.cause, false, t.tval, pc);
        codeTag = -1;
    }

    private int fetch(long pc) {
        // A 4-byte read must stay inside the page (pc is even unless the host set it odd).
        if ((pc >>> 12) == codeTag && (pc & 0xfff) <= 0xffc) {
            return code.load32(pc + codeAdd);
        }
        return fetchSlow(pc);
    }

    private int fetchSlow(long pc) {
        long add = mmu.fetchPageAdd(pc);
        if (add != Long.MIN_VALUE) {
            codeTag = pc >>> 12;
            codeAdd = add;
            if ((pc & 0xfff) <= 0xffc) {
                return code.load32(pc + add);
            }
        }
        int low = mmu.fetchParcel(pc);
        if ((low & 3) != 3) {
            return low;
        }
        return low | (mmu.fetchParcel(pc + 2) << 16);
    }

    private void step() {
        long pc = this.pc;
        int insn = fetch(pc);
        long npc;
        int bits = insn; // the raw encoding, for mtval
        if ((insn & 3) != 3) {
            bits = insn & 0xffff;
            insn = Decoder.expandCompressed(bits);
            if (insn == 0) {
                throw traps.illegal(bits);
            }
            npc = pc + 2;
        } else {
            npc = pc + 4;
        }
        long[] x = this.x;
        int rd = (insn >>> 7) & 31;
        int rs1 = (insn >>> 15) & 31;
        switch (insn & 0x7f) {
            case 0x37 -> { // LUI
                if (rd != 0) {
                    x[rd] = insn & 0xfffff000;
                }
                this.pc = npc;
            }
            case 0x17 -> { // AUIPC
                if (rd != 0) {
                    x[rd] = pc + (insn & 0xfffff000);
                }
                this.pc = npc;
            }
            case 0x6f -> { // JAL
                if (rd != 0) {
                    x[rd] = npc;
                }
                long target = pc + Decoder.immJ(insn);
                this.pc = target;
                jumped(target);
            }
            case 0x67 -> { // JALR
                if (((insn >>> 12) & 7) != 0) {
                    throw traps.illegal(insn);
                }
                long target = (x[rs1] + (insn >> 20)) & ~1L;
                if (rd != 0) {
                    x[rd] = npc;
                }
                this.pc = target;
                jumped(target);
            }
            case 0x63 -> branch(insn, pc, npc);
            case 0x03 -> load(insn, rd, rs1, npc);
            case 0x23 -> store(insn, rs1, npc);
            case 0x13 -> opImm(insn, rd, rs1, npc);
            case 0x1b -> opImm32(insn, rd, rs1, npc);
            case 0x33 -> op(insn, rd, rs1, npc);
            case 0x3b -> op32(insn, rd, rs1, npc);
            case 0x0f -> miscMem(insn, npc);
            case 0x73 -> system(insn, rd, rs1, pc, npc);
            case 0x2f -> amo(insn, rd, rs1, npc);
            case 0x07, 0x27, 0x43, 0x47, 0x4b, 0x4f, 0x53 -> {
                fp.execute(insn, bits, x);
                this.pc = npc;
            }
            default -> throw traps.illegal(bits);
        }
    }

    // Below, compressed expansions are always valid encodings, so an illegal encoding is a
    // 32-bit instruction and insn is its raw bits.

    private void branch(int insn, long pc, long npc) {
        long a = x[(insn >>> 15) & 31];
        long b = x[(insn >>> 20) & 31];
        boolean taken = switch ((insn >>> 12) & 7) {
            case 0 -> a == b;
            case 1 -> a != b;
            case 4 -> a < b;
            case 5 -> a >= b;
            case 6 -> Long.compareUnsigned(a, b) < 0;
            case 7 -> Long.compareUnsigned(a, b) >= 0;
            default -> throw traps.illegal(insn);
        };
        if (taken) {
            long target = pc + Decoder.immB(insn);
            this.pc = target;
            jumped(target);
        } else {
            this.pc = npc;
        }
    }

    /**
     * Under the translator: counts a taken jump to {@code target} and ends the run there when
     * the target is warm or already decoded (the runtime marks those above the threshold),
     * so cold code runs here in long stretches and the runtime looks for decoded or compiled
     * blocks only where control flow can enter them.
     */
    private void jumped(long target) {
        int[] heat = jumpHeat;
        if (heat != null) {
            int i = (int) (target >>> 1) & (heat.length - 1);
            int h = heat[i] + 1;
            heat[i] = h;
            if (h >= jumpHeatThreshold) {
                atWarmTarget = true;
                breakBlock = true;
            }
        }
    }

    private void load(int insn, int rd, int rs1, long npc) {
        long va = x[rs1] + (insn >> 20);
        Mmu m = mmu;
        long v = switch ((insn >>> 12) & 7) {
            case 0 -> m.load8(va);
            case 1 -> m.load16(va);
            case 2 -> m.load32(va);
            case 3 -> m.load64(va);
            case 4 -> m.load8(va) & 0xffL;
            case 5 -> m.load16(va) & 0xffffL;
            case 6 -> m.load32(va) & 0xffffffffL;
            default -> throw traps.illegal(insn);
        };
        if (rd != 0) {
            x[rd] = v;
        }
        this.pc = npc;
    }

    private void store(int insn, int rs1, long npc) {
        long va = x[rs1] + Decoder.immS(insn);
        long v = x[(insn >>> 20) & 31];
        Mmu m = mmu;
        switch ((insn >>> 12) & 7) {
            case 0 -> m.store8(va, (byte) v);
            case 1 -> m.store16(va, (short) v);
            case 2 -> m.store32(va, (int) v);
            case 3 -> m.store64(va, v);
            default -> throw traps.illegal(insn);
        }
        this.pc = npc;
    }

    private void opImm(int insn, int rd, int rs1, long npc) {
        long a = x[rs1];
        long imm = insn >> 20;
        long v = switch ((insn >>> 12) & 7) {
            case 0 -> a + imm;
            case 1 -> {
                if ((insn >>> 26) != 0) {
                    throw traps.illegal(insn);
                }
                yield a << (imm & 63);
            }
            case 2 -> a < imm ? 1 : 0;
            case 3 -> Long.compareUnsigned(a, imm) < 0 ? 1 : 0;
            case 4 -> a ^ imm;
            case 5 -> {
                int f6 = insn >>> 26;
                if (f6 == 0) {
                    yield a >>> (imm & 63);
                } else if (f6 == 0x10) {
                    yield a >> (imm & 63);
                }
                throw traps.illegal(insn);
            }
            case 6 -> a | imm;
            default -> a & imm;
        };
        if (rd != 0) {
            x[rd] = v;
        }
        this.pc = npc;
    }

    private void opImm32(int insn, int rd, int rs1, long npc) {
        int a = (int) x[rs1];
        int f7 = insn >>> 25;
        int shamt = (insn >>> 20) & 31;
        long v = switch ((insn >>> 12) & 7) {
            case 0 -> a + (insn >> 20);
            case 1 -> {
                if (f7 != 0) {
                    throw traps.illegal(insn);
                }
                yield a << shamt;
            }
            case 5 -> {
                if (f7 == 0) {
                    yield a >>> shamt;
                } else if (f7 == 0x20) {
                    yield a >> shamt;
                }
                throw traps.illegal(insn);
            }
            default -> throw traps.illegal(insn);
        };
        if (rd != 0) {
            x[rd] = (int) v;
        }
        this.pc = npc;
    }

    private void op(int insn, int rd, int rs1, long npc) {
        long a = x[rs1];
        long b = x[(insn >>> 20) & 31];
        int f3 = (insn >>> 12) & 7;
        long v;
        switch (insn >>> 25) {
            case 0 -> v = switch (f3) {
                case 0 -> a + b;
                case 1 -> a << (b & 63);
                case 2 -> a < b ? 1 : 0;
                case 3 -> Long.compareUnsigned(a, b) < 0 ? 1 : 0;
                case 4 -> a ^ b;
                case 5 -> a >>> (b & 63);
                case 6 -> a | b;
                default -> a & b;
            };
            case 0x20 -> {
                if (f3 == 0) {
                    v = a - b;
                } else if (f3 == 5) {
                    v = a >> (b & 63);
                } else {
                    throw traps.illegal(insn);
                }
            }
            case 1 -> v = multiplyDivide(f3, a, b);
            default -> throw traps.illegal(insn);
        }
        if (rd != 0) {
            x[rd] = v;
        }
        this.pc = npc;
    }

    static long multiplyDivide(int f3, long a, long b) {
        return switch (f3) {
            case 0 -> a * b;
            case 1 -> Math.multiplyHigh(a, b);
            case 2 -> Math.multiplyHigh(a, b) + (b < 0 ? a : 0); // MULHSU
            case 3 -> Math.unsignedMultiplyHigh(a, b);
            case 4 -> b == 0 ? -1 : a / b; // MIN / -1 == MIN in Java, as RISC-V wants
            case 5 -> b == 0 ? -1 : Long.divideUnsigned(a, b);
            case 6 -> b == 0 ? a : a % b;
            default -> b == 0 ? a : Long.remainderUnsigned(a, b);
        };
    }

    /** MULW, DIVW, DIVUW, REMW, REMUW by funct3 (0, 4-7). */
    static int multiplyDivide32(int f3, int a, int b) {
        return switch (f3) {
            case 0 -> a * b;
            case 4 -> b == 0 ? -1 : a / b;
            case 5 -> b == 0 ? -1 : Integer.divideUnsigned(a, b);
            case 6 -> b == 0 ? a : a % b;
            default -> b == 0 ? a : Integer.remainderUnsigned(a, b);
        };
    }

    private void op32(int insn, int rd, int rs1, long npc) {
        int a = (int) x[rs1];
        int b = (int) x[(insn >>> 20) & 31];
        int f3 = (insn >>> 12) & 7;
        int v;
        switch (insn >>> 25) {
            case 0 -> {
                switch (f3) {
                    case 0 -> v = a + b;
                    case 1 -> v = a << (b & 31);
                    case 5 -> v = a >>> (b & 31);
                    default -> throw traps.illegal(insn);
                }
            }
            case 0x20 -> {
                switch (f3) {
                    case 0 -> v = a - b;
                    case 5 -> v = a >> (b & 31);
                    default -> throw traps.illegal(insn);
                }
            }
            case 1 -> {
                if (f3 != 0 && f3 < 4) {
                    throw traps.illegal(insn);
                }
                v = multiplyDivide32(f3, a, b);
            }
            default -> throw traps.illegal(insn);
        }
        if (rd != 0) {
            x[rd] = v;
        }
        this.pc = npc;
    }

    private void miscMem(int insn, long npc) {
        switch ((insn >>> 12) & 7) {
            case 0 -> {
                if (insn == PAUSE) {
                    Thread.onSpinWait();
                } else {
                    VarHandle.fullFence(); // FENCE, FENCE.TSO
                }
            }
            case 1 -> { // FENCE.I: forget the cached code page (and any translations)
                codeTag = -1;
                hart.instructionFence();
                breakBlock = true;
            }
            default -> throw traps.illegal(insn);
        }
        this.pc = npc;
    }

    private void system(int insn, int rd, int rs1, long pc, long npc) {
        int f3 = (insn >>> 12) & 7;
        if (f3 == 0) {
            privileged(insn, rd, rs1, pc, npc);
            return;
        }
        if (f3 == 4) {
            throw traps.illegal(insn);
        }
        int csr = insn >>> 20;
        long src = f3 >= 5 ? rs1 : x[rs1];
        int kind = f3 & 3; // 1 RW, 2 RS, 3 RC
        boolean write = kind == 1 || rs1 != 0;
        boolean read = kind != 1 || rd != 0;
        long old = read ? csrs.read(csr, insn) : 0;
        if (write) {
            long value = switch (kind) {
                case 1 -> src;
                case 2 -> csrs.readModifyBase(csr, old) | src;
                default -> csrs.readModifyBase(csr, old) & ~src;
            };
            csrs.write(csr, value, insn);
            breakBlock = true;
        }
        if (rd != 0) {
            x[rd] = old;
        }
        this.pc = npc;
    }

    private void privileged(int insn, int rd, int rs1, long pc, long npc) {
        int priv = csrs.priv;
        if ((insn >>> 25) == 0x09 && rd == 0) { // SFENCE.VMA
            if (priv == Csrs.PRIV_U || (priv == Csrs.PRIV_S && (csrs.mstatus & Csrs.MSTATUS_TVM) != 0)) {
                throw traps.illegal(insn);
            }
            // By address (rs1 != 0) or everything; ASIDs are not tracked, so rs2 is ignored.
            if (rs1 != 0) {
                mmu.flushPage(x[rs1]);
            } else {
                mmu.flushAll();
            }
            breakBlock = true;
            this.pc = npc;
            return;
        }
        switch (insn) {
            case 0x00000073 -> { // ECALL
                SupervisorCallHandler handler = supervisorCallHandler;
                if (priv == Csrs.PRIV_S && handler != null) {
                    this.pc = npc;
                    handler.onSupervisorCall(hart);
                    breakBlock = true;
                    return;
                }
                throw traps.raise(priv == Csrs.PRIV_U ? Traps.ECALL_FROM_U
                        : priv == Csrs.PRIV_S ? Traps.ECALL_FROM_S : Traps.ECALL_FROM_M, 0);
            }
            case 0x00100073 -> throw traps.raise(Traps.BREAKPOINT, pc); // EBREAK
            case 0x10200073 -> { // SRET
                if (priv == Csrs.PRIV_U || (priv == Csrs.PRIV_S && (csrs.mstatus & Csrs.MSTATUS_TSR) != 0)) {
                    throw traps.illegal(insn);
                }
                this.pc = traps.sret();
                breakBlock = true;
            }
            case 0x30200073 -> { // MRET
                if (priv != Csrs.PRIV_M) {
                    throw traps.illegal(insn);
                }
                this.pc = traps.mret();
                breakBlock = true;
            }
            case 0x10500073 -> { // WFI
                if (priv == Csrs.PRIV_U || (priv == Csrs.PRIV_S && (csrs.mstatus & Csrs.MSTATUS_TW) != 0)) {
                    throw traps.illegal(insn);
                }
                this.pc = npc;
                if (csrs.pendingEnabled() == 0) {
                    waiting = true;
                }
                breakBlock = true;
            }
            default -> throw traps.illegal(insn);
        }
    }

    private void amo(int insn, int rd, int rs1, long npc) {
        long result = atomic(insn, x[rs1], x[(insn >>> 20) & 31]);
        if (rd != 0) {
            x[rd] = result;
        }
        this.pc = npc;
    }

    /**
     * Performs the A-extension instruction {@code insn} (AMO, LR or SC) on address {@code va}
     * with source operand {@code b}; returns the value for rd. Also used by translated code.
     */
    long atomic(int insn, long va, long b) {
        int f3 = (insn >>> 12) & 7;
        if (f3 != 2 && f3 != 3) {
            throw traps.illegal(insn);
        }
        boolean dword = f3 == 3;
        int size = dword ? 8 : 4;
        int f5 = insn >>> 27;
        GuestMemory ram = mmu.ram();
        long result;
        switch (f5) {
            case 0x02 -> { // LR
                if (((insn >>> 20) & 31) != 0) {
                    throw traps.illegal(insn);
                }
                long pa = mmu.translateAtomic(va, size, false);
                result = dword ? ram.atomicReadLong(pa) : ram.atomicReadInt(pa);
                reservationAddress = pa;
                reservationSize = size;
                reservationValue = result;
            }
            case 0x03 -> { // SC
                long pa = mmu.translateAtomic(va, size, true);
                boolean ok = false;
                if (reservationAddress == pa && reservationSize == size) {
                    if (dword) {
                        ok = ram.atomicCompareExchangeLong(pa, reservationValue, b) == reservationValue;
                    } else {
                        int expected = (int) reservationValue;
                        ok = ram.atomicCompareExchangeInt(pa, expected, (int) b) == expected;
                    }
                }
                reservationAddress = -1;
                result = ok ? 0 : 1;
            }
            case 0x00, 0x01, 0x04, 0x08, 0x0c, 0x10, 0x14, 0x18, 0x1c -> {
                long pa = mmu.translateAtomic(va, size, true);
                if (dword) {
                    long old = ram.atomicReadLong(pa);
                    while (true) {
                        long witness = ram.atomicCompareExchangeLong(pa, old, amoOp(f5, old, b));
                        if (witness == old) {
                            break;
                        }
                        old = witness;
                    }
                    result = old;
                } else {
                    int old = ram.atomicReadInt(pa);
                    while (true) {
                        int witness = ram.atomicCompareExchangeInt(pa, old, (int) amoOp32(f5, old, (int) b));
                        if (witness == old) {
                            break;
                        }
                        old = witness;
                    }
                    result = old;
                }
            }
            default -> throw traps.illegal(insn);
        }
        return result;
    }

    private static long amoOp(int f5, long a, long b) {
        return switch (f5) {
            case 0x00 -> a + b;
            case 0x01 -> b;
            case 0x04 -> a ^ b;
            case 0x0c -> a & b;
            case 0x08 -> a | b;
            case 0x10 -> Math.min(a, b);
            case 0x14 -> Math.max(a, b);
            case 0x18 -> Long.compareUnsigned(a, b) <= 0 ? a : b;
            default -> Long.compareUnsigned(a, b) >= 0 ? a : b;
        };
    }

    private static int amoOp32(int f5, int a, int b) {
        return switch (f5) {
            case 0x00 -> a + b;
            case 0x01 -> b;
            case 0x04 -> a ^ b;
            case 0x0c -> a & b;
            case 0x08 -> a | b;
            case 0x10 -> Math.min(a, b);
            case 0x14 -> Math.max(a, b);
            case 0x18 -> Integer.compareUnsigned(a, b) <= 0 ? a : b;
            default -> Integer.compareUnsigned(a, b) >= 0 ? a : b;
        };
    }
}

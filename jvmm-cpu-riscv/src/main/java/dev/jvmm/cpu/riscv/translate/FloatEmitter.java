package dev.jvmm.cpu.riscv.translate;

import static dev.jvmm.cpu.riscv.translate.RuntimeLinkage.*;
import static java.lang.constant.ConstantDescs.CD_boolean;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;

import dev.jvmm.cpu.riscv.Decoder;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.MethodTypeDesc;

/**
 * Emits the F and D instructions of one block or region, as the interpreter's {@code FloatUnit}
 * executes them: IEEE arithmetic is a call to the hart's {@code Fpu} instance (which accrues
 * fflags); bit operations, NaN-boxing and moves are inline. The f registers the code touches live
 * in long locals (loaded at entry, written back with the x registers at exits and before slow
 * paths).
 *
 * <p>Guards: mstatus.FS must not be Off before an FP instruction, and frm must be a valid rounding
 * mode before an instruction with the dynamic rounding mode. The caller decides where a guard is
 * needed (before the first such instruction on every path: see {@link Checks}); a failing guard
 * exits with the pc of that instruction and the count retired before it, so the interpreter raises
 * the illegal-instruction trap. FS becomes Dirty after an FP instruction that is not a store, where
 * the interpreter makes it Dirty; the caller marks it after the first such instruction on every
 * path. FS and frm cannot change inside translated code: CSR writes (other than to fflags) and
 * traps leave it.
 */
final class FloatEmitter {

    private static final long SIGN_S = 0x8000_0000L;
    private static final long SIGN_D = Long.MIN_VALUE;
    private static final long FS_MASK = 3L << 13;
    private static final int DYN = 7;
    private static final int FFLAGS_CSR = 0x001;
    private static final int FRM_CSR = 0x002;
    private static final int FCSR_CSR = 0x003;

    private static final MethodTypeDesc BINARY = MethodTypeDesc.of(CD_long, CD_int, CD_long, CD_long, CD_int);
    private static final MethodTypeDesc FMA = MethodTypeDesc.of(CD_long, CD_int, CD_long, CD_long, CD_long, CD_int);
    private static final MethodTypeDesc UNARY = MethodTypeDesc.of(CD_long, CD_int, CD_long, CD_int);
    private static final MethodTypeDesc COMPARE = MethodTypeDesc.of(CD_long, CD_int, CD_long, CD_long);
    private static final MethodTypeDesc CLASSIFY = MethodTypeDesc.of(CD_long, CD_int, CD_long);
    private static final MethodTypeDesc CONVERT = MethodTypeDesc.of(CD_long, CD_int, CD_int, CD_long, CD_int);
    private static final MethodTypeDesc INTEGER = MethodTypeDesc.of(CD_long, CD_int, CD_long, CD_int, CD_boolean,
            CD_boolean);
    private static final MethodTypeDesc BOXING = MethodTypeDesc.of(CD_long, CD_long);

    private final BlockContext ctx;
    private final int fBase;
    private final int fpuSlot;
    private final int csrsSlot;
    private final int fregsSlot;
    private final int frmSlot;
    private final int oldSlot; // long

    private final boolean[] used = new boolean[32];
    private final boolean[] written = new boolean[32];
    private boolean anyFloat;

    /** Facts about the FP state an instruction may rely on (bits of a data-flow value). */
    static final class Checks {
        /** mstatus.FS was found not Off. */
        static final int ENABLED = 1;
        /** frm was found valid (and is in its local). */
        static final int ROUNDING_MODE = 2;
        /** FS was made Dirty. */
        static final int DIRTY = 4;
        static final int ALL = ENABLED | ROUNDING_MODE | DIRTY;

        private Checks() {
        }

        /** The facts that hold after {@code insn} executes (it establishes those it needs or sets). */
        static int established(int insn) {
            if (!isFloat(insn)) {
                return 0;
            }
            int facts = ENABLED;
            if (needsRoundingMode(insn)) {
                facts |= ROUNDING_MODE;
            }
            if (dirties(insn)) {
                facts |= DIRTY;
            }
            return facts;
        }
    }

    /**
     * @param fBase the local slot of f0 (f1 at fBase + 2, ...)
     * @param temps the first of six free local slots
     */
    FloatEmitter(BlockContext ctx, int fBase, int temps) {
        this.ctx = ctx;
        this.fBase = fBase;
        this.fpuSlot = temps;
        this.csrsSlot = temps + 1;
        this.fregsSlot = temps + 2;
        this.frmSlot = temps + 3;
        this.oldSlot = temps + 4;
    }

    static boolean isFloat(int insn) {
        return switch (insn & 0x7f) {
            case 0x07, 0x27, 0x43, 0x47, 0x4b, 0x4f, 0x53 -> true;
            case 0x73 -> isFloatCsrAccess(insn);
            default -> false;
        };
    }

    /**
     * The CSR instructions translated here: every access to fflags (glibc saves and restores it
     * around quiet comparisons), and reads of frm and fcsr that write nothing (writes of frm
     * end the block, so frm is constant inside one).
     */
    static boolean isFloatCsrAccess(int insn) {
        int f3 = (insn >>> 12) & 7;
        if ((insn & 0x7f) != 0x73 || f3 == 0 || f3 == 4) {
            return false;
        }
        int csr = insn >>> 20;
        return csr == FFLAGS_CSR || ((csr == FRM_CSR || csr == FCSR_CSR) && !csrWrites(insn));
    }

    /** Whether a CSR instruction writes its CSR (as the interpreter decides). */
    private static boolean csrWrites(int insn) {
        return ((insn >>> 12) & 3) == 1 || Decoder.rs1(insn) != 0;
    }

    /**
     * Whether the interpreter accepts this F/D encoding (then it is translated): the same
     * checks as {@code FloatUnit}, except the FS and frm checks, which are guards at run time.
     */
    static boolean isTranslatable(int insn) {
        int f3 = (insn >>> 12) & 7;
        int rs2 = (insn >>> 20) & 31;
        int f7 = insn >>> 25;
        int fmt = f7 & 3;
        boolean rmOk = f3 != 5 && f3 != 6;
        return switch (insn & 0x7f) {
            case 0x07, 0x27 -> f3 == 2 || f3 == 3;
            case 0x43, 0x47, 0x4b, 0x4f -> fmt <= 1 && rmOk;
            case 0x53 -> fmt <= 1 && switch (f7 >>> 2) {
                case 0x00, 0x01, 0x02, 0x03 -> rmOk;
                case 0x0b -> rs2 == 0 && rmOk;
                case 0x04 -> f3 <= 2;
                case 0x05 -> f3 <= 1;
                case 0x08 -> rs2 <= 1 && rs2 != fmt && rmOk;
                case 0x14 -> f3 <= 2;
                case 0x18, 0x1a -> rs2 <= 3 && rmOk;
                case 0x1c -> rs2 == 0 && f3 <= 1;
                case 0x1e -> rs2 == 0 && f3 == 0;
                default -> false;
            };
            default -> false;
        };
    }

    /**
     * Notes the registers an instruction uses: f registers here, integer ones in {@code xUsed} and
     * {@code xWritten}. Returns the registers it writes: bit r for x{r}, bit 32 + r for f{r}.
     */
    long scan(int insn, boolean[] xUsed, boolean[] xWritten) {
        if (!isFloat(insn)) {
            return 0;
        }
        anyFloat = true;
        int op = insn & 0x7f;
        int rd = Decoder.rd(insn);
        int rs1 = Decoder.rs1(insn);
        int rs2 = Decoder.rs2(insn);
        if (op == 0x73) {
            xUsed[rs1] |= ((insn >>> 12) & 7) < 4;
            return writeX(rd, xUsed, xWritten);
        }
        switch (op) {
            case 0x07 -> {
                xUsed[rs1] = true;
                return writeF(rd);
            }
            case 0x27 -> {
                xUsed[rs1] = true;
                readF(rs2);
                return 0;
            }
            case 0x43, 0x47, 0x4b, 0x4f -> {
                readF(rs1);
                readF(rs2);
                readF(insn >>> 27);
                return writeF(rd);
            }
            default -> {
                switch (insn >>> 27) {
                    case 0x14 -> { // compare -> x
                        readF(rs1);
                        readF(rs2);
                        return writeX(rd, xUsed, xWritten);
                    }
                    case 0x18, 0x1c -> { // FCVT.int.fmt, FMV.X / FCLASS
                        readF(rs1);
                        return writeX(rd, xUsed, xWritten);
                    }
                    case 0x1a, 0x1e -> { // FCVT.fmt.int, FMV.fmt.X
                        xUsed[rs1] = true;
                        return writeF(rd);
                    }
                    case 0x08, 0x0b -> {
                        readF(rs1);
                        return writeF(rd);
                    }
                    default -> {
                        readF(rs1);
                        readF(rs2);
                        return writeF(rd);
                    }
                }
            }
        }
    }

    /** Whether {@code insn} (an FP instruction) reads frm: an arithmetic instruction with the dynamic rounding mode. */
    private static boolean needsRoundingMode(int insn) {
        return (insn & 0x7f) != 0x73 && usesRoundingMode(insn) && ((insn >>> 12) & 7) == DYN;
    }

    /** Whether the interpreter makes FS Dirty after {@code insn} (an FP instruction). */
    private static boolean dirties(int insn) {
        int op = insn & 0x7f;
        return op == 0x73 ? csrWrites(insn) : op != 0x27;
    }

    private static boolean usesRoundingMode(int insn) {
        return switch (insn & 0x7f) {
            case 0x43, 0x47, 0x4b, 0x4f -> true;
            case 0x53 -> switch (insn >>> 27) {
                case 0x00, 0x01, 0x02, 0x03, 0x0b, 0x08, 0x18, 0x1a -> true;
                default -> false;
            };
            default -> false;
        };
    }

    private void readF(int r) {
        used[r] = true;
    }

    private long writeF(int r) {
        used[r] = true; // loaded at entry too: exits before the write store it back unchanged
        written[r] = true;
        return 1L << (32 + r);
    }

    private static long writeX(int rd, boolean[] xUsed, boolean[] xWritten) {
        xUsed[rd] = true;
        xWritten[rd] = true;
        return rd == 0 ? 0 : 1L << rd;
    }

    /** Loads the runtime objects and the f registers the code uses (at its entry). */
    void prologue() {
        if (!anyFloat) {
            return;
        }
        CodeBuilder c = ctx.code();
        c.loadConstant(classData(CLASS_DATA_CSRS, CSRS)).astore(csrsSlot);
        c.loadConstant(classData(CLASS_DATA_FPU, FPU)).astore(fpuSlot);
        c.loadConstant(classData(CLASS_DATA_F, LONG_ARRAY)).astore(fregsSlot);
        c.iconst_0().istore(frmSlot);
        for (int r = 0; r < 32; r++) {
            if (used[r]) {
                c.aload(fregsSlot);
                iconst(r);
                c.laload().lstore(slot(r));
            }
        }
    }

    /** Stores the f registers of {@code mask} (bit r for f{r}) that the code writes back to the register file. */
    void writeBack(int mask) {
        CodeBuilder c = ctx.code();
        for (int r = 0; r < 32; r++) {
            if (written[r] && (mask & (1 << r)) != 0) {
                c.aload(fregsSlot);
                iconst(r);
                c.lload(slot(r)).lastore();
            }
        }
    }

    private int slot(int r) {
        return fBase + 2 * r;
    }

    private void iconst(int v) {
        ctx.code().loadConstant(Integer.valueOf(v));
    }

    private void lconst(long v) {
        ctx.code().loadConstant(Long.valueOf(v));
    }

    // ---- operands ----

    /** Pushes f[r] as an operand of format fmt (a single is unboxed: improperly boxed -> canonical NaN). */
    private void operand(int fmt, int r) {
        ctx.code().lload(slot(r));
        if (fmt == 0) {
            ctx.code().invokestatic(FLOAT_UNIT, "unboxSingle", BOXING);
        }
    }

    /** Pops a result of format fmt into f[rd] (a single is NaN-boxed). */
    private void result(int fmt, int rd) {
        if (fmt == 0) {
            ctx.code().invokestatic(FLOAT_UNIT, "boxSingle", BOXING);
        }
        ctx.code().lstore(slot(rd));
    }

    private void roundingMode(int f3) {
        if (f3 == DYN) {
            ctx.code().iload(frmSlot);
        } else {
            iconst(f3);
        }
    }

    private static long sign(int fmt) {
        return fmt == 0 ? SIGN_S : SIGN_D;
    }

    // ---- instructions ----

    /**
     * Emits an FP instruction, {@code k} instructions after the caller's running count, with the
     * guards it needs before it and the FS dirtying after it, except those whose facts
     * ({@link Checks}) already hold on every path to it ({@code known}).
     */
    void instruction(int k, GuestBlock.Instruction gi, int known) {
        int insn = gi.insn();
        int needed = Checks.established(insn) & ~known;
        if ((needed & Checks.ENABLED) != 0) {
            guardEnabled(gi.pc(), k);
        }
        if ((needed & Checks.ROUNDING_MODE) != 0) {
            guardRoundingMode(gi.pc(), k);
        }
        int rd = Decoder.rd(insn);
        int rs1 = Decoder.rs1(insn);
        int rs2 = Decoder.rs2(insn);
        int f3 = Decoder.funct3(insn);
        switch (insn & 0x7f) {
            case 0x07 -> {
                int size = f3 == 2 ? 4 : 8;
                ctx.loadRaw(k, gi.pc(), gi.nextPc(), rs1, Decoder.immI(insn), size, () -> {
                    result(size == 4 ? 0 : 1, rd);
                    if ((needed & Checks.DIRTY) != 0) {
                        markDirty();
                    }
                });
                return; // FS is dirty on both of the load's ways out
            }
            case 0x27 -> ctx.storeRaw(k, gi.pc(), gi.nextPc(), rs1, Decoder.immS(insn), f3 == 2 ? 4 : 8,
                    () -> ctx.code().lload(slot(rs2))); // the raw bits, no unboxing
            case 0x43, 0x47, 0x4b, 0x4f -> fusedMultiplyAdd(insn, rd, rs1, rs2, f3);
            case 0x73 -> csrAccess(insn, rd, rs1, f3);
            default -> opFp(insn, rd, rs1, rs2, f3);
        }
        if ((needed & Checks.DIRTY) != 0) {
            markDirty();
        }
    }

    private void guardEnabled(long pc, int k) {
        CodeBuilder c = ctx.code();
        Label ok = c.newLabel();
        c.aload(csrsSlot).getfield(CSRS, MSTATUS, CD_long);
        lconst(FS_MASK);
        c.land().lconst_0().lcmp().ifne(ok);
        ctx.exit(pc, k);
        c.labelBinding(ok);
    }

    private void guardRoundingMode(long pc, int k) {
        CodeBuilder c = ctx.code();
        Label ok = c.newLabel();
        c.aload(csrsSlot).getfield(CSRS, FRM, CD_int).dup().istore(frmSlot);
        iconst(4);
        c.if_icmple(ok);
        ctx.exit(pc, k);
        c.labelBinding(ok);
    }

    private void markDirty() {
        CodeBuilder c = ctx.code();
        c.aload(csrsSlot).dup().getfield(CSRS, MSTATUS, CD_long);
        lconst(FS_MASK);
        c.lor().putfield(CSRS, MSTATUS, CD_long);
    }

    /** A CSR instruction on fflags, frm or fcsr, as the interpreter's CSR path performs it. */
    private void csrAccess(int insn, int rd, int rs1, int f3) {
        CodeBuilder c = ctx.code();
        int kind = f3 & 3; // 1 RW, 2 RS, 3 RC
        boolean write = csrWrites(insn);
        boolean read = kind != 1 || rd != 0;
        int csr = insn >>> 20;
        if (read) {
            if (csr != FRM_CSR) {
                c.aload(fpuSlot).getfield(FPU, FLAGS, CD_int);
                iconst(0x1f);
                c.iand();
            }
            if (csr != FFLAGS_CSR) {
                c.aload(csrsSlot).getfield(CSRS, FRM, CD_int);
                if (csr == FCSR_CSR) {
                    iconst(5);
                    c.ishl().ior();
                }
            }
            c.i2l().lstore(oldSlot);
        } else {
            c.lconst_0().lstore(oldSlot);
        }
        if (write) { // only fflags is written here
            c.aload(fpuSlot);
            if (f3 >= 5) {
                lconst(rs1); // the immediate
            } else {
                ctx.pushX(rs1);
            }
            if (kind == 2) {
                c.lload(oldSlot).lor();
            } else if (kind == 3) {
                lconst(-1L);
                c.lxor().lload(oldSlot).land();
            }
            c.l2i();
            iconst(0x1f);
            c.iand().putfield(FPU, FLAGS, CD_int);
        }
        c.lload(oldSlot);
        ctx.popX(rd);
    }

    private void fusedMultiplyAdd(int insn, int rd, int rs1, int rs2, int f3) {
        CodeBuilder c = ctx.code();
        int fmt = (insn >>> 25) & 3;
        int op = insn & 0x7f;
        long sign = sign(fmt);
        c.aload(fpuSlot);
        iconst(fmt);
        operand(fmt, rs1);
        if (op == 0x4b || op == 0x4f) { // FNMSUB, FNMADD: -(a*b)
            lconst(sign);
            c.lxor();
        }
        operand(fmt, rs2);
        operand(fmt, insn >>> 27);
        if (op == 0x47 || op == 0x4f) { // FMSUB, FNMADD: - c
            lconst(sign);
            c.lxor();
        }
        roundingMode(f3);
        c.invokevirtual(FPU, "fma", FMA);
        result(fmt, rd);
    }

    private void opFp(int insn, int rd, int rs1, int rs2, int f3) {
        CodeBuilder c = ctx.code();
        int fmt = (insn >>> 25) & 3;
        int funct5 = insn >>> 27;
        switch (funct5) {
            case 0x00, 0x01, 0x02, 0x03 -> {
                c.aload(fpuSlot);
                iconst(fmt);
                operand(fmt, rs1);
                operand(fmt, rs2);
                roundingMode(f3);
                c.invokevirtual(FPU, switch (funct5) {
                    case 0x00 -> "add";
                    case 0x01 -> "sub";
                    case 0x02 -> "mul";
                    default -> "div";
                }, BINARY);
                result(fmt, rd);
            }
            case 0x0b -> {
                c.aload(fpuSlot);
                iconst(fmt);
                operand(fmt, rs1);
                roundingMode(f3);
                c.invokevirtual(FPU, "sqrt", UNARY);
                result(fmt, rd);
            }
            case 0x04 -> { // FSGNJ, FSGNJN, FSGNJX
                long sign = sign(fmt);
                operand(fmt, rs1);
                if (f3 != 2) {
                    lconst(~sign);
                    c.land();
                }
                operand(fmt, rs2);
                lconst(sign);
                c.land();
                if (f3 == 1) {
                    lconst(sign);
                    c.lxor();
                }
                if (f3 == 2) {
                    c.lxor();
                } else {
                    c.lor();
                }
                result(fmt, rd);
            }
            case 0x05 -> {
                c.aload(fpuSlot);
                iconst(fmt);
                operand(fmt, rs1);
                operand(fmt, rs2);
                c.invokevirtual(FPU, f3 == 0 ? "min" : "max", COMPARE);
                result(fmt, rd);
            }
            case 0x08 -> { // FCVT.S.D / FCVT.D.S: the source format is rs2
                c.aload(fpuSlot);
                iconst(rs2);
                iconst(fmt);
                operand(rs2, rs1);
                roundingMode(f3);
                c.invokevirtual(FPU, "convert", CONVERT);
                result(fmt, rd);
            }
            case 0x14 -> {
                c.aload(fpuSlot);
                iconst(fmt);
                operand(fmt, rs1);
                operand(fmt, rs2);
                c.invokevirtual(FPU, switch (f3) {
                    case 2 -> "eq";
                    case 1 -> "lt";
                    default -> "le";
                }, COMPARE);
                ctx.popX(rd);
            }
            case 0x18 -> { // FCVT.{W,WU,L,LU}.fmt
                c.aload(fpuSlot);
                iconst(fmt);
                operand(fmt, rs1);
                roundingMode(f3);
                iconst(rs2 >= 2 ? 1 : 0);
                iconst(rs2 & 1);
                c.invokevirtual(FPU, "toInteger", INTEGER);
                ctx.popX(rd);
            }
            case 0x1a -> { // FCVT.fmt.{W,WU,L,LU}
                c.aload(fpuSlot);
                iconst(fmt);
                ctx.pushX(rs1);
                roundingMode(f3);
                iconst(rs2 >= 2 ? 1 : 0);
                iconst(rs2 & 1);
                c.invokevirtual(FPU, "fromInteger", INTEGER);
                result(fmt, rd);
            }
            case 0x1c -> {
                if (f3 == 0) { // FMV.X.W / FMV.X.D: the raw bits
                    c.lload(slot(rs1));
                    if (fmt == 0) {
                        c.l2i().i2l();
                    }
                } else { // FCLASS
                    c.aload(fpuSlot);
                    iconst(fmt);
                    operand(fmt, rs1);
                    c.invokevirtual(FPU, "classify", CLASSIFY);
                }
                ctx.popX(rd);
            }
            case 0x1e -> { // FMV.W.X / FMV.D.X
                ctx.pushX(rs1);
                result(fmt, rd);
            }
            default -> throw new IllegalArgumentException("untranslatable FP instruction 0x" + Integer.toHexString(insn));
        }
    }
}

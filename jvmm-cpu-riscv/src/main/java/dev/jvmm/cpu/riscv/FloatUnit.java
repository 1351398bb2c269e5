package dev.jvmm.cpu.riscv;

/**
 * Executes F and D instructions: the f register file, NaN-boxing of single-precision values,
 * rounding-mode resolution, mstatus.FS gating and dirtying, and the bit-level operations
 * (loads/stores, FMV, FSGNJ). IEEE arithmetic itself is {@link Fpu}'s.
 */
final class FloatUnit {

    private static final long BOX = 0xffffffff00000000L;
    static final long CANONICAL_NAN_S = 0x7fc00000L;

    final long[] f = new long[32];
    final Fpu fpu;
    private final Csrs csrs;
    private final Mmu mmu;
    private final Traps traps;

    FloatUnit(Fpu fpu, Csrs csrs, Mmu mmu, Traps traps) {
        this.fpu = fpu;
        this.csrs = csrs;
        this.mmu = mmu;
        this.traps = traps;
    }

    void reset() {
        java.util.Arrays.fill(f, 0);
    }

    /** A single-precision operand: the low 32 bits if properly NaN-boxed, else the canonical NaN. */
    static long unboxSingle(long v) {
        return (v & BOX) == BOX ? v & 0xffffffffL : CANONICAL_NAN_S;
    }

    static long boxSingle(long v) {
        return BOX | (v & 0xffffffffL);
    }

    private long operand(int fmt, int reg) {
        long v = f[reg];
        return fmt == Fpu.FMT_S ? unboxSingle(v) : v;
    }

    private void writeResult(int fmt, int reg, long value) {
        f[reg] = fmt == Fpu.FMT_S ? boxSingle(value) : value;
    }

    private int roundingMode(int insn, int insnBits) {
        int rm = (insn >>> 12) & 7;
        if (rm == 7) {
            rm = csrs.frm;
        }
        if (rm > 4) {
            throw traps.illegal(insnBits);
        }
        return rm;
    }

    private static long signBit(int fmt) {
        return fmt == Fpu.FMT_S ? 0x80000000L : 0x8000000000000000L;
    }

    void execute(int insn, int insnBits, long[] x) {
        if (!csrs.fpEnabled()) {
            throw traps.illegal(insnBits);
        }
        int rd = (insn >>> 7) & 31;
        int rs1 = (insn >>> 15) & 31;
        int rs2 = (insn >>> 20) & 31;
        int f3 = (insn >>> 12) & 7;
        switch (insn & 0x7f) {
            case 0x07 -> { // FLW / FLD
                long va = x[rs1] + (insn >> 20);
                if (f3 == 2) {
                    f[rd] = boxSingle(mmu.load32(va));
                } else if (f3 == 3) {
                    f[rd] = mmu.load64(va);
                } else {
                    throw traps.illegal(insnBits);
                }
                csrs.markFpDirty();
            }
            case 0x27 -> { // FSW / FSD store the raw bits, no unboxing
                long va = x[rs1] + Decoder.immS(insn);
                if (f3 == 2) {
                    mmu.store32(va, (int) f[rs2]);
                } else if (f3 == 3) {
                    mmu.store64(va, f[rs2]);
                } else {
                    throw traps.illegal(insnBits);
                }
            }
            case 0x43, 0x47, 0x4b, 0x4f -> fusedMultiplyAdd(insn, insnBits, rd, rs1, rs2);
            case 0x53 -> opFp(insn, insnBits, x, rd, rs1, rs2, f3);
            default -> throw traps.illegal(insnBits);
        }
    }

    private void fusedMultiplyAdd(int insn, int insnBits, int rd, int rs1, int rs2) {
        int fmt = (insn >>> 25) & 3;
        if (fmt > Fpu.FMT_D) {
            throw traps.illegal(insnBits);
        }
        int rm = roundingMode(insn, insnBits);
        long sign = signBit(fmt);
        long a = operand(fmt, rs1);
        long b = operand(fmt, rs2);
        long c = operand(fmt, insn >>> 27);
        switch (insn & 0x7f) {
            case 0x47 -> c ^= sign; // FMSUB: a*b - c
            case 0x4b -> a ^= sign; // FNMSUB: -(a*b) + c
            case 0x4f -> { // FNMADD: -(a*b) - c
                a ^= sign;
                c ^= sign;
            }
            default -> { }
        }
        writeResult(fmt, rd, fpu.fma(fmt, a, b, c, rm));
        csrs.markFpDirty();
    }

    private void opFp(int insn, int insnBits, long[] x, int rd, int rs1, int rs2, int f3) {
        int funct7 = insn >>> 25;
        int fmt = funct7 & 3;
        if (fmt > Fpu.FMT_D) {
            throw traps.illegal(insnBits);
        }
        switch (funct7 >>> 2) {
            case 0x00 -> writeResult(fmt, rd, fpu.add(fmt, operand(fmt, rs1), operand(fmt, rs2), roundingMode(insn, insnBits)));
            case 0x01 -> writeResult(fmt, rd, fpu.sub(fmt, operand(fmt, rs1), operand(fmt, rs2), roundingMode(insn, insnBits)));
            case 0x02 -> writeResult(fmt, rd, fpu.mul(fmt, operand(fmt, rs1), operand(fmt, rs2), roundingMode(insn, insnBits)));
            case 0x03 -> writeResult(fmt, rd, fpu.div(fmt, operand(fmt, rs1), operand(fmt, rs2), roundingMode(insn, insnBits)));
            case 0x0b -> { // FSQRT
                if (rs2 != 0) {
                    throw traps.illegal(insnBits);
                }
                writeResult(fmt, rd, fpu.sqrt(fmt, operand(fmt, rs1), roundingMode(insn, insnBits)));
            }
            case 0x04 -> { // FSGNJ, FSGNJN, FSGNJX
                long sign = signBit(fmt);
                long a = operand(fmt, rs1);
                long b = operand(fmt, rs2);
                long r = switch (f3) {
                    case 0 -> (a & ~sign) | (b & sign);
                    case 1 -> (a & ~sign) | (~b & sign);
                    case 2 -> a ^ (b & sign);
                    default -> throw traps.illegal(insnBits);
                };
                writeResult(fmt, rd, r);
            }
            case 0x05 -> { // FMIN, FMAX
                long a = operand(fmt, rs1);
                long b = operand(fmt, rs2);
                long r = switch (f3) {
                    case 0 -> fpu.min(fmt, a, b);
                    case 1 -> fpu.max(fmt, a, b);
                    default -> throw traps.illegal(insnBits);
                };
                writeResult(fmt, rd, r);
            }
            case 0x08 -> { // FCVT.S.D (fmt S, rs2 = 1) / FCVT.D.S (fmt D, rs2 = 0)
                int from = rs2;
                if (from > Fpu.FMT_D || from == fmt) {
                    throw traps.illegal(insnBits);
                }
                int rm = roundingMode(insn, insnBits);
                writeResult(fmt, rd, fpu.convert(from, fmt, operand(from, rs1), rm));
            }
            case 0x14 -> { // FEQ, FLT, FLE
                long a = operand(fmt, rs1);
                long b = operand(fmt, rs2);
                long r = switch (f3) {
                    case 2 -> fpu.eq(fmt, a, b);
                    case 1 -> fpu.lt(fmt, a, b);
                    case 0 -> fpu.le(fmt, a, b);
                    default -> throw traps.illegal(insnBits);
                };
                if (rd != 0) {
                    x[rd] = r;
                }
            }
            case 0x18 -> { // FCVT.{W,WU,L,LU}.fmt
                if (rs2 > 3) {
                    throw traps.illegal(insnBits);
                }
                int rm = roundingMode(insn, insnBits);
                long r = fpu.toInteger(fmt, operand(fmt, rs1), rm, rs2 >= 2, (rs2 & 1) != 0);
                if (rd != 0) {
                    x[rd] = r;
                }
            }
            case 0x1a -> { // FCVT.fmt.{W,WU,L,LU}
                if (rs2 > 3) {
                    throw traps.illegal(insnBits);
                }
                int rm = roundingMode(insn, insnBits);
                writeResult(fmt, rd, fpu.fromInteger(fmt, x[rs1], rm, rs2 >= 2, (rs2 & 1) != 0));
            }
            case 0x1c -> { // FMV.X.W / FMV.X.D, FCLASS
                if (rs2 != 0) {
                    throw traps.illegal(insnBits);
                }
                long r;
                if (f3 == 0) {
                    r = fmt == Fpu.FMT_S ? (long) (int) f[rs1] : f[rs1];
                } else if (f3 == 1) {
                    r = fpu.classify(fmt, operand(fmt, rs1));
                } else {
                    throw traps.illegal(insnBits);
                }
                if (rd != 0) {
                    x[rd] = r;
                }
            }
            case 0x1e -> { // FMV.W.X / FMV.D.X
                if (rs2 != 0 || f3 != 0) {
                    throw traps.illegal(insnBits);
                }
                writeResult(fmt, rd, x[rs1]);
            }
            default -> throw traps.illegal(insnBits);
        }
        csrs.markFpDirty();
    }
}

package dev.jvmm.cpu.riscv;

/**
 * IEEE-754 binary32/binary64 arithmetic as RISC-V's F and D extensions define it. STUB.
 *
 * <p>Operands and results are raw bit patterns: a single-precision value is in the low 32
 * bits (the caller unboxes and NaN-boxes). Rounding modes are already resolved (never DYN).
 * Exceptions accrue into {@link #flags} as the {@code fflags} CSR bits.
 */
public final class Fpu {

    public static final int FMT_S = 0;
    public static final int FMT_D = 1;

    public static final int RNE = 0;
    public static final int RTZ = 1;
    public static final int RDN = 2;
    public static final int RUP = 3;
    public static final int RMM = 4;

    public static final int NX = 1;
    public static final int UF = 2;
    public static final int OF = 4;
    public static final int DZ = 8;
    public static final int NV = 16;

    /** The accrued exception flags ({@code fflags}). */
    public int flags;

    public long add(int fmt, long a, long b, int rm) { throw new UnsupportedOperationException("stub"); }

    public long sub(int fmt, long a, long b, int rm) { throw new UnsupportedOperationException("stub"); }

    public long mul(int fmt, long a, long b, int rm) { throw new UnsupportedOperationException("stub"); }

    public long div(int fmt, long a, long b, int rm) { throw new UnsupportedOperationException("stub"); }

    public long sqrt(int fmt, long a, int rm) { throw new UnsupportedOperationException("stub"); }

    /** {@code a * b + c} with one rounding; FMSUB/FNMSUB/FNMADD flip the sign bits of the operands first. */
    public long fma(int fmt, long a, long b, long c, int rm) { throw new UnsupportedOperationException("stub"); }

    public long min(int fmt, long a, long b) { throw new UnsupportedOperationException("stub"); }

    public long max(int fmt, long a, long b) { throw new UnsupportedOperationException("stub"); }

    /** FEQ (quiet): 1 or 0. */
    public long eq(int fmt, long a, long b) { throw new UnsupportedOperationException("stub"); }

    /** FLT (signaling): 1 or 0. */
    public long lt(int fmt, long a, long b) { throw new UnsupportedOperationException("stub"); }

    /** FLE (signaling): 1 or 0. */
    public long le(int fmt, long a, long b) { throw new UnsupportedOperationException("stub"); }

    /** FCLASS: the one-hot class mask. */
    public long classify(int fmt, long a) { throw new UnsupportedOperationException("stub"); }

    /** FCVT.S.D / FCVT.D.S. */
    public long convert(int fromFmt, int toFmt, long a, int rm) { throw new UnsupportedOperationException("stub"); }

    /** FCVT.{W,WU,L,LU}.fmt: saturating, result as the register value (32-bit results sign-extended). */
    public long toInteger(int fmt, long a, int rm, boolean is64, boolean unsigned) {
        throw new UnsupportedOperationException("stub");
    }

    /** FCVT.fmt.{W,WU,L,LU}: {@code value} is the source register. */
    public long fromInteger(int fmt, long value, int rm, boolean is64, boolean unsigned) {
        throw new UnsupportedOperationException("stub");
    }
}

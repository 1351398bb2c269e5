package dev.jvmm.cpu.riscv;

/**
 * IEEE-754 binary32/binary64 arithmetic as RISC-V's F and D extensions define it.
 *
 * <p>Operands and results are raw bit patterns: a single-precision value is in the low 32
 * bits (the caller unboxes and NaN-boxes; single results come back zero-extended). Rounding
 * modes are already resolved (never DYN). Exceptions accrue into {@link #flags} as the
 * {@code fflags} CSR bits. Every NaN result is the canonical NaN.
 *
 * <h2>How results are computed</h2>
 * <ul>
 *   <li>binary64 add/sub/mul/div/sqrt/fma use the host's double arithmetic (round to nearest
 *   even) and an error-free transformation that yields the exact error (or its sign); from
 *   that come the NX flag and the result of the directed rounding modes (FMA in RNE decides
 *   exactness from the operands' lowest set bits instead). Results that are tiny, overflow,
 *   or whose error term is not exact go to {@link FpuSoftFloat}. This relies on
 *   {@link Math#fma} being a hardware instruction, as it is on x86-64 with FMA3 and AArch64.</li>
 *   <li>binary32 operations run in double, where the exact result's error is known; the
 *   double is made "round to odd" (its last bit set when inexact), which keeps enough
 *   information for a single, correct rounding to binary32 in any mode (53 >= 24 + 2).</li>
 * </ul>
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

    /** The canonical quiet NaN of binary32 (low 32 bits). */
    public static final long CANONICAL_NAN_S = 0x7fc0_0000L;
    /** The canonical quiet NaN of binary64. */
    public static final long CANONICAL_NAN_D = 0x7ff8_0000_0000_0000L;

    private static final long SIGN_D = Long.MIN_VALUE;
    private static final long SIGN_S = 0x8000_0000L;
    private static final long MASK_S = 0xffff_ffffL;
    /** Above this magnitude the error of a double product or quotient is exact. */
    private static final double EXACT_ERROR_MIN = 0x1p-960;

    /** The accrued exception flags ({@code fflags}). */
    public int flags;

    // ---------------------------------------------------------------- arithmetic

    public long add(int fmt, long a, long b, int rm) {
        return fmt == FMT_S ? addS(a & MASK_S, b & MASK_S, rm) : addD(a, b, rm);
    }

    public long sub(int fmt, long a, long b, int rm) {
        return fmt == FMT_S ? addS(a & MASK_S, (b ^ SIGN_S) & MASK_S, rm) : addD(a, b ^ SIGN_D, rm);
    }

    public long mul(int fmt, long a, long b, int rm) {
        return fmt == FMT_S ? mulS(a & MASK_S, b & MASK_S, rm) : mulD(a, b, rm);
    }

    public long div(int fmt, long a, long b, int rm) {
        return fmt == FMT_S ? divS(a & MASK_S, b & MASK_S, rm) : divD(a, b, rm);
    }

    public long sqrt(int fmt, long a, int rm) {
        return fmt == FMT_S ? sqrtS(a & MASK_S, rm) : sqrtD(a, rm);
    }

    /** {@code a * b + c} with one rounding; FMSUB/FNMSUB/FNMADD flip the sign bits of the operands first. */
    public long fma(int fmt, long a, long b, long c, int rm) {
        return fmt == FMT_S ? fmaS(a & MASK_S, b & MASK_S, c & MASK_S, rm) : fmaD(a, b, c, rm);
    }

    private long addD(long a, long b, int rm) {
        double x = Double.longBitsToDouble(a);
        double y = Double.longBitsToDouble(b);
        double s = x + y;
        if (Math.abs(s) <= Double.MAX_VALUE) {
            if (nearestAndInexactAccrued(rm)) {
                return Double.doubleToRawLongBits(s);
            }
            double bb = s - x;
            double t = (x - (s - bb)) + (y - bb); // TwoSum: x + y == s + t exactly
            if (t == 0) {
                if (s == 0 && rm == RDN && (a | b) != 0) {
                    return SIGN_D; // x + (-x) and +0 + -0 round to -0 only when rounding down
                }
                return Double.doubleToRawLongBits(s);
            }
            if (t - t == 0) { // the error term did not overflow
                flags |= NX;
                return rm == RNE ? Double.doubleToRawLongBits(s) : roundFromError(s, t, rm);
            }
        }
        return addSlow(FMT_D, a, b, rm);
    }

    private long mulD(long a, long b, int rm) {
        double x = Double.longBitsToDouble(a);
        double y = Double.longBitsToDouble(b);
        double p = x * y;
        double ap = Math.abs(p);
        if (ap >= EXACT_ERROR_MIN && ap <= Double.MAX_VALUE) {
            if (nearestAndInexactAccrued(rm)) {
                return Double.doubleToRawLongBits(p);
            }
            double e = Math.fma(x, y, -p);
            if (e == 0) {
                return Double.doubleToRawLongBits(p);
            }
            flags |= NX;
            return rm == RNE ? Double.doubleToRawLongBits(p) : roundFromError(p, e, rm);
        }
        return mulSlow(FMT_D, a, b, rm);
    }

    private long divD(long a, long b, int rm) {
        double x = Double.longBitsToDouble(a);
        double y = Double.longBitsToDouble(b);
        double q = x / y;
        double aq = Math.abs(q);
        if (aq > Double.MIN_NORMAL && aq <= Double.MAX_VALUE && Math.abs(x) >= EXACT_ERROR_MIN) {
            if (nearestAndInexactAccrued(rm)) {
                return Double.doubleToRawLongBits(q);
            }
            double r = Math.fma(q, y, -x); // q*y - x, exact here
            if (r == 0) {
                return Double.doubleToRawLongBits(q);
            }
            flags |= NX;
            return rm == RNE ? Double.doubleToRawLongBits(q) : roundFromErrorSign(q, (r < 0) == (y > 0), rm);
        }
        return divSlow(FMT_D, a, b, rm);
    }

    private long sqrtD(long a, int rm) {
        double x = Double.longBitsToDouble(a);
        if (x > 0 && x <= Double.MAX_VALUE) {
            if (nearestAndInexactAccrued(rm)) {
                return Double.doubleToRawLongBits(Math.sqrt(x));
            }
            // Scale subnormals up by an even power of two so the residual is exact.
            boolean small = x < EXACT_ERROR_MIN;
            double v = small ? x * 0x1p108 : x;
            double s = Math.sqrt(v);
            double r = Math.fma(s, s, -v);
            if (r != 0) {
                flags |= NX;
                if (rm != RNE) {
                    s = Double.longBitsToDouble(roundFromErrorSign(s, r < 0, rm)); // sqrt is never a tie
                }
            }
            return Double.doubleToRawLongBits(small ? s * 0x1p-54 : s);
        }
        return sqrtSpecial(FMT_D, a);
    }

    private long fmaD(long a, long b, long c, int rm) {
        double x = Double.longBitsToDouble(a);
        double y = Double.longBitsToDouble(b);
        double z = Double.longBitsToDouble(c);
        double r = Math.fma(x, y, z);
        double ar = Math.abs(r);
        if (ar > Double.MIN_NORMAL && ar <= Double.MAX_VALUE) { // finite operands, not tiny
            if (nearestAndInexactAccrued(rm)) {
                return Double.doubleToRawLongBits(r);
            }
            if (rm == RNE && x != 0 && y != 0 && z != 0) {
                // x*y + z is exact iff its lowest set bit is no finer than r's ulp; that bit is
                // the lower of the product's and z's lowest bits when those differ.
                int lsbProduct = lowestBitExponent(a) + lowestBitExponent(b);
                int lsbAddend = lowestBitExponent(c);
                if (lsbProduct != lsbAddend) {
                    if (Math.min(lsbProduct, lsbAddend) < Math.getExponent(r) - 52) {
                        flags |= NX;
                    }
                    return Double.doubleToRawLongBits(r);
                }
            }
            if (rm != RMM && Math.abs(x * y) >= EXACT_ERROR_MIN) {
                // x*y + z - r == x*y + d when d = z - r is exact; then fma(x, y, d) has its sign.
                double d = z - r;
                double bb = d - z;
                double err = (z - (d - bb)) + (-r - bb);
                if (err == 0) {
                    double rho = Math.fma(x, y, d);
                    if (rho == 0) {
                        return Double.doubleToRawLongBits(r);
                    }
                    flags |= NX;
                    return rm == RNE ? Double.doubleToRawLongBits(r) : roundFromErrorSign(r, rho > 0, rm);
                }
            }
        }
        return fmaSlow(FMT_D, a, b, c, rm);
    }

    /**
     * Whether a binary64 result the host computed (in round to nearest even) needs no error term:
     * the mode is RNE, so the host's result is the answer, and NX is already accrued, so whether
     * this one is inexact changes nothing (the flags are sticky until software clears them).
     * Most floating-point code runs like this after its first inexact result; the error terms
     * (TwoSum, an FMA) cost several dependent operations each. The callers still send tiny,
     * huge, infinite and NaN results to the paths that raise UF, OF, NV and DZ.
     */
    private boolean nearestAndInexactAccrued(int rm) {
        return rm == RNE && (flags & NX) != 0;
    }

    /** The exponent of the lowest set bit of a finite non-zero binary64 value. */
    private static int lowestBitExponent(long bits) {
        int field = (int) (bits >>> 52) & 0x7ff;
        long mant = bits & 0xf_ffff_ffff_ffffL;
        long sig = field == 0 ? mant : mant | (1L << 52);
        return Math.max(field, 1) - 1075 + Long.numberOfTrailingZeros(sig);
    }

    private long addS(long a, long b, int rm) {
        if (isNaNOrInf(FMT_S, a) || isNaNOrInf(FMT_S, b)) {
            return addSpecial(FMT_S, a, b);
        }
        return sumToS(toDouble(a), toDouble(b), rm);
    }

    private long mulS(long a, long b, int rm) {
        if (isNaNOrInf(FMT_S, a) || isNaNOrInf(FMT_S, b)) {
            return mulSpecial(FMT_S, a, b);
        }
        double p = toDouble(a) * toDouble(b); // exact: 48 significant bits
        if (p == 0) {
            return (a ^ b) & SIGN_S;
        }
        return narrowToS(p, rm);
    }

    private long divS(long a, long b, int rm) {
        if (isNaNOrInf(FMT_S, a) || isNaNOrInf(FMT_S, b) || isZero(FMT_S, a) || isZero(FMT_S, b)) {
            return divSpecial(FMT_S, a, b);
        }
        double x = toDouble(a);
        double y = toDouble(b);
        double q = x / y;
        double r = Math.fma(q, y, -x);
        if (r != 0) {
            q = roundToOdd(q, (r < 0) == (y > 0));
        }
        return narrowToS(q, rm);
    }

    private long sqrtS(long a, int rm) {
        if ((a & SIGN_S) != 0 || isNaNOrInf(FMT_S, a) || a == 0) {
            return sqrtSpecial(FMT_S, a);
        }
        double x = toDouble(a);
        double s = Math.sqrt(x);
        double r = Math.fma(s, s, -x);
        if (r != 0) {
            s = roundToOdd(s, r < 0);
        }
        return narrowToS(s, rm);
    }

    private long fmaS(long a, long b, long c, int rm) {
        if (isNaNOrInf(FMT_S, a) || isNaNOrInf(FMT_S, b) || isNaNOrInf(FMT_S, c)) {
            return fmaSpecial(FMT_S, a, b, c);
        }
        return sumToS(toDouble(a) * toDouble(b), toDouble(c), rm); // the product is exact
    }

    /** Rounds {@code x + y} (finite doubles holding at most 48 significant bits each) to binary32. */
    private long sumToS(double x, double y, int rm) {
        double s = x + y;
        if (s == 0) { // always exact
            if (rm == RDN && (Double.doubleToRawLongBits(x) | Double.doubleToRawLongBits(y)) != 0) {
                return SIGN_S;
            }
            return Double.doubleToRawLongBits(s) < 0 ? SIGN_S : 0;
        }
        double bb = s - x;
        double t = (x - (s - bb)) + (y - bb);
        if (t != 0) {
            s = roundToOdd(s, t > 0);
        }
        return narrowToS(s, rm);
    }

    /** Rounds a finite non-zero double to binary32; exact in round-to-odd doubles too. */
    private long narrowToS(double v, int rm) {
        if (rm == RNE) {
            float f = (float) v;
            float af = Math.abs(f);
            if (af > Float.MIN_NORMAL && af <= Float.MAX_VALUE) {
                if (f != v) {
                    flags |= NX;
                }
                return Float.floatToRawIntBits(f) & MASK_S;
            }
        }
        long bits = Double.doubleToRawLongBits(v);
        return FpuSoftFloat.roundPack(this, FMT_S, bits < 0,
                FpuSoftFloat.exponent(FMT_D, bits), FpuSoftFloat.significand(FMT_D, bits), rm);
    }

    /** Sets the last bit of an inexact double, stepping one ulp toward the exact value. */
    private static double roundToOdd(double s, boolean exactIsAbove) {
        long bits = Double.doubleToRawLongBits(s);
        if ((bits & 1) == 0) {
            bits += (s > 0) == exactIsAbove ? 1 : -1;
        }
        return Double.longBitsToDouble(bits);
    }

    private static double toDouble(long singleBits) {
        return Float.intBitsToFloat((int) singleBits);
    }

    /**
     * The directed (or RMM) rounding of {@code s + t}, where {@code s} is the round-to-nearest
     * result (finite, not tiny) and {@code t != 0} the exact error.
     */
    private long roundFromError(double s, double t, int rm) {
        if (rm == RMM) {
            double n = t > 0 ? Math.nextUp(s) : Math.nextDown(s);
            boolean tie = 2 * t == n - s;
            return Double.doubleToRawLongBits(tie && Math.abs(n) > Math.abs(s) ? n : s);
        }
        return roundFromErrorSign(s, t > 0, rm);
    }

    /** Like {@link #roundFromError} when the exact value is never a midpoint or rm != RMM. */
    private long roundFromErrorSign(double s, boolean exactIsAbove, int rm) {
        double r = switch (rm) {
            case RTZ -> (s > 0) == exactIsAbove ? s : Math.nextAfter(s, 0.0);
            case RDN -> exactIsAbove ? s : Math.nextDown(s);
            case RUP -> exactIsAbove ? Math.nextUp(s) : s;
            default -> s;
        };
        if (Double.isInfinite(r)) {
            flags |= OF;
        }
        return Double.doubleToRawLongBits(r);
    }

    // ---------------------------------------------------------------- slow paths and specials

    private long addSlow(int fmt, long a, long b, int rm) {
        if (isNaNOrInf(fmt, a) || isNaNOrInf(fmt, b)) {
            return addSpecial(fmt, a, b);
        }
        if (isZero(fmt, a) || isZero(fmt, b)) {
            return isZero(fmt, a) ? (isZero(fmt, b) ? zeroSum(fmt, a, b, rm) : b) : a;
        }
        return FpuSoftFloat.add(this, fmt, a, b, rm);
    }

    private long addSpecial(int fmt, long a, long b) {
        if (isNaN(fmt, a) || isNaN(fmt, b)) {
            return nanResult(fmt, a, b);
        }
        if (isInf(fmt, a) && isInf(fmt, b) && ((a ^ b) & FpuSoftFloat.signBit(fmt)) != 0) {
            return invalid(fmt); // inf - inf
        }
        return isInf(fmt, a) ? a : b;
    }

    private long zeroSum(int fmt, long a, long b, int rm) {
        long sign = FpuSoftFloat.signBit(fmt);
        if (((a ^ b) & sign) == 0) {
            return a;
        }
        return rm == RDN ? sign : 0;
    }

    private long mulSlow(int fmt, long a, long b, int rm) {
        if (isNaNOrInf(fmt, a) || isNaNOrInf(fmt, b)) {
            return mulSpecial(fmt, a, b);
        }
        if (isZero(fmt, a) || isZero(fmt, b)) {
            return (a ^ b) & FpuSoftFloat.signBit(fmt);
        }
        return FpuSoftFloat.mul(this, fmt, a, b, rm);
    }

    private long mulSpecial(int fmt, long a, long b) {
        if (isNaN(fmt, a) || isNaN(fmt, b)) {
            return nanResult(fmt, a, b);
        }
        if (isZero(fmt, a) || isZero(fmt, b)) {
            return invalid(fmt); // 0 * inf
        }
        return infinity(fmt, ((a ^ b) & FpuSoftFloat.signBit(fmt)) != 0);
    }

    private long divSlow(int fmt, long a, long b, int rm) {
        if (isNaNOrInf(fmt, a) || isNaNOrInf(fmt, b) || isZero(fmt, a) || isZero(fmt, b)) {
            return divSpecial(fmt, a, b);
        }
        return FpuSoftFloat.div(this, fmt, a, b, rm);
    }

    private long divSpecial(int fmt, long a, long b) {
        long sign = FpuSoftFloat.signBit(fmt);
        boolean neg = ((a ^ b) & sign) != 0;
        if (isNaN(fmt, a) || isNaN(fmt, b)) {
            return nanResult(fmt, a, b);
        }
        if (isInf(fmt, a)) {
            return isInf(fmt, b) ? invalid(fmt) : infinity(fmt, neg);
        }
        if (isInf(fmt, b)) {
            return neg ? sign : 0;
        }
        if (isZero(fmt, b)) {
            if (isZero(fmt, a)) {
                return invalid(fmt); // 0/0
            }
            flags |= DZ;
            return infinity(fmt, neg);
        }
        return neg ? sign : 0; // 0 / finite
    }

    private long sqrtSpecial(int fmt, long a) {
        if (isNaN(fmt, a)) {
            return nanResult(fmt, a, a);
        }
        if (isZero(fmt, a)) {
            return a; // sqrt(-0) = -0
        }
        if (FpuSoftFloat.isNegative(fmt, a)) {
            return invalid(fmt);
        }
        return a; // +inf
    }

    private long fmaSlow(int fmt, long a, long b, long c, int rm) {
        if (isNaNOrInf(fmt, a) || isNaNOrInf(fmt, b) || isNaNOrInf(fmt, c)) {
            return fmaSpecial(fmt, a, b, c);
        }
        long sign = FpuSoftFloat.signBit(fmt);
        if (isZero(fmt, a) || isZero(fmt, b)) {
            long product = (a ^ b) & sign; // an exact signed zero
            return isZero(fmt, c) ? zeroSum(fmt, product, c, rm) : c;
        }
        if (isZero(fmt, c)) {
            return FpuSoftFloat.mul(this, fmt, a, b, rm);
        }
        return FpuSoftFloat.fma(this, fmt, a, b, c, rm);
    }

    private long fmaSpecial(int fmt, long a, long b, long c) {
        boolean zeroTimesInf = (isZero(fmt, a) && isInf(fmt, b)) || (isInf(fmt, a) && isZero(fmt, b));
        if (isNaN(fmt, a) || isNaN(fmt, b) || isNaN(fmt, c)) {
            if (zeroTimesInf) {
                flags |= NV; // invalid even when c is a quiet NaN
            }
            if (isSignalingNaN(fmt, a) || isSignalingNaN(fmt, b) || isSignalingNaN(fmt, c)) {
                flags |= NV;
            }
            return canonicalNaN(fmt);
        }
        if (zeroTimesInf) {
            return invalid(fmt);
        }
        long sign = FpuSoftFloat.signBit(fmt);
        if (isInf(fmt, a) || isInf(fmt, b)) {
            long productSign = (a ^ b) & sign;
            if (isInf(fmt, c) && (c & sign) != productSign) {
                return invalid(fmt); // inf - inf
            }
            return infinity(fmt, productSign != 0);
        }
        return c; // finite * finite + inf
    }

    private long nanResult(int fmt, long a, long b) {
        if (isSignalingNaN(fmt, a) || isSignalingNaN(fmt, b)) {
            flags |= NV;
        }
        return canonicalNaN(fmt);
    }

    private long invalid(int fmt) {
        flags |= NV;
        return canonicalNaN(fmt);
    }

    private static long canonicalNaN(int fmt) {
        return fmt == FMT_S ? CANONICAL_NAN_S : CANONICAL_NAN_D;
    }

    private static long infinity(int fmt, boolean neg) {
        if (fmt == FMT_S) {
            return neg ? 0xff80_0000L : 0x7f80_0000L;
        }
        return neg ? 0xfff0_0000_0000_0000L : 0x7ff0_0000_0000_0000L;
    }

    // ---------------------------------------------------------------- classification helpers

    private static boolean isNaNOrInf(int fmt, long v) {
        return fmt == FMT_S ? (v & 0x7f80_0000L) == 0x7f80_0000L
                : (v & 0x7ff0_0000_0000_0000L) == 0x7ff0_0000_0000_0000L;
    }

    private static boolean isNaN(int fmt, long v) {
        return fmt == FMT_S ? (v & 0x7fff_ffffL) > 0x7f80_0000L
                : (v & Long.MAX_VALUE) > 0x7ff0_0000_0000_0000L;
    }

    private static boolean isSignalingNaN(int fmt, long v) {
        return isNaN(fmt, v) && (v & (fmt == FMT_S ? 0x40_0000L : 0x8_0000_0000_0000L)) == 0;
    }

    private static boolean isInf(int fmt, long v) {
        return fmt == FMT_S ? (v & 0x7fff_ffffL) == 0x7f80_0000L
                : (v & Long.MAX_VALUE) == 0x7ff0_0000_0000_0000L;
    }

    private static boolean isZero(int fmt, long v) {
        return fmt == FMT_S ? (v & 0x7fff_ffffL) == 0 : (v & Long.MAX_VALUE) == 0;
    }

    private static long maskS(int fmt, long v) {
        return fmt == FMT_S ? v & MASK_S : v;
    }

    // ---------------------------------------------------------------- min/max, compare, classify

    public long min(int fmt, long a, long b) {
        return minMax(fmt, maskS(fmt, a), maskS(fmt, b), true);
    }

    public long max(int fmt, long a, long b) {
        return minMax(fmt, maskS(fmt, a), maskS(fmt, b), false);
    }

    /** IEEE 754-2019 minimumNumber/maximumNumber, with -0 below +0. */
    private long minMax(int fmt, long a, long b, boolean min) {
        boolean an = isNaN(fmt, a);
        boolean bn = isNaN(fmt, b);
        if (an || bn) {
            if (isSignalingNaN(fmt, a) || isSignalingNaN(fmt, b)) {
                flags |= NV;
            }
            if (an && bn) {
                return canonicalNaN(fmt);
            }
            return an ? b : a;
        }
        int cmp = fmt == FMT_S
                ? Float.compare(Float.intBitsToFloat((int) a), Float.intBitsToFloat((int) b))
                : Double.compare(Double.longBitsToDouble(a), Double.longBitsToDouble(b));
        return (cmp <= 0) == min ? a : b;
    }

    /** FEQ (quiet): 1 or 0. */
    public long eq(int fmt, long a, long b) {
        a = maskS(fmt, a);
        b = maskS(fmt, b);
        if (isNaN(fmt, a) || isNaN(fmt, b)) {
            if (isSignalingNaN(fmt, a) || isSignalingNaN(fmt, b)) {
                flags |= NV;
            }
            return 0;
        }
        return value(fmt, a) == value(fmt, b) ? 1 : 0;
    }

    /** FLT (signaling): 1 or 0. */
    public long lt(int fmt, long a, long b) {
        a = maskS(fmt, a);
        b = maskS(fmt, b);
        if (isNaN(fmt, a) || isNaN(fmt, b)) {
            flags |= NV;
            return 0;
        }
        return value(fmt, a) < value(fmt, b) ? 1 : 0;
    }

    /** FLE (signaling): 1 or 0. */
    public long le(int fmt, long a, long b) {
        a = maskS(fmt, a);
        b = maskS(fmt, b);
        if (isNaN(fmt, a) || isNaN(fmt, b)) {
            flags |= NV;
            return 0;
        }
        return value(fmt, a) <= value(fmt, b) ? 1 : 0;
    }

    /** The value of a non-NaN operand as a double (exact for binary32). */
    private static double value(int fmt, long v) {
        return fmt == FMT_S ? Float.intBitsToFloat((int) v) : Double.longBitsToDouble(v);
    }

    /** FCLASS: the one-hot class mask. */
    public long classify(int fmt, long a) {
        a = maskS(fmt, a);
        boolean neg = FpuSoftFloat.isNegative(fmt, a);
        int bit;
        if (isInf(fmt, a)) {
            bit = neg ? 0 : 7;
        } else if (isNaN(fmt, a)) {
            bit = isSignalingNaN(fmt, a) ? 8 : 9;
        } else if (isZero(fmt, a)) {
            bit = neg ? 3 : 4;
        } else if ((a & (fmt == FMT_S ? 0x7f80_0000L : 0x7ff0_0000_0000_0000L)) == 0) {
            bit = neg ? 2 : 5;
        } else {
            bit = neg ? 1 : 6;
        }
        return 1L << bit;
    }

    // ---------------------------------------------------------------- conversions

    /** FCVT.S.D / FCVT.D.S. */
    public long convert(int fromFmt, int toFmt, long a, int rm) {
        a = maskS(fromFmt, a);
        if (isNaN(fromFmt, a)) {
            if (isSignalingNaN(fromFmt, a)) {
                flags |= NV;
            }
            return canonicalNaN(toFmt);
        }
        if (fromFmt == toFmt) {
            return a;
        }
        if (fromFmt == FMT_S) {
            return Double.doubleToRawLongBits(toDouble(a)); // exact
        }
        if (isInf(FMT_D, a)) {
            return infinity(FMT_S, a < 0);
        }
        if (isZero(FMT_D, a)) {
            return a < 0 ? SIGN_S : 0;
        }
        return narrowToS(Double.longBitsToDouble(a), rm);
    }

    /** FCVT.{W,WU,L,LU}.fmt: saturating, result as the register value (32-bit results sign-extended). */
    public long toInteger(int fmt, long a, int rm, boolean is64, boolean unsigned) {
        a = maskS(fmt, a);
        if (isNaN(fmt, a)) {
            flags |= NV;
            return is64 ? (unsigned ? -1L : Long.MAX_VALUE) : (unsigned ? -1L : Integer.MAX_VALUE);
        }
        double x = value(fmt, a);
        double r = roundToIntegral(x, rm);
        long result;
        boolean inRange;
        if (!is64) {
            if (unsigned) {
                inRange = r >= 0 && r <= 0xffff_ffffL; // -0.0 >= 0 holds: small negatives round to 0
                result = inRange ? (int) (long) r : (r < 0 ? 0 : -1L);
            } else {
                inRange = r >= Integer.MIN_VALUE && r <= Integer.MAX_VALUE;
                result = inRange ? (int) r : (r < 0 ? Integer.MIN_VALUE : Integer.MAX_VALUE);
            }
        } else if (unsigned) {
            inRange = r >= 0 && r < 0x1p64;
            if (!inRange) {
                result = r < 0 ? 0 : -1L;
            } else {
                result = r < 0x1p63 ? (long) r : (long) (r - 0x1p63) ^ Long.MIN_VALUE;
            }
        } else {
            inRange = r >= -0x1p63 && r < 0x1p63;
            result = inRange ? (long) r : (r < 0 ? Long.MIN_VALUE : Long.MAX_VALUE);
        }
        if (!inRange) {
            flags |= NV;
        } else if (r != x) {
            flags |= NX;
        }
        return result;
    }

    /** Rounds to an integral double in the given mode; infinities pass through. */
    private static double roundToIntegral(double x, int rm) {
        return switch (rm) {
            case RNE -> Math.rint(x);
            case RTZ -> x < 0 ? Math.ceil(x) : Math.floor(x);
            case RDN -> Math.floor(x);
            case RUP -> Math.ceil(x);
            default -> {
                double t = x < 0 ? Math.ceil(x) : Math.floor(x);
                yield Math.abs(x - t) >= 0.5 ? t + Math.copySign(1.0, x) : t; // x - t is exact
            }
        };
    }

    /** FCVT.fmt.{W,WU,L,LU}: {@code value} is the source register. */
    public long fromInteger(int fmt, long value, int rm, boolean is64, boolean unsigned) {
        boolean neg;
        long mag; // unsigned magnitude
        if (!is64) {
            long v = unsigned ? value & 0xffff_ffffL : (int) value;
            neg = v < 0;
            mag = Math.abs(v);
        } else if (unsigned) {
            neg = false;
            mag = value;
        } else {
            neg = value < 0;
            mag = neg ? -value : value; // Long.MIN_VALUE stays 2^63 read unsigned
        }
        if (mag == 0) {
            return 0;
        }
        int p = FpuSoftFloat.precision(fmt);
        if ((mag >>> p) == 0) { // exact
            long bits = fmt == FMT_S ? Float.floatToRawIntBits((float) mag) : Double.doubleToRawLongBits((double) mag);
            return neg ? bits | FpuSoftFloat.signBit(fmt) : bits;
        }
        if (mag < 0) { // 2^63 or more: halve with a sticky bit so the significand fits
            return FpuSoftFloat.roundPack(this, fmt, neg, 1, (mag >>> 1) | (mag & 1), rm);
        }
        return FpuSoftFloat.roundPack(this, fmt, neg, 0, mag, rm);
    }
}

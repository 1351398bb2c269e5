package dev.jvmm.cpu.riscv;

import java.math.BigInteger;

/**
 * A slow, exact model of the RISC-V F/D arithmetic for tests, written independently of
 * {@link Fpu}: every finite value is an integer multiple of 2^-G (BigInteger), results are
 * computed exactly (or truncated with a sticky flag for division and square root), and the
 * rounding searches the format's encodings for the neighbours of the exact value instead of
 * shifting significands.
 */
final class FpuReference {

    /** Grid exponent: fine enough for a product of two binary64 subnormals (2^-2148). */
    static final int G = 2200;

    record Result(long bits, int flags) {}

    /** |value| lies in [m, m+1) * 2^-G; strictly inside when sticky. */
    record Exact(boolean neg, BigInteger m, boolean sticky) {
        boolean isZero() {
            return m.signum() == 0 && !sticky;
        }
    }

    private FpuReference() {}

    // ------------------------------------------------------------------ format facts

    static int width(int fmt) {
        return fmt == Fpu.FMT_S ? 32 : 64;
    }

    static int mantBits(int fmt) {
        return fmt == Fpu.FMT_S ? 23 : 52;
    }

    static int expBits(int fmt) {
        return fmt == Fpu.FMT_S ? 8 : 11;
    }

    static long signBit(int fmt) {
        return 1L << (width(fmt) - 1);
    }

    static long infBits(int fmt) {
        return ((1L << expBits(fmt)) - 1) << mantBits(fmt);
    }

    static long maxFiniteBits(int fmt) {
        return infBits(fmt) - 1;
    }

    static long canonicalNaN(int fmt) {
        return fmt == Fpu.FMT_S ? 0x7fc00000L : 0x7ff8000000000000L;
    }

    static long magnitude(int fmt, long bits) {
        return bits & (signBit(fmt) - 1);
    }

    static boolean neg(int fmt, long bits) {
        return (bits & signBit(fmt)) != 0;
    }

    static boolean isNaN(int fmt, long bits) {
        return Long.compareUnsigned(magnitude(fmt, bits), infBits(fmt)) > 0;
    }

    static boolean isSNaN(int fmt, long bits) {
        return isNaN(fmt, bits) && (bits & (1L << (mantBits(fmt) - 1))) == 0;
    }

    static boolean isInf(int fmt, long bits) {
        return magnitude(fmt, bits) == infBits(fmt);
    }

    static boolean isZero(int fmt, long bits) {
        return magnitude(fmt, bits) == 0;
    }

    static int bias(int fmt) {
        return (1 << (expBits(fmt) - 1)) - 1;
    }

    /** The magnitude of a non-NaN encoding (infinity reads as 2^(emax+1)) on the grid. */
    static BigInteger grid(int fmt, long bits) {
        long mag = magnitude(fmt, bits);
        long field = mag >>> mantBits(fmt);
        long mant = mag & ((1L << mantBits(fmt)) - 1);
        long sig = field == 0 ? mant : mant | (1L << mantBits(fmt));
        int exp = (int) Math.max(field, 1) - bias(fmt) - mantBits(fmt);
        return BigInteger.valueOf(sig).shiftLeft(exp + G);
    }

    static Exact exactOf(int fmt, long bits) {
        return new Exact(neg(fmt, bits), grid(fmt, bits), false);
    }

    static int cmp(Exact v, BigInteger x) {
        int c = v.m.compareTo(x);
        return c != 0 ? c : (v.sticky ? 1 : 0);
    }

    // ------------------------------------------------------------------ rounding

    /** Rounds a non-zero exact value to the format. */
    static Result round(int fmt, Exact v, int rm) {
        long sign = v.neg ? signBit(fmt) : 0;
        long inf = infBits(fmt);
        if (cmp(v, grid(fmt, inf)) >= 0) {
            boolean toInf = switch (rm) {
                case Fpu.RTZ -> false;
                case Fpu.RUP -> !v.neg;
                case Fpu.RDN -> v.neg;
                default -> true;
            };
            return new Result(sign | (toInf ? inf : maxFiniteBits(fmt)), Fpu.OF | Fpu.NX);
        }
        // Largest encoding whose value is <= |v|.
        long lo = 0;
        long hiBound = inf - 1;
        while (lo < hiBound) {
            long mid = (lo + hiBound + 1) >>> 1;
            if (cmp(v, grid(fmt, mid)) >= 0) {
                lo = mid;
            } else {
                hiBound = mid - 1;
            }
        }
        BigInteger loV = grid(fmt, lo);
        if (cmp(v, loV) == 0) {
            return new Result(sign | lo, 0);
        }
        long hi = lo + 1;
        BigInteger hiV = grid(fmt, hi);
        boolean up = chooseUp(v, loV, hiV, (lo & 1) != 0, rm);
        long res = up ? hi : lo;
        int flags = Fpu.NX;
        if (res == inf) {
            flags |= Fpu.OF;
        }
        if (isTinyAfterRounding(fmt, v, rm)) {
            flags |= Fpu.UF;
        }
        return new Result(sign | res, flags);
    }

    /** Whether an inexact v rounds (in magnitude) from lo up to hi. */
    private static boolean chooseUp(Exact v, BigInteger loV, BigInteger hiV, boolean loOdd, int rm) {
        Exact twice = new Exact(v.neg, v.m.shiftLeft(1), v.sticky);
        int c = cmp(twice, loV.add(hiV));
        return switch (rm) {
            case Fpu.RNE -> c > 0 || (c == 0 && loOdd);
            case Fpu.RMM -> c >= 0;
            case Fpu.RTZ -> false;
            case Fpu.RUP -> !v.neg;
            case Fpu.RDN -> v.neg;
            default -> throw new IllegalArgumentException();
        };
    }

    /** IEEE tininess after rounding: |v| rounded to p bits with unbounded exponent < 2^emin. */
    private static boolean isTinyAfterRounding(int fmt, Exact v, int rm) {
        int emin = 1 - bias(fmt);
        int p = mantBits(fmt) + 1;
        BigInteger minNormal = BigInteger.ONE.shiftLeft(emin + G);
        if (cmp(v, minNormal) >= 0) {
            return false;
        }
        BigInteger below = minNormal.subtract(BigInteger.ONE.shiftLeft(emin - p + G));
        if (cmp(v, below) <= 0) {
            return true;
        }
        // Between the largest p-bit number below 2^emin (odd) and 2^emin (even).
        return !chooseUp(v, below, minNormal, true, rm);
    }

    private static long zeroOf(int fmt, boolean neg) {
        return neg ? signBit(fmt) : 0;
    }

    private static Result nan(int fmt, boolean invalid) {
        return new Result(canonicalNaN(fmt), invalid ? Fpu.NV : 0);
    }

    private static boolean anySNaN(int fmt, long... xs) {
        for (long x : xs) {
            if (isSNaN(fmt, x)) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyNaN(int fmt, long... xs) {
        for (long x : xs) {
            if (isNaN(fmt, x)) {
                return true;
            }
        }
        return false;
    }

    private static BigInteger signed(Exact e) {
        return e.neg ? e.m.negate() : e.m;
    }

    /** The sum of two exact (non-sticky) values, with IEEE's sign of an exact zero. */
    private static Result roundSum(int fmt, BigInteger sum, boolean negX, boolean negY, boolean bothZero, int rm) {
        if (sum.signum() == 0) {
            if (bothZero && negX == negY) {
                return new Result(zeroOf(fmt, negX), 0);
            }
            return new Result(zeroOf(fmt, rm == Fpu.RDN), 0);
        }
        return round(fmt, new Exact(sum.signum() < 0, sum.abs(), false), rm);
    }

    // ------------------------------------------------------------------ operations

    static Result add(int fmt, long a, long b, int rm) {
        if (anyNaN(fmt, a, b)) {
            return nan(fmt, anySNaN(fmt, a, b));
        }
        if (isInf(fmt, a) || isInf(fmt, b)) {
            if (isInf(fmt, a) && isInf(fmt, b) && neg(fmt, a) != neg(fmt, b)) {
                return nan(fmt, true);
            }
            return new Result(isInf(fmt, a) ? a : b, 0);
        }
        Exact x = exactOf(fmt, a);
        Exact y = exactOf(fmt, b);
        return roundSum(fmt, signed(x).add(signed(y)), x.neg, y.neg, isZero(fmt, a) && isZero(fmt, b), rm);
    }

    static Result sub(int fmt, long a, long b, int rm) {
        return add(fmt, a, b ^ signBit(fmt), rm);
    }

    static Result mul(int fmt, long a, long b, int rm) {
        if (anyNaN(fmt, a, b)) {
            return nan(fmt, anySNaN(fmt, a, b));
        }
        boolean n = neg(fmt, a) != neg(fmt, b);
        if (isInf(fmt, a) || isInf(fmt, b)) {
            if (isZero(fmt, a) || isZero(fmt, b)) {
                return nan(fmt, true);
            }
            return new Result(zeroOf(fmt, n) | infBits(fmt), 0);
        }
        if (isZero(fmt, a) || isZero(fmt, b)) {
            return new Result(zeroOf(fmt, n), 0);
        }
        BigInteger prod = grid(fmt, a).multiply(grid(fmt, b)); // grid 2^-2G
        BigInteger m = prod.shiftRight(G);
        boolean sticky = prod.getLowestSetBit() < G;
        return round(fmt, new Exact(n, m, sticky), rm);
    }

    static Result div(int fmt, long a, long b, int rm) {
        if (anyNaN(fmt, a, b)) {
            return nan(fmt, anySNaN(fmt, a, b));
        }
        boolean n = neg(fmt, a) != neg(fmt, b);
        if (isInf(fmt, a)) {
            return isInf(fmt, b) ? nan(fmt, true) : new Result(zeroOf(fmt, n) | infBits(fmt), 0);
        }
        if (isInf(fmt, b)) {
            return new Result(zeroOf(fmt, n), 0);
        }
        if (isZero(fmt, b)) {
            return isZero(fmt, a) ? nan(fmt, true) : new Result(zeroOf(fmt, n) | infBits(fmt), Fpu.DZ);
        }
        if (isZero(fmt, a)) {
            return new Result(zeroOf(fmt, n), 0);
        }
        BigInteger[] qr = grid(fmt, a).shiftLeft(G).divideAndRemainder(grid(fmt, b));
        return round(fmt, new Exact(n, qr[0], qr[1].signum() != 0), rm);
    }

    static Result sqrt(int fmt, long a, int rm) {
        if (isNaN(fmt, a)) {
            return nan(fmt, isSNaN(fmt, a));
        }
        if (isZero(fmt, a)) {
            return new Result(a, 0);
        }
        if (neg(fmt, a)) {
            return nan(fmt, true);
        }
        if (isInf(fmt, a)) {
            return new Result(a, 0);
        }
        BigInteger[] sr = grid(fmt, a).shiftLeft(G).sqrtAndRemainder();
        return round(fmt, new Exact(false, sr[0], sr[1].signum() != 0), rm);
    }

    static Result fma(int fmt, long a, long b, long c, int rm) {
        boolean zeroTimesInf = (isZero(fmt, a) && isInf(fmt, b)) || (isInf(fmt, a) && isZero(fmt, b));
        if (anyNaN(fmt, a, b, c)) {
            return nan(fmt, zeroTimesInf || anySNaN(fmt, a, b, c));
        }
        if (zeroTimesInf) {
            return nan(fmt, true);
        }
        boolean np = neg(fmt, a) != neg(fmt, b);
        if (isInf(fmt, a) || isInf(fmt, b)) {
            if (isInf(fmt, c) && neg(fmt, c) != np) {
                return nan(fmt, true);
            }
            return new Result(zeroOf(fmt, np) | infBits(fmt), 0);
        }
        if (isInf(fmt, c)) {
            return new Result(c, 0);
        }
        BigInteger prod = grid(fmt, a).multiply(grid(fmt, b)); // grid 2^-2G
        if (np) {
            prod = prod.negate();
        }
        BigInteger cc = grid(fmt, c).shiftLeft(G);
        if (neg(fmt, c)) {
            cc = cc.negate();
        }
        BigInteger sum = prod.add(cc);
        boolean productZero = isZero(fmt, a) || isZero(fmt, b);
        if (sum.signum() == 0) {
            return roundSum(fmt, BigInteger.ZERO, np, neg(fmt, c), productZero && isZero(fmt, c), rm);
        }
        BigInteger mag = sum.abs();
        return round(fmt, new Exact(sum.signum() < 0, mag.shiftRight(G), mag.getLowestSetBit() < G), rm);
    }

    static Result convert(int from, int to, long a, int rm) {
        if (isNaN(from, a)) {
            return nan(to, isSNaN(from, a));
        }
        boolean n = neg(from, a);
        if (isInf(from, a)) {
            return new Result(zeroOf(to, n) | infBits(to), 0);
        }
        if (isZero(from, a)) {
            return new Result(zeroOf(to, n), 0);
        }
        return round(to, exactOf(from, a), rm);
    }

    static Result toInteger(int fmt, long a, int rm, boolean is64, boolean unsigned) {
        BigInteger min = unsigned ? BigInteger.ZERO : BigInteger.ONE.shiftLeft(is64 ? 63 : 31).negate();
        BigInteger max = unsigned ? BigInteger.ONE.shiftLeft(is64 ? 64 : 32).subtract(BigInteger.ONE)
                : BigInteger.ONE.shiftLeft(is64 ? 63 : 31).subtract(BigInteger.ONE);
        BigInteger r;
        boolean exact = true;
        if (isNaN(fmt, a)) {
            r = null;
        } else if (isInf(fmt, a)) {
            r = neg(fmt, a) ? min.subtract(BigInteger.ONE) : max.add(BigInteger.ONE);
        } else {
            BigInteger[] qr = grid(fmt, a).divideAndRemainder(BigInteger.ONE.shiftLeft(G));
            BigInteger q = qr[0];
            BigInteger twiceRem = qr[1].shiftLeft(1);
            BigInteger unit = BigInteger.ONE.shiftLeft(G);
            boolean n = neg(fmt, a);
            exact = qr[1].signum() == 0;
            boolean up = !exact && switch (rm) {
                case Fpu.RNE -> twiceRem.compareTo(unit) > 0 || (twiceRem.equals(unit) && q.testBit(0));
                case Fpu.RMM -> twiceRem.compareTo(unit) >= 0;
                case Fpu.RTZ -> false;
                case Fpu.RUP -> !n;
                case Fpu.RDN -> n;
                default -> throw new IllegalArgumentException();
            };
            r = up ? q.add(BigInteger.ONE) : q;
            if (n) {
                r = r.negate();
            }
        }
        long bits;
        int flags;
        if (r == null || r.compareTo(max) > 0) {
            bits = max.longValue();
            flags = Fpu.NV;
        } else if (r.compareTo(min) < 0) {
            bits = min.longValue();
            flags = Fpu.NV;
        } else {
            bits = r.longValue();
            flags = exact ? 0 : Fpu.NX;
        }
        if (!is64) {
            bits = (int) bits;
        }
        return new Result(bits, flags);
    }

    static Result fromInteger(int fmt, long value, int rm, boolean is64, boolean unsigned) {
        BigInteger v;
        if (is64) {
            v = unsigned ? new BigInteger(Long.toUnsignedString(value)) : BigInteger.valueOf(value);
        } else {
            v = unsigned ? BigInteger.valueOf(value & 0xffffffffL) : BigInteger.valueOf((int) value);
        }
        if (v.signum() == 0) {
            return new Result(0, 0);
        }
        return round(fmt, new Exact(v.signum() < 0, v.abs().shiftLeft(G), false), rm);
    }
}

package dev.jvmm.cpu.riscv;

/**
 * Exact software floating point over integer significands: the slow path of {@link Fpu} for
 * the cases the hardware fast paths cannot decide (tiny and overflowing results, FMA, and the
 * final rounding of every single-precision result).
 *
 * <p>A value in flight is {@code (-1)^neg * sig * 2^exp} with {@code sig} a positive long
 * below 2^63; when bits were dropped, bit 0 of {@code sig} is ORed with 1 ("sticky"), which
 * is sound because every caller keeps at least two bits below the rounding position.
 * Operands are raw bit patterns of the format ({@link Fpu#FMT_S} in the low 32 bits), finite
 * and non-zero: the caller handles NaN, infinity and zero first.
 */
final class FpuSoftFloat {

    private FpuSoftFloat() {}

    static int precision(int fmt) {
        return fmt == Fpu.FMT_S ? 24 : 53;
    }

    static int minExponent(int fmt) {
        return fmt == Fpu.FMT_S ? -126 : -1022;
    }

    static int maxExponent(int fmt) {
        return fmt == Fpu.FMT_S ? 127 : 1023;
    }

    static long signBit(int fmt) {
        return fmt == Fpu.FMT_S ? 0x8000_0000L : Long.MIN_VALUE;
    }

    static boolean isNegative(int fmt, long bits) {
        return (bits & signBit(fmt)) != 0;
    }

    /** The integer significand of a finite value, implicit bit included. */
    static long significand(int fmt, long bits) {
        if (fmt == Fpu.FMT_S) {
            long mant = bits & 0x7f_ffffL;
            return ((bits >>> 23) & 0xff) == 0 ? mant : mant | (1L << 23);
        }
        long mant = bits & 0xf_ffff_ffff_ffffL;
        return ((bits >>> 52) & 0x7ff) == 0 ? mant : mant | (1L << 52);
    }

    /** The exponent of the significand's bit 0 for a finite value. */
    static int exponent(int fmt, long bits) {
        if (fmt == Fpu.FMT_S) {
            return Math.max((int) (bits >>> 23) & 0xff, 1) - 150;
        }
        return Math.max((int) (bits >>> 52) & 0x7ff, 1) - 1075;
    }

    /**
     * Rounds {@code (-1)^neg * sig * 2^exp} (sig > 0, sticky in bit 0) to the format,
     * accruing NX/UF/OF. Tininess is detected after rounding, as RISC-V requires.
     */
    static long roundPack(Fpu fpu, int fmt, boolean neg, int exp, long sig, int rm) {
        int p = precision(fmt);
        int emin = minExponent(fmt);
        int lz = Long.numberOfLeadingZeros(sig);
        sig <<= lz - 1; // MSB at bit 62
        exp -= lz - 1;
        int e = exp + 62; // exponent of the leading bit

        boolean tiny = false;
        if (e < emin) {
            // Tiny unless rounding to p bits with an unbounded exponent carries up to 2^emin.
            tiny = !(e == emin - 1 && roundsToCarry(sig, 63 - p, p, neg, rm));
        }
        int lsbExp = Math.max(e, emin) - (p - 1);
        int shift = lsbExp - exp; // >= 63 - p
        long q;
        boolean round;
        boolean sticky;
        if (shift >= 64) {
            q = 0;
            round = false;
            sticky = true;
        } else {
            q = sig >>> shift;
            round = ((sig >>> (shift - 1)) & 1) != 0;
            sticky = (sig & ((1L << (shift - 1)) - 1)) != 0;
        }
        boolean inexact = round | sticky;
        if (increments(rm, neg, (q & 1) != 0, round, sticky)) {
            q++;
        }
        int flags = 0;
        if (inexact) {
            flags |= Fpu.NX;
            if (tiny) {
                flags |= Fpu.UF;
            }
        }
        long sign = neg ? signBit(fmt) : 0;
        long bits;
        if (e < emin) {
            bits = q; // a carry into bit p-1 yields the smallest normal exponent field
        } else {
            int bias = maxExponent(fmt);
            bits = ((long) (e + bias - 1) << (p - 1)) + q; // a carry to 2^p bumps the exponent
            if ((bits >>> (p - 1)) >= 2L * bias + 1) {
                fpu.flags |= flags | Fpu.OF | Fpu.NX;
                return sign | overflowResult(fmt, neg, rm);
            }
        }
        fpu.flags |= flags;
        return sign | bits;
    }

    /** The magnitude an overflow produces: infinity, or the largest finite value. */
    static long overflowResult(int fmt, boolean neg, int rm) {
        boolean toInfinity = switch (rm) {
            case Fpu.RTZ -> false;
            case Fpu.RDN -> neg;
            case Fpu.RUP -> !neg;
            default -> true;
        };
        if (fmt == Fpu.FMT_S) {
            return toInfinity ? 0x7f80_0000L : 0x7f7f_ffffL;
        }
        return toInfinity ? 0x7ff0_0000_0000_0000L : 0x7fef_ffff_ffff_ffffL;
    }

    private static boolean roundsToCarry(long sig, int shift, int p, boolean neg, int rm) {
        long q = sig >>> shift;
        boolean round = ((sig >>> (shift - 1)) & 1) != 0;
        boolean sticky = (sig & ((1L << (shift - 1)) - 1)) != 0;
        return q == (1L << p) - 1 && increments(rm, neg, (q & 1) != 0, round, sticky);
    }

    private static boolean increments(int rm, boolean neg, boolean odd, boolean round, boolean sticky) {
        return switch (rm) {
            case Fpu.RNE -> round && (sticky || odd);
            case Fpu.RTZ -> false;
            case Fpu.RDN -> neg && (round || sticky);
            case Fpu.RUP -> !neg && (round || sticky);
            default -> round; // RMM
        };
    }

    /** Rounds a 128-bit significand {@code hi:lo} (non-zero) times 2^exp. */
    private static long roundPack128(Fpu fpu, int fmt, boolean neg, int exp, long hi, long lo, int rm) {
        if (hi == 0 && lo >= 0) {
            return roundPack(fpu, fmt, neg, exp, lo, rm);
        }
        int bitLength = hi != 0 ? 128 - Long.numberOfLeadingZeros(hi) : 64;
        int k = bitLength - 62; // in [2, 66]
        long sig;
        boolean sticky;
        if (k < 64) {
            sig = (hi << (64 - k)) | (lo >>> k);
            sticky = (lo << (64 - k)) != 0;
        } else if (k == 64) {
            sig = hi;
            sticky = lo != 0;
        } else {
            sig = hi >>> (k - 64);
            sticky = lo != 0 || (hi << (128 - k)) != 0;
        }
        return roundPack(fpu, fmt, neg, exp + k, sticky ? sig | 1 : sig, rm);
    }

    static long mul(Fpu fpu, int fmt, long a, long b, int rm) {
        long sa = significand(fmt, a);
        long sb = significand(fmt, b);
        boolean neg = isNegative(fmt, a) != isNegative(fmt, b);
        return roundPack128(fpu, fmt, neg, exponent(fmt, a) + exponent(fmt, b),
                Math.multiplyHigh(sa, sb), sa * sb, rm);
    }

    static long div(Fpu fpu, int fmt, long a, long b, int rm) {
        long sa = significand(fmt, a);
        long sb = significand(fmt, b);
        int ea = exponent(fmt, a);
        int eb = exponent(fmt, b);
        int la = Long.numberOfLeadingZeros(sa) - 11; // MSB to bit 52
        int lb = Long.numberOfLeadingZeros(sb) - 11;
        sa <<= la;
        ea -= la;
        sb <<= lb;
        eb -= lb;
        // Restoring division: q = floor(sa * 2^61 / sb), 61 or 62 bits.
        long q = 0;
        long rem = sa;
        for (int i = 0; i < 62; i++) {
            q <<= 1;
            if (rem >= sb) {
                rem -= sb;
                q |= 1;
            }
            rem <<= 1;
        }
        boolean neg = isNegative(fmt, a) != isNegative(fmt, b);
        return roundPack(fpu, fmt, neg, ea - eb - 61, rem != 0 ? q | 1 : q, rm);
    }

    static long add(Fpu fpu, int fmt, long a, long b, int rm) {
        return sum(fpu, fmt, isNegative(fmt, a), exponent(fmt, a), 0, significand(fmt, a),
                isNegative(fmt, b), exponent(fmt, b), 0, significand(fmt, b), rm);
    }

    /** {@code a * b + c} rounded once; all three finite and non-zero. */
    static long fma(Fpu fpu, int fmt, long a, long b, long c, int rm) {
        long sa = significand(fmt, a);
        long sb = significand(fmt, b);
        boolean negProduct = isNegative(fmt, a) != isNegative(fmt, b);
        return sum(fpu, fmt, negProduct, exponent(fmt, a) + exponent(fmt, b),
                Math.multiplyHigh(sa, sb), sa * sb,
                isNegative(fmt, c), exponent(fmt, c), 0, significand(fmt, c), rm);
    }

    /**
     * Adds two non-zero 128-bit significands of at most 106 bits each. Both are first moved
     * to bit 125, so the smaller one's bits dropped by alignment always lie far below the
     * rounding position and a sticky bit stands in for them.
     */
    private static long sum(Fpu fpu, int fmt,
                            boolean negX, int expX, long xh, long xl,
                            boolean negY, int expY, long yh, long yl, int rm) {
        int nx = nlz128(xh, xl) - 2;
        long t = shlHi(xh, xl, nx);
        xl = shlLo(xl, nx);
        xh = t;
        expX -= nx;
        int ny = nlz128(yh, yl) - 2;
        t = shlHi(yh, yl, ny);
        yl = shlLo(yl, ny);
        yh = t;
        expY -= ny;

        if (expX < expY || (expX == expY && Long.compareUnsigned(xh, yh) < 0)
                || (expX == expY && xh == yh && Long.compareUnsigned(xl, yl) < 0)) {
            boolean bn = negX; negX = negY; negY = bn;
            int be = expX; expX = expY; expY = be;
            long bh = xh; xh = yh; yh = bh;
            long bl = xl; xl = yl; yl = bl;
        }
        int d = expX - expY;
        if (d >= 127) {
            yh = 0;
            yl = 1;
        } else if (d > 0) {
            boolean sticky;
            long h;
            long l;
            if (d < 64) {
                sticky = (yl << (64 - d)) != 0;
                l = (yl >>> d) | (yh << (64 - d));
                h = yh >>> d;
            } else if (d == 64) {
                sticky = yl != 0;
                l = yh;
                h = 0;
            } else {
                sticky = yl != 0 || (yh << (128 - d)) != 0;
                l = yh >>> (d - 64);
                h = 0;
            }
            yh = h;
            yl = sticky ? l | 1 : l;
        }
        long zh;
        long zl;
        if (negX == negY) {
            zl = xl + yl;
            zh = xh + yh + (Long.compareUnsigned(zl, xl) < 0 ? 1 : 0);
        } else {
            zl = xl - yl;
            zh = xh - yh - (Long.compareUnsigned(xl, yl) < 0 ? 1 : 0);
            if (zh == 0 && zl == 0) {
                // Exact cancellation: +0, or -0 when rounding down (IEEE 754 6.3).
                return rm == Fpu.RDN ? signBit(fmt) : 0;
            }
        }
        return roundPack128(fpu, fmt, negX, expX, zh, zl, rm);
    }

    private static int nlz128(long hi, long lo) {
        return hi != 0 ? Long.numberOfLeadingZeros(hi) : 64 + Long.numberOfLeadingZeros(lo);
    }

    private static long shlHi(long hi, long lo, int s) {
        if (s == 0) {
            return hi;
        }
        if (s < 64) {
            return (hi << s) | (lo >>> (64 - s));
        }
        return lo << (s - 64);
    }

    private static long shlLo(long lo, int s) {
        return s >= 64 ? 0 : lo << s;
    }
}

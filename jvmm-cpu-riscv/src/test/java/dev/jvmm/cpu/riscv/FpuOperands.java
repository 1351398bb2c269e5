package dev.jvmm.cpu.riscv;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/** Operand generators biased toward the edges of IEEE arithmetic, for the FPU property tests. */
final class FpuOperands {

    private FpuOperands() {}

    static Arbitrary<Integer> roundingModes() {
        return Arbitraries.integers().between(Fpu.RNE, Fpu.RMM);
    }

    static List<Long> specials(int fmt) {
        if (fmt == Fpu.FMT_S) {
            return List.of(0L, 0x80000000L, 0x7f800000L, 0xff800000L, 0x7fc00000L, 0xffc00000L,
                    0x7f800001L, 0x7fa00000L, 0xff812345L, 0x7fc12345L,
                    0x00000001L, 0x80000001L, 0x007fffffL, 0x807fffffL, 0x00800000L, 0x80800000L,
                    0x00800001L, 0x00400000L, 0x7f7fffffL, 0xff7fffffL, 0x7f7ffffeL,
                    0x3f800000L, 0xbf800000L, 0x3f800001L, 0x3f7fffffL, 0x40000000L, 0x3f000000L,
                    0x4f000000L, 0xcf000000L, 0x4f800000L, 0x5f000000L, 0xdf000000L, 0x5f800000L);
        }
        return List.of(0L, 0x8000000000000000L, 0x7ff0000000000000L, 0xfff0000000000000L,
                0x7ff8000000000000L, 0xfff8000000000000L, 0x7ff0000000000001L, 0x7ff4000000000000L,
                0xfff0000000012345L, 0x7ff8000000012345L,
                1L, 0x8000000000000001L, 0x000fffffffffffffL, 0x800fffffffffffffL,
                0x0010000000000000L, 0x8010000000000000L, 0x0010000000000001L, 0x0008000000000000L,
                0x7fefffffffffffffL, 0xffefffffffffffffL, 0x7feffffffffffffeL,
                0x3ff0000000000000L, 0xbff0000000000000L, 0x3ff0000000000001L, 0x3fefffffffffffffL,
                0x4000000000000000L, 0x3fe0000000000000L,
                0x41e0000000000000L, 0xc1e0000000000000L, 0x41f0000000000000L, 0x43e0000000000000L,
                0xc3e0000000000000L, 0x43f0000000000000L, 0xc1e0000000100000L, 0x41dfffffffc00000L);
    }

    /** Encodings built from a sign, an exponent field and a mantissa. */
    private static Arbitrary<Long> built(int fmt, Arbitrary<Long> fields, Arbitrary<Long> mantissas) {
        int mb = FpuReference.mantBits(fmt);
        return Combinators.combine(Arbitraries.of(true, false), fields, mantissas)
                .as((neg, field, mant) -> (neg ? FpuReference.signBit(fmt) : 0) | (field << mb)
                        | (mant & ((1L << mb) - 1)));
    }

    /** Mantissas with few significant bits at the top, or runs of ones/zeros at the bottom. */
    private static Arbitrary<Long> structuredMantissas(int fmt) {
        int mb = FpuReference.mantBits(fmt);
        Arbitrary<Long> sparseTop = Combinators.combine(Arbitraries.integers().between(0, mb),
                Arbitraries.longs()).as((k, r) -> k == 0 ? 0L : (r >>> (64 - k)) << (mb - k));
        Arbitrary<Long> lowOnes = Arbitraries.integers().between(0, mb).map(k -> (1L << k) - 1);
        Arbitrary<Long> highPlusLowBit = Combinators.combine(Arbitraries.integers().between(0, mb - 1),
                Arbitraries.longs()).as((k, r) -> ((r >>> 58) << (mb - 6)) | (1L << k));
        return Arbitraries.oneOf(sparseTop, lowOnes, highPlusLowBit, Arbitraries.longs());
    }

    /** Random operands of a format, biased toward specials, subnormals, range edges and ties. */
    static Arbitrary<Long> operands(int fmt) {
        long maxField = (1L << FpuReference.expBits(fmt)) - 1;
        long bias = FpuReference.bias(fmt);
        long widthMask = fmt == Fpu.FMT_S ? 0xffffffffL : -1L;
        Arbitrary<Long> mant = structuredMantissas(fmt);
        Arbitrary<Long> edgeFields = Arbitraries.oneOf(
                Arbitraries.longs().between(0, 3),
                Arbitraries.longs().between(maxField - 4, maxField - 1));
        Arbitrary<Long> nearOne = Arbitraries.longs().between(bias - 30, bias + 30);
        Arbitrary<Long> anyField = Arbitraries.longs().between(0, maxField - 1);
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of(specials(fmt))),
                Tuple.of(2, Arbitraries.longs().map(x -> x & widthMask)),
                Tuple.of(3, built(fmt, edgeFields, mant)),
                Tuple.of(5, built(fmt, nearOne, mant)),
                Tuple.of(3, built(fmt, anyField, mant)));
    }

    /** The encoding nearest to a double in the format, moved by {@code delta} encodings. */
    static long near(int fmt, double v, long delta) {
        long bits = fmt == Fpu.FMT_S ? Float.floatToRawIntBits((float) v) & 0xffffffffL
                : Double.doubleToRawLongBits(v);
        long sign = bits & FpuReference.signBit(fmt);
        long mag = FpuReference.magnitude(fmt, bits) + delta;
        mag = Math.max(0, Math.min(mag, FpuReference.infBits(fmt)));
        return sign | mag;
    }

    static double value(int fmt, long bits) {
        return fmt == Fpu.FMT_S ? Float.intBitsToFloat((int) bits) : Double.longBitsToDouble(bits);
    }

    /** Interesting result magnitudes: range edges, the underflow boundary, ordinary values. */
    static Arbitrary<Double> targets(int fmt) {
        double minNormal = fmt == Fpu.FMT_S ? Float.MIN_NORMAL : Double.MIN_NORMAL;
        double max = fmt == Fpu.FMT_S ? Float.MAX_VALUE : Double.MAX_VALUE;
        double minSub = fmt == Fpu.FMT_S ? Float.MIN_VALUE : Double.MIN_VALUE;
        return Arbitraries.of(minNormal, -minNormal, max, -max, minSub * 3, minSub * 1000, 1.0, -3.0,
                minNormal * 0.5, minNormal * 0.75);
    }

    /** Pairs: independent, nearly cancelling (b ~ -a), or with a*b or a/b near a target. */
    static Arbitrary<long[]> pairs(int fmt) {
        Arbitrary<Long> ops = operands(fmt);
        Arbitrary<Long> deltas = Arbitraries.longs().between(-3, 3);
        Arbitrary<long[]> independent = Combinators.combine(ops, ops).as((a, b) -> new long[] {a, b});
        Arbitrary<long[]> cancelling = Combinators.combine(ops, deltas)
                .as((a, d) -> new long[] {a, near(fmt, -value(fmt, a), d)});
        Arbitrary<long[]> productNear = Combinators.combine(ops, targets(fmt), deltas)
                .as((a, t, d) -> new long[] {a, near(fmt, t / value(fmt, a), d)});
        Arbitrary<long[]> quotientNear = Combinators.combine(ops, targets(fmt), deltas)
                .as((a, t, d) -> new long[] {a, near(fmt, value(fmt, a) / t, d)});
        return Arbitraries.frequencyOf(
                Tuple.of(4, independent), Tuple.of(2, cancelling),
                Tuple.of(2, productNear), Tuple.of(2, quotientNear));
    }

    /** FMA triples: independent, or with c cancelling most of a*b, or a*b near a target. */
    static Arbitrary<long[]> triples(int fmt) {
        Arbitrary<Long> ops = operands(fmt);
        Arbitrary<Long> deltas = Arbitraries.longs().between(-3, 3);
        Arbitrary<long[]> independent = Combinators.combine(ops, ops, ops).as((a, b, c) -> new long[] {a, b, c});
        Arbitrary<long[]> cancelling = Combinators.combine(ops, ops, deltas)
                .as((a, b, d) -> new long[] {a, b, near(fmt, -(value(fmt, a) * value(fmt, b)), d)});
        Arbitrary<long[]> productNear = Combinators.combine(ops, targets(fmt), deltas, ops)
                .as((a, t, d, c) -> new long[] {a, near(fmt, t / value(fmt, a), d), c});
        Arbitrary<long[]> smallAddend = Combinators.combine(ops, ops, targets(fmt), deltas)
                .as((a, b, t, d) -> new long[] {a, b, near(fmt, value(fmt, a) * value(fmt, b) * 0x1p-60, d)});
        // c = minus the rounding error of a*b: the exact result is representable, and the
        // lowest set bits of a*b and c coincide.
        Arbitrary<long[]> errorAddend = Combinators.combine(ops, ops, deltas)
                .as((a, b, d) -> new long[] {a, b, near(fmt, -productError(fmt, a, b), d)});
        return Arbitraries.frequencyOf(
                Tuple.of(3, independent), Tuple.of(3, cancelling),
                Tuple.of(2, productNear), Tuple.of(1, smallAddend), Tuple.of(2, errorAddend));
    }

    /** a*b minus its rounding to the format (approximate when it underflows). */
    private static double productError(int fmt, long a, long b) {
        double x = value(fmt, a);
        double y = value(fmt, b);
        if (fmt == Fpu.FMT_S) {
            double p = x * y; // exact
            return p - (float) p;
        }
        return Math.fma(x, y, -(x * y));
    }
}

package dev.jvmm.cpu.riscv;

import static dev.jvmm.cpu.riscv.FpuArithmeticPropertyTest.assertMatches;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Conversions, comparisons, min/max and classify against independent models. */
class FpuConversionPropertyTest {

    private static final int TRIES = 2500;

    @Provide Arbitrary<Long> operandsS() { return FpuOperands.operands(Fpu.FMT_S); }
    @Provide Arbitrary<Long> operandsD() { return FpuOperands.operands(Fpu.FMT_D); }
    @Provide Arbitrary<long[]> pairsS() { return FpuOperands.pairs(Fpu.FMT_S); }
    @Provide Arbitrary<long[]> pairsD() { return FpuOperands.pairs(Fpu.FMT_D); }
    @Provide Arbitrary<Integer> rm() { return FpuOperands.roundingModes(); }

    /** Integers near powers of two (rounding boundaries of both formats) and random ones. */
    @Provide Arbitrary<Long> integers() {
        Arbitrary<Long> nearPowers = net.jqwik.api.Combinators.combine(
                Arbitraries.integers().between(0, 63), Arbitraries.longs().between(-4, 4),
                Arbitraries.of(true, false))
                .as((k, d, neg) -> {
                    long v = (1L << k) + d;
                    return neg ? -v : v;
                });
        Arbitrary<Long> sparse = net.jqwik.api.Combinators.combine(
                Arbitraries.integers().between(0, 60), Arbitraries.longs().between(1, 15))
                .as((k, top) -> (top << k) | (k > 30 ? 1L << (k - 30) : 0));
        return Arbitraries.oneOf(nearPowers, sparse, Arbitraries.longs(), Arbitraries.longs().between(-1000, 1000));
    }

    @Property(tries = TRIES, seed = "20240611")
    void singleToDoubleAndBackMatchExactReference(@ForAll("operandsS") long s, @ForAll("operandsD") long d,
                                                  @ForAll("rm") int rm) {
        Fpu fpu = new Fpu();
        long r = fpu.convert(Fpu.FMT_S, Fpu.FMT_D, s, rm);
        assertMatches("fcvt.d.s", Fpu.FMT_S, rm, new long[] {s},
                FpuReference.convert(Fpu.FMT_S, Fpu.FMT_D, s, rm), r, fpu.flags);
        fpu.flags = 0;
        r = fpu.convert(Fpu.FMT_D, Fpu.FMT_S, d, rm);
        assertMatches("fcvt.s.d", Fpu.FMT_D, rm, new long[] {d},
                FpuReference.convert(Fpu.FMT_D, Fpu.FMT_S, d, rm), r, fpu.flags);
    }

    private static void checkToInteger(int fmt, long a, int rm) {
        for (int kind = 0; kind < 4; kind++) {
            boolean is64 = kind >= 2;
            boolean unsigned = (kind & 1) != 0;
            Fpu fpu = new Fpu();
            long r = fpu.toInteger(fmt, a, rm, is64, unsigned);
            assertMatches("fcvt.to" + (is64 ? "L" : "W") + (unsigned ? "U" : ""), fmt, rm, new long[] {a},
                    FpuReference.toInteger(fmt, a, rm, is64, unsigned), r, fpu.flags);
        }
    }

    @Property(tries = TRIES, seed = "20240612")
    void singleToIntegerMatchesExactReference(@ForAll("operandsS") long a, @ForAll("rm") int rm) {
        checkToInteger(Fpu.FMT_S, a, rm);
    }

    @Property(tries = TRIES, seed = "20240613")
    void doubleToIntegerMatchesExactReference(@ForAll("operandsD") long a, @ForAll("rm") int rm) {
        checkToInteger(Fpu.FMT_D, a, rm);
    }

    @Property(tries = 800, seed = "20240614") // 8 conversions per try
    void integerToFloatMatchesExactReference(@ForAll("integers") long v, @ForAll("rm") int rm) {
        for (int fmt = Fpu.FMT_S; fmt <= Fpu.FMT_D; fmt++) {
            for (int kind = 0; kind < 4; kind++) {
                boolean is64 = kind >= 2;
                boolean unsigned = (kind & 1) != 0;
                Fpu fpu = new Fpu();
                long r = fpu.fromInteger(fmt, v, rm, is64, unsigned);
                assertMatches("fcvt.from" + (is64 ? "L" : "W") + (unsigned ? "U" : ""), fmt, rm, new long[] {v},
                        FpuReference.fromInteger(fmt, v, rm, is64, unsigned), r, fpu.flags);
            }
        }
    }

    /** Exact comparison of two non-NaN encodings, from their grid values. */
    private static int compareExact(int fmt, long a, long b) {
        BigInteger x = FpuReference.grid(fmt, a);
        BigInteger y = FpuReference.grid(fmt, b);
        if (FpuReference.neg(fmt, a)) {
            x = x.negate();
        }
        if (FpuReference.neg(fmt, b)) {
            y = y.negate();
        }
        return x.compareTo(y);
    }

    private static void checkCompareAndMinMax(int fmt, long a, long b) {
        boolean anyNaN = FpuReference.isNaN(fmt, a) || FpuReference.isNaN(fmt, b);
        boolean anySNaN = FpuReference.isSNaN(fmt, a) || FpuReference.isSNaN(fmt, b);
        String ctx = String.format("fmt=%d a=0x%x b=0x%x", fmt, a, b);
        Fpu fpu = new Fpu();
        long eq = fpu.eq(fmt, a, b);
        int eqFlags = fpu.flags;
        fpu.flags = 0;
        long lt = fpu.lt(fmt, a, b);
        int ltFlags = fpu.flags;
        fpu.flags = 0;
        long le = fpu.le(fmt, a, b);
        int leFlags = fpu.flags;
        if (anyNaN) {
            assertThat(new long[] {eq, lt, le}).as(ctx).containsExactly(0, 0, 0);
            assertThat(eqFlags).as(ctx + " feq flags").isEqualTo(anySNaN ? Fpu.NV : 0);
            assertThat(ltFlags).as(ctx + " flt flags").isEqualTo(Fpu.NV);
            assertThat(leFlags).as(ctx + " fle flags").isEqualTo(Fpu.NV);
        } else {
            int c = compareExact(fmt, a, b);
            assertThat(new long[] {eq, lt, le}).as(ctx)
                    .containsExactly(c == 0 ? 1 : 0, c < 0 ? 1 : 0, c <= 0 ? 1 : 0);
            assertThat(eqFlags | ltFlags | leFlags).as(ctx + " flags").isZero();
        }

        fpu.flags = 0;
        long min = fpu.min(fmt, a, b);
        long max = fpu.max(fmt, a, b);
        assertThat(fpu.flags).as(ctx + " min/max flags").isEqualTo(anySNaN ? Fpu.NV : 0);
        long expectedMin;
        long expectedMax;
        if (FpuReference.isNaN(fmt, a) && FpuReference.isNaN(fmt, b)) {
            expectedMin = expectedMax = FpuReference.canonicalNaN(fmt);
        } else if (FpuReference.isNaN(fmt, a)) {
            expectedMin = expectedMax = b;
        } else if (FpuReference.isNaN(fmt, b)) {
            expectedMin = expectedMax = a;
        } else {
            int c = compareExact(fmt, a, b);
            if (c == 0) { // equal values: only +0/-0 differ, and -0 counts as smaller
                c = Boolean.compare(!FpuReference.neg(fmt, a), !FpuReference.neg(fmt, b));
            }
            expectedMin = c <= 0 ? a : b;
            expectedMax = c <= 0 ? b : a;
        }
        assertThat(Long.toHexString(min)).as(ctx + " min").isEqualTo(Long.toHexString(expectedMin));
        assertThat(Long.toHexString(max)).as(ctx + " max").isEqualTo(Long.toHexString(expectedMax));
    }

    @Property(tries = TRIES, seed = "20240615")
    void comparisonsAndMinMaxOfSingleFollowIeee(@ForAll("pairsS") long[] ab) {
        checkCompareAndMinMax(Fpu.FMT_S, ab[0], ab[1]);
    }

    @Property(tries = TRIES, seed = "20240616")
    void comparisonsAndMinMaxOfDoubleFollowIeee(@ForAll("pairsD") long[] ab) {
        checkCompareAndMinMax(Fpu.FMT_D, ab[0], ab[1]);
    }

    private static long expectedClass(int fmt, long a) {
        boolean neg = FpuReference.neg(fmt, a);
        long mag = FpuReference.magnitude(fmt, a);
        long minNormal = 1L << FpuReference.mantBits(fmt);
        int bit;
        if (FpuReference.isNaN(fmt, a)) {
            bit = FpuReference.isSNaN(fmt, a) ? 8 : 9;
        } else if (FpuReference.isInf(fmt, a)) {
            bit = neg ? 0 : 7;
        } else if (mag == 0) {
            bit = neg ? 3 : 4;
        } else if (mag < minNormal) {
            bit = neg ? 2 : 5;
        } else {
            bit = neg ? 1 : 6;
        }
        return 1L << bit;
    }

    @Property(tries = TRIES, seed = "20240617")
    void classifyReturnsTheOneHotClassOfBothFormats(@ForAll("operandsS") long s, @ForAll("operandsD") long d) {
        Fpu fpu = new Fpu();
        assertThat(fpu.classify(Fpu.FMT_S, s)).as("fclass.s 0x%x", s).isEqualTo(expectedClass(Fpu.FMT_S, s));
        assertThat(fpu.classify(Fpu.FMT_D, d)).as("fclass.d 0x%x", d).isEqualTo(expectedClass(Fpu.FMT_D, d));
        assertThat(fpu.flags).isZero();
    }
}

package dev.jvmm.cpu.riscv;

import static dev.jvmm.cpu.riscv.Fpu.FMT_D;
import static dev.jvmm.cpu.riscv.Fpu.FMT_S;
import static dev.jvmm.cpu.riscv.Fpu.RDN;
import static dev.jvmm.cpu.riscv.Fpu.RMM;
import static dev.jvmm.cpu.riscv.Fpu.RNE;
import static dev.jvmm.cpu.riscv.Fpu.RTZ;
import static dev.jvmm.cpu.riscv.Fpu.RUP;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Named IEEE 754 / RISC-V corner cases, each with the exact bits and flags expected. */
class FpuEdgeCaseTest {

    private final Fpu fpu = new Fpu();

    private static long d(double v) {
        return Double.doubleToRawLongBits(v);
    }

    private static long s(float v) {
        return Float.floatToRawIntBits(v) & 0xffffffffL;
    }

    private void expect(long actual, long bits, int flags) {
        assertThat(Long.toHexString(actual)).isEqualTo(Long.toHexString(bits));
        assertThat(fpu.flags).isEqualTo(flags);
        fpu.flags = 0;
    }

    @Test
    void nanResultsAreCanonicalAndPayloadsAreDropped() {
        expect(fpu.add(FMT_D, 0x7ff8000000012345L, d(1), RNE), Fpu.CANONICAL_NAN_D, 0);
        expect(fpu.mul(FMT_S, 0xffc12345L, s(2), RNE), Fpu.CANONICAL_NAN_S, 0);
        expect(fpu.convert(FMT_S, FMT_D, 0x7fc12345L, RNE), Fpu.CANONICAL_NAN_D, 0);
        expect(fpu.convert(FMT_D, FMT_S, 0xfff8000000000001L, RNE), Fpu.CANONICAL_NAN_S, 0);
    }

    @Test
    void signalingNaNOperandRaisesInvalid() {
        expect(fpu.add(FMT_D, 0x7ff0000000000001L, d(1), RNE), Fpu.CANONICAL_NAN_D, Fpu.NV);
        expect(fpu.sqrt(FMT_S, 0x7f800001L, RNE), Fpu.CANONICAL_NAN_S, Fpu.NV);
        expect(fpu.convert(FMT_S, FMT_D, 0x7f800001L, RNE), Fpu.CANONICAL_NAN_D, Fpu.NV);
    }

    @Test
    void sumOfOppositesIsPositiveZeroExceptWhenRoundingDown() {
        for (int rm : new int[] {RNE, RTZ, RUP, RMM}) {
            expect(fpu.add(FMT_D, d(1.5), d(-1.5), rm), 0, 0);
            expect(fpu.sub(FMT_S, s(3f), s(3f), rm), 0, 0);
            expect(fpu.add(FMT_D, d(0.0), d(-0.0), rm), 0, 0);
        }
        expect(fpu.add(FMT_D, d(1.5), d(-1.5), RDN), d(-0.0), 0);
        expect(fpu.sub(FMT_S, s(3f), s(3f), RDN), s(-0f), 0);
        expect(fpu.add(FMT_S, s(0f), s(-0f), RDN), s(-0f), 0);
        expect(fpu.add(FMT_D, d(-0.0), d(-0.0), RNE), d(-0.0), 0);
        expect(fpu.add(FMT_D, d(0.0), d(0.0), RDN), d(0.0), 0);
    }

    @Test
    void infinityMinusInfinityAndZeroTimesInfinityAreInvalid() {
        expect(fpu.add(FMT_D, d(Double.POSITIVE_INFINITY), d(Double.NEGATIVE_INFINITY), RNE), Fpu.CANONICAL_NAN_D, Fpu.NV);
        expect(fpu.mul(FMT_S, s(0f), s(Float.NEGATIVE_INFINITY), RNE), Fpu.CANONICAL_NAN_S, Fpu.NV);
        expect(fpu.div(FMT_D, d(0.0), d(-0.0), RNE), Fpu.CANONICAL_NAN_D, Fpu.NV);
        expect(fpu.div(FMT_S, s(Float.POSITIVE_INFINITY), s(Float.NEGATIVE_INFINITY), RNE), Fpu.CANONICAL_NAN_S, Fpu.NV);
    }

    @Test
    void fmaOfZeroTimesInfinityIsInvalidEvenWithQuietNaNAddend() {
        expect(fpu.fma(FMT_D, d(0.0), d(Double.POSITIVE_INFINITY), Fpu.CANONICAL_NAN_D, RNE), Fpu.CANONICAL_NAN_D, Fpu.NV);
        expect(fpu.fma(FMT_S, s(Float.POSITIVE_INFINITY), s(-0f), Fpu.CANONICAL_NAN_S, RNE), Fpu.CANONICAL_NAN_S, Fpu.NV);
        expect(fpu.fma(FMT_D, d(2.0), d(3.0), Fpu.CANONICAL_NAN_D, RNE), Fpu.CANONICAL_NAN_D, 0);
    }

    @Test
    void divisionByZeroGivesSignedInfinityAndDz() {
        expect(fpu.div(FMT_D, d(-1.0), d(0.0), RNE), d(Double.NEGATIVE_INFINITY), Fpu.DZ);
        expect(fpu.div(FMT_S, s(1f), s(-0f), RTZ), s(Float.NEGATIVE_INFINITY), Fpu.DZ);
    }

    @Test
    void sqrtOfNegativeZeroIsNegativeZeroAndOfNegativeIsInvalid() {
        expect(fpu.sqrt(FMT_D, d(-0.0), RNE), d(-0.0), 0);
        expect(fpu.sqrt(FMT_S, s(-0f), RNE), s(-0f), 0);
        expect(fpu.sqrt(FMT_D, d(-1e-300), RNE), Fpu.CANONICAL_NAN_D, Fpu.NV);
        expect(fpu.sqrt(FMT_S, s(Float.NEGATIVE_INFINITY), RNE), Fpu.CANONICAL_NAN_S, Fpu.NV);
        expect(fpu.sqrt(FMT_D, d(2.0), RNE), d(Math.sqrt(2.0)), Fpu.NX);
        // sqrt(2) rounds up to nearest, so RDN and RTZ take the encoding below.
        expect(fpu.sqrt(FMT_D, d(2.0), RDN), d(Math.nextDown(Math.sqrt(2.0))), Fpu.NX);
        expect(fpu.sqrt(FMT_D, d(2.0), RTZ), d(Math.nextDown(Math.sqrt(2.0))), Fpu.NX);
        expect(fpu.sqrt(FMT_D, d(2.0), RUP), d(Math.sqrt(2.0)), Fpu.NX);
    }

    @Test
    void overflowRoundsToInfinityOrLargestFiniteByMode() {
        double max = Double.MAX_VALUE;
        expect(fpu.mul(FMT_D, d(max), d(2.0), RNE), d(Double.POSITIVE_INFINITY), Fpu.OF | Fpu.NX);
        expect(fpu.mul(FMT_D, d(max), d(2.0), RTZ), d(max), Fpu.OF | Fpu.NX);
        expect(fpu.mul(FMT_D, d(max), d(-2.0), RUP), d(-max), Fpu.OF | Fpu.NX);
        expect(fpu.mul(FMT_D, d(max), d(-2.0), RDN), d(Double.NEGATIVE_INFINITY), Fpu.OF | Fpu.NX);
        expect(fpu.add(FMT_S, s(Float.MAX_VALUE), s(Float.MAX_VALUE), RMM), s(Float.POSITIVE_INFINITY), Fpu.OF | Fpu.NX);
        // Just above MAX but below MAX + half an ulp: RUP overflows, RNE does not.
        expect(fpu.add(FMT_D, d(max), d(1.0), RUP), d(Double.POSITIVE_INFINITY), Fpu.OF | Fpu.NX);
        expect(fpu.add(FMT_D, d(max), d(1.0), RNE), d(max), Fpu.NX);
    }

    @Test
    void underflowIsDetectedAfterRounding() {
        // MIN_NORMAL * (1 - 2^-53) = 2^-1022 - 2^-1075 rounds (RNE, subnormal grid) up to
        // MIN_NORMAL, but with an unbounded exponent it is exact and below 2^-1022: tiny, so UF.
        double belowMinNormal = 0x1.fffffffffffffp-1; // 1 - 2^-53
        expect(fpu.mul(FMT_D, d(Double.MIN_NORMAL), d(belowMinNormal), RNE), d(Double.MIN_NORMAL), Fpu.UF | Fpu.NX);
        // Rounded toward zero it stays below 2^-1022: tiny and inexact.
        expect(fpu.mul(FMT_D, d(Double.MIN_NORMAL), d(belowMinNormal), RTZ),
                d(Math.nextDown(Double.MIN_NORMAL)), Fpu.UF | Fpu.NX);
        // 2^-1022 * (1 - 2^-104) is tiny before rounding, but rounds to 2^-1022 even with an
        // unbounded exponent: not tiny after rounding, so NX without UF.
        double x = 0x1.ffffffffffffep-1; // 1 - 2^-52
        double y = 0x1.0000000000001p0;  // 1 + 2^-52, x*y = 1 - 2^-104
        expect(fpu.fma(FMT_D, d(x * 0x1p-511), d(y * 0x1p-511), d(0), RNE), d(Double.MIN_NORMAL), Fpu.NX);
        // Single precision: exact subnormal results raise nothing.
        expect(fpu.mul(FMT_S, s(Float.MIN_NORMAL), s(0.5f), RNE), s(Float.MIN_NORMAL / 2), 0);
        expect(fpu.mul(FMT_S, s(Float.MIN_VALUE), s(0.5f), RNE), 0, Fpu.UF | Fpu.NX);
        expect(fpu.mul(FMT_S, s(Float.MIN_VALUE), s(0.5f), RUP), s(Float.MIN_VALUE), Fpu.UF | Fpu.NX);
    }

    @Test
    void fmaRoundsOnceWithoutDoubleRounding() {
        // a*b = 1 + 2^-24 + 2^-48 exactly: rounding to binary64 first gives 1 + 2^-24 (a tie
        // in binary32 that would go to 1.0), but the single rounding must give 1 + 2^-23.
        float a = 1f + 0x1p-24f * 2;     // 1 + 2^-23
        float b = 1f - 0x1p-24f;         // 1 - 2^-24
        // (1 + 2^-23)(1 - 2^-24) = 1 + 2^-24 - 2^-47: just below the tie, so 1.0 with NX.
        expect(fpu.fma(FMT_S, s(a), s(b), s(0f), RNE), s(1f), Fpu.NX);
        float c = 1f + 0x1p-23f;
        float e = 1f + 0x1p-23f;        // (1 + 2^-23)^2 = 1 + 2^-22 + 2^-46
        expect(fpu.fma(FMT_S, s(c), s(e), s(-0x1p-22f), RNE), s(1f), Fpu.NX);
        // (1 + 2^-30)^2 - (2^-29 + 2^-60) = 1 exactly: low bits cancel, no NX.
        expect(fpu.fma(FMT_D, d(1.0 + 0x1p-30), d(1.0 + 0x1p-30), d(-(0x1p-29 + 0x1p-60)), RNE), d(1.0), 0);
        // Binary64: fma(x, x, -x*x) recovers the rounding error of x*x exactly.
        double x = 1.0 + 0x1p-30;
        expect(fpu.fma(FMT_D, d(x), d(x), d(-(x * x)), RNE), d(0x1p-60), 0);
        // (1 - 2^-24)(1 + 2^-23) + 2^-47(1 + 2^-23) = 1 + 2^-24 + 2^-70: rounding first to
        // binary64 would drop 2^-70 and leave a binary32 tie (-> 1.0); once rounded: 1 + 2^-23.
        expect(fpu.fma(FMT_S, 0x3f7fffffL, 0x3f800001L, s(0x1p-47f * (1f + 0x1p-23f)), RNE),
                0x3f800001L, Fpu.NX);
    }

    @Test
    void toIntegerSaturatesOutOfRangeAndNaN() {
        expect(fpu.toInteger(FMT_D, d(0x1p31), RNE, false, false), 0x7fffffffL, Fpu.NV);
        expect(fpu.toInteger(FMT_D, d(-0x1p31 - 0.5), RTZ, false, false), 0xffffffff80000000L, Fpu.NX);
        expect(fpu.toInteger(FMT_D, d(-0x1p31 - 0.5), RNE, false, false), 0xffffffff80000000L, Fpu.NX);
        expect(fpu.toInteger(FMT_D, d(-0x1p31 - 0.5), RDN, false, false), 0xffffffff80000000L, Fpu.NV);
        expect(fpu.toInteger(FMT_D, d(-0x1p31 - 1), RTZ, false, false), 0xffffffff80000000L, Fpu.NV);
        expect(fpu.toInteger(FMT_D, Fpu.CANONICAL_NAN_D, RNE, false, false), 0x7fffffffL, Fpu.NV);
        expect(fpu.toInteger(FMT_S, Fpu.CANONICAL_NAN_S, RNE, true, false), Long.MAX_VALUE, Fpu.NV);
        expect(fpu.toInteger(FMT_D, Fpu.CANONICAL_NAN_D, RNE, false, true), -1L, Fpu.NV);
        expect(fpu.toInteger(FMT_D, d(Double.NEGATIVE_INFINITY), RNE, true, false), Long.MIN_VALUE, Fpu.NV);
        expect(fpu.toInteger(FMT_D, d(Double.POSITIVE_INFINITY), RNE, true, true), -1L, Fpu.NV);
        expect(fpu.toInteger(FMT_D, d(-1.0), RNE, true, true), 0, Fpu.NV);
        expect(fpu.toInteger(FMT_D, d(-0.25), RNE, false, true), 0, Fpu.NX);
        expect(fpu.toInteger(FMT_D, d(0x1p63), RNE, true, false), Long.MAX_VALUE, Fpu.NV);
        expect(fpu.toInteger(FMT_D, d(0x1p63), RNE, true, true), Long.MIN_VALUE, 0);
    }

    @Test
    void unsignedWordResultsAreSignExtended() {
        expect(fpu.toInteger(FMT_D, d(0xffffffffL), RNE, false, true), -1L, 0);
        expect(fpu.toInteger(FMT_S, s(0x1p31f), RNE, false, true), 0xffffffff80000000L, 0);
        expect(fpu.toInteger(FMT_D, d(3.5), RNE, false, true), 4, Fpu.NX);
    }

    @Test
    void toIntegerRoundsTiesPerMode() {
        expect(fpu.toInteger(FMT_D, d(2.5), RNE, true, false), 2, Fpu.NX);
        expect(fpu.toInteger(FMT_D, d(2.5), RMM, true, false), 3, Fpu.NX);
        expect(fpu.toInteger(FMT_D, d(-2.5), RMM, true, false), -3, Fpu.NX);
        expect(fpu.toInteger(FMT_D, d(-2.5), RUP, true, false), -2, Fpu.NX);
        expect(fpu.toInteger(FMT_D, d(0.49999999999999994), RMM, true, false), 0, Fpu.NX);
    }

    @Test
    void fromIntegerRoundsLargeValuesPerMode() {
        long big = (1L << 53) + 1;
        expect(fpu.fromInteger(FMT_D, big, RNE, true, false), d(0x1p53), Fpu.NX);
        expect(fpu.fromInteger(FMT_D, big, RUP, true, false), d(0x1p53 + 2), Fpu.NX);
        expect(fpu.fromInteger(FMT_D, -1L, RNE, true, true), d(0x1p64), Fpu.NX);
        expect(fpu.fromInteger(FMT_D, -1L, RTZ, true, true), d(Math.nextDown(0x1p64)), Fpu.NX);
        expect(fpu.fromInteger(FMT_S, 0xffffffffL, RNE, false, false), s(-1f), 0);
        expect(fpu.fromInteger(FMT_S, 0xffffffffL, RNE, false, true), s(0x1p32f), Fpu.NX);
        expect(fpu.fromInteger(FMT_D, Long.MIN_VALUE, RNE, true, false), d(-0x1p63), 0);
        expect(fpu.fromInteger(FMT_S, 0, RDN, true, false), 0, 0);
    }

    @Test
    void minMaxFollowMinimumNumberAndMaximumNumber() {
        expect(fpu.min(FMT_D, d(-0.0), d(0.0)), d(-0.0), 0);
        expect(fpu.max(FMT_D, d(-0.0), d(0.0)), d(0.0), 0);
        expect(fpu.min(FMT_S, s(0f), s(-0f)), s(-0f), 0);
        expect(fpu.min(FMT_D, Fpu.CANONICAL_NAN_D, d(3.0)), d(3.0), 0);
        expect(fpu.max(FMT_S, 0x7f800001L, s(-3f)), s(-3f), Fpu.NV);
        expect(fpu.max(FMT_D, 0x7ff0000000000001L, 0x7ff8000000000000L), Fpu.CANONICAL_NAN_D, Fpu.NV);
    }

    @Test
    void feqIsQuietButFltAndFleSignalOnQuietNaN() {
        expect(fpu.eq(FMT_D, Fpu.CANONICAL_NAN_D, d(1)), 0, 0);
        expect(fpu.eq(FMT_D, 0x7ff0000000000001L, d(1)), 0, Fpu.NV);
        expect(fpu.lt(FMT_S, Fpu.CANONICAL_NAN_S, s(1f)), 0, Fpu.NV);
        expect(fpu.le(FMT_S, s(1f), Fpu.CANONICAL_NAN_S), 0, Fpu.NV);
        expect(fpu.eq(FMT_S, s(0f), s(-0f)), 1, 0);
        expect(fpu.le(FMT_S, s(-0f), s(0f)), 1, 0);
        expect(fpu.lt(FMT_S, s(-0f), s(0f)), 0, 0);
    }

    @Test
    void classifyDistinguishesSignalingAndQuietNaN() {
        assertThat(fpu.classify(FMT_S, 0x7f800001L)).isEqualTo(1L << 8);
        assertThat(fpu.classify(FMT_D, Fpu.CANONICAL_NAN_D)).isEqualTo(1L << 9);
        assertThat(fpu.classify(FMT_D, d(-Double.MIN_VALUE))).isEqualTo(1L << 2);
        assertThat(fpu.classify(FMT_S, s(Float.NEGATIVE_INFINITY))).isEqualTo(1L);
    }

    @Test
    void singleOperandsIgnoreTheUpperHalfOfTheRegister() {
        long boxed = 0xffffffff00000000L | s(1.5f);
        expect(fpu.add(FMT_S, boxed, boxed, RNE), s(3f), 0);
    }

    @Test
    void narrowingToSingleRoundsPerModeAndFlagsUnderflow() {
        expect(fpu.convert(FMT_D, FMT_S, d(1.0 + 0x1p-30), RNE), s(1f), Fpu.NX);
        expect(fpu.convert(FMT_D, FMT_S, d(1.0 + 0x1p-30), RUP), s(1f + 0x1p-23f), Fpu.NX);
        expect(fpu.convert(FMT_D, FMT_S, d(1e-300), RNE), 0, Fpu.UF | Fpu.NX);
        expect(fpu.convert(FMT_D, FMT_S, d(-1e-300), RDN), s(-Float.MIN_VALUE), Fpu.UF | Fpu.NX);
        expect(fpu.convert(FMT_D, FMT_S, d(1e300), RTZ), s(Float.MAX_VALUE), Fpu.OF | Fpu.NX);
        expect(fpu.convert(FMT_S, FMT_D, s(Float.MIN_VALUE), RNE), d(Float.MIN_VALUE), 0);
    }
}

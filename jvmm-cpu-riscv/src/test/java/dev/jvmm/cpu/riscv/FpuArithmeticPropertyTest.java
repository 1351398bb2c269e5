package dev.jvmm.cpu.riscv;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** add/sub/mul/div/sqrt/fma of both formats in all rounding modes against {@link FpuReference}. */
class FpuArithmeticPropertyTest {

    private static final int TRIES = 2500;

    static void assertMatches(String op, int fmt, int rm, long[] in, FpuReference.Result expected,
                              long actual, int actualFlags) {
        StringBuilder sb = new StringBuilder(op).append(fmt == Fpu.FMT_S ? ".s" : ".d")
                .append(" rm=").append(rm);
        for (long x : in) {
            sb.append(' ').append(String.format("0x%x", x));
        }
        String ctx = sb.toString();
        assertThat(String.format("0x%x", actual)).as(ctx + " result")
                .isEqualTo(String.format("0x%x", expected.bits()));
        assertThat(actualFlags).as(ctx + " flags").isEqualTo(expected.flags());
    }

    @Provide Arbitrary<long[]> pairsS() { return FpuOperands.pairs(Fpu.FMT_S); }
    @Provide Arbitrary<long[]> pairsD() { return FpuOperands.pairs(Fpu.FMT_D); }
    @Provide Arbitrary<long[]> triplesS() { return FpuOperands.triples(Fpu.FMT_S); }
    @Provide Arbitrary<long[]> triplesD() { return FpuOperands.triples(Fpu.FMT_D); }
    @Provide Arbitrary<Long> operandsS() { return FpuOperands.operands(Fpu.FMT_S); }
    @Provide Arbitrary<Long> operandsD() { return FpuOperands.operands(Fpu.FMT_D); }
    @Provide Arbitrary<Integer> rm() { return FpuOperands.roundingModes(); }

    private static void checkBinary(int fmt, long[] ab, int rm) {
        long a = ab[0];
        long b = ab[1];
        Fpu fpu = new Fpu();
        long r = fpu.add(fmt, a, b, rm);
        assertMatches("add", fmt, rm, ab, FpuReference.add(fmt, a, b, rm), r, fpu.flags);
        fpu.flags = 0;
        r = fpu.sub(fmt, a, b, rm);
        assertMatches("sub", fmt, rm, ab, FpuReference.sub(fmt, a, b, rm), r, fpu.flags);
        fpu.flags = 0;
        r = fpu.mul(fmt, a, b, rm);
        assertMatches("mul", fmt, rm, ab, FpuReference.mul(fmt, a, b, rm), r, fpu.flags);
        fpu.flags = 0;
        r = fpu.div(fmt, a, b, rm);
        assertMatches("div", fmt, rm, ab, FpuReference.div(fmt, a, b, rm), r, fpu.flags);
    }

    @Property(tries = TRIES, seed = "20240601")
    void binaryOpsOfSingleMatchExactReference(@ForAll("pairsS") long[] ab, @ForAll("rm") int rm) {
        checkBinary(Fpu.FMT_S, ab, rm);
    }

    @Property(tries = TRIES, seed = "20240602")
    void binaryOpsOfDoubleMatchExactReference(@ForAll("pairsD") long[] ab, @ForAll("rm") int rm) {
        checkBinary(Fpu.FMT_D, ab, rm);
    }

    @Property(tries = TRIES, seed = "20240603")
    void fmaOfSingleMatchesExactReference(@ForAll("triplesS") long[] abc, @ForAll("rm") int rm) {
        Fpu fpu = new Fpu();
        long r = fpu.fma(Fpu.FMT_S, abc[0], abc[1], abc[2], rm);
        assertMatches("fma", Fpu.FMT_S, rm, abc, FpuReference.fma(Fpu.FMT_S, abc[0], abc[1], abc[2], rm), r, fpu.flags);
    }

    @Property(tries = TRIES, seed = "20240604")
    void fmaOfDoubleMatchesExactReference(@ForAll("triplesD") long[] abc, @ForAll("rm") int rm) {
        Fpu fpu = new Fpu();
        long r = fpu.fma(Fpu.FMT_D, abc[0], abc[1], abc[2], rm);
        assertMatches("fma", Fpu.FMT_D, rm, abc, FpuReference.fma(Fpu.FMT_D, abc[0], abc[1], abc[2], rm), r, fpu.flags);
    }

    @Property(tries = TRIES, seed = "20240605")
    void sqrtOfSingleMatchesExactReference(@ForAll("operandsS") long a, @ForAll("rm") int rm) {
        Fpu fpu = new Fpu();
        long r = fpu.sqrt(Fpu.FMT_S, a, rm);
        assertMatches("sqrt", Fpu.FMT_S, rm, new long[] {a}, FpuReference.sqrt(Fpu.FMT_S, a, rm), r, fpu.flags);
    }

    @Property(tries = TRIES, seed = "20240606")
    void sqrtOfDoubleMatchesExactReference(@ForAll("operandsD") long a, @ForAll("rm") int rm) {
        Fpu fpu = new Fpu();
        long r = fpu.sqrt(Fpu.FMT_D, a, rm);
        assertMatches("sqrt", Fpu.FMT_D, rm, new long[] {a}, FpuReference.sqrt(Fpu.FMT_D, a, rm), r, fpu.flags);
    }

    /**
     * With NX already accrued (as in most floating-point code after its first inexact result,
     * where binary64 operations in RNE skip the error term) every operation gives the same result
     * and accrues the same flags as from clear flags.
     */
    @Property(tries = TRIES, seed = "20240609")
    void inexactAlreadyAccruedChangesNoResultAndNoOtherFlag(@ForAll("triplesD") long[] abc, @ForAll("rm") int rm,
                                                             @ForAll boolean single) {
        int fmt = single ? Fpu.FMT_S : Fpu.FMT_D;
        long a = abc[0];
        long b = abc[1];
        long c = abc[2];
        if (single) {
            a &= 0xffff_ffffL;
            b &= 0xffff_ffffL;
            c &= 0xffff_ffffL;
        }
        long[] in = {a, b, c};
        FpuReference.Result[] expected = {FpuReference.add(fmt, a, b, rm), FpuReference.sub(fmt, a, b, rm),
            FpuReference.mul(fmt, a, b, rm), FpuReference.div(fmt, a, b, rm), FpuReference.fma(fmt, a, b, c, rm),
            FpuReference.sqrt(fmt, a, rm)};
        String[] names = {"add", "sub", "mul", "div", "fma", "sqrt"};
        for (int op = 0; op < names.length; op++) {
            Fpu fpu = new Fpu();
            fpu.flags = Fpu.NX;
            long r = switch (op) {
                case 0 -> fpu.add(fmt, a, b, rm);
                case 1 -> fpu.sub(fmt, a, b, rm);
                case 2 -> fpu.mul(fmt, a, b, rm);
                case 3 -> fpu.div(fmt, a, b, rm);
                case 4 -> fpu.fma(fmt, a, b, c, rm);
                default -> fpu.sqrt(fmt, a, rm);
            };
            FpuReference.Result e = new FpuReference.Result(expected[op].bits(), expected[op].flags() | Fpu.NX);
            assertMatches(names[op] + " after NX", fmt, rm, in, e, r, fpu.flags);
        }
    }

    /** The software core alone (the path behind every fast path) over finite non-zero operands. */
    private static void checkSoftCore(int fmt, long[] abc, int rm) {
        for (long x : abc) {
            if (FpuReference.isNaN(fmt, x) || FpuReference.isInf(fmt, x) || FpuReference.isZero(fmt, x)) {
                return;
            }
        }
        long a = abc[0];
        long b = abc[1];
        long c = abc[2];
        Fpu fpu = new Fpu();
        long r = FpuSoftFloat.add(fpu, fmt, a, b, rm);
        assertMatches("soft add", fmt, rm, abc, FpuReference.add(fmt, a, b, rm), r, fpu.flags);
        fpu.flags = 0;
        r = FpuSoftFloat.mul(fpu, fmt, a, b, rm);
        assertMatches("soft mul", fmt, rm, abc, FpuReference.mul(fmt, a, b, rm), r, fpu.flags);
        fpu.flags = 0;
        r = FpuSoftFloat.div(fpu, fmt, a, b, rm);
        assertMatches("soft div", fmt, rm, abc, FpuReference.div(fmt, a, b, rm), r, fpu.flags);
        fpu.flags = 0;
        r = FpuSoftFloat.fma(fpu, fmt, a, b, c, rm);
        assertMatches("soft fma", fmt, rm, abc, FpuReference.fma(fmt, a, b, c, rm), r, fpu.flags);
    }

    @Property(tries = TRIES, seed = "20240607")
    void softwareCoreOfSingleMatchesExactReference(@ForAll("triplesS") long[] abc, @ForAll("rm") int rm) {
        checkSoftCore(Fpu.FMT_S, abc, rm);
    }

    @Property(tries = TRIES, seed = "20240608")
    void softwareCoreOfDoubleMatchesExactReference(@ForAll("triplesD") long[] abc, @ForAll("rm") int rm) {
        checkSoftCore(Fpu.FMT_D, abc, rm);
    }
}

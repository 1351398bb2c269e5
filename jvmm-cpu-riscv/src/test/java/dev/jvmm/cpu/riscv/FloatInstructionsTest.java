package dev.jvmm.cpu.riscv;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The FP work the hart does itself: state gating, NaN-boxing, moves, sign injection, fcsr. */
class FloatInstructionsTest {

    private static TestRig run(String body) {
        TestRig rig = new TestRig();
        rig.load("""
                la t0, mtrap
                csrw mtvec, t0
                li t0, 0x2000      # FS = Initial
                csrs mstatus, t0
                """ + body + """
                j done
                .balign 4
            mtrap:
                csrr s10, mcause
                csrr s11, mtval
            done: j done
            """).runTo("done");
        return rig;
    }

    @Test
    void fpInstructionsAreIllegalWhileFsIsOff() {
        try (TestRig rig = run("""
                li t0, 0x6000
                csrc mstatus, t0
                fmv.d.x fa0, zero
                """)) {
            assertThat(rig.x("s10")).isEqualTo(Traps.ILLEGAL_INSTRUCTION);
            assertThat(rig.x("s11")).isEqualTo(0xf2000553L);
        }
    }

    @Test
    void fcsrIsIllegalWhileFsIsOff() {
        try (TestRig rig = run("""
                li t0, 0x6000
                csrc mstatus, t0
                frcsr a0
                """)) {
            assertThat(rig.x("s10")).isEqualTo(Traps.ILLEGAL_INSTRUCTION);
        }
    }

    @Test
    void writingFpStateMarksFsDirty() {
        try (TestRig rig = run("""
                csrr a0, mstatus
                li t0, 0x3f800000
                fmv.w.x fa0, t0
                csrr a1, mstatus
                """)) {
            assertThat(rig.x("a0") & Csrs.MSTATUS_FS).isEqualTo(1L << 13);
            assertThat(rig.x("a1") & Csrs.MSTATUS_FS).isEqualTo(Csrs.MSTATUS_FS);
            assertThat(rig.x("a1")).isNegative(); // SD
        }
    }

    @Test
    void singleValuesAreNaNBoxedAndMovedBackVerbatim() {
        try (TestRig rig = run("""
                li t0, 0x80000001
                fmv.w.x fa0, t0
                fmv.x.w a0, fa0
                fmv.x.d a1, fa0
                """)) {
            assertThat(rig.x("a0")).isEqualTo(0xffffffff80000001L);
            assertThat(rig.x("a1")).isEqualTo(0xffffffff80000001L);
        }
    }

    @Test
    void improperlyBoxedSingleOperandReadsAsCanonicalNaN() {
        try (TestRig rig = run("""
                li t0, 0x000000003f800000
                fmv.d.x fa0, t0          # not NaN-boxed as a single
                fsgnj.s fa1, fa0, fa0
                fmv.x.d a0, fa1
                """)) {
            assertThat(rig.x("a0")).isEqualTo(0xffffffff7fc00000L);
        }
    }

    @Test
    void signInjectionForSingleAndDouble() {
        try (TestRig rig = run("""
                li t0, 0x3f800000        # 1.0f
                fmv.w.x fa0, t0
                li t0, 0xbf800000        # -1.0f
                fmv.w.x fa1, t0
                fsgnj.s fa2, fa0, fa1
                fsgnjn.s fa3, fa1, fa1
                fsgnjx.s fa4, fa1, fa1
                fmv.x.w a0, fa2
                fmv.x.w a1, fa3
                fmv.x.w a2, fa4
                li t0, 0x4000000000000000  # 2.0
                fmv.d.x ft0, t0
                fneg.d ft1, ft0
                fabs.d ft2, ft1
                fmv.x.d a3, ft1
                fmv.x.d a4, ft2
                """)) {
            assertThat(rig.x("a0")).isEqualTo(0xffffffffbf800000L);
            assertThat(rig.x("a1")).isEqualTo(0x3f800000L);
            assertThat(rig.x("a2")).isEqualTo(0x3f800000L);
            assertThat(rig.x("a3")).isEqualTo(0xc000000000000000L);
            assertThat(rig.x("a4")).isEqualTo(0x4000000000000000L);
        }
    }

    @Test
    void floatLoadsBoxAndStoresWriteRawBits() {
        try (TestRig rig = run("""
                li s0, 0x80100000
                li t0, 0x1122334455667788
                sd t0, 0(s0)
                flw fa0, 0(s0)
                fld fa1, 0(s0)
                fsw fa1, 8(s0)
                fsd fa0, 16(s0)
                fmv.x.d a0, fa0
                """)) {
            assertThat(rig.x("a0")).isEqualTo(0xffffffff55667788L);
            assertThat(rig.ram.readInt(0x80100008L)).isEqualTo(0x55667788);
            assertThat(rig.ram.readLong(0x80100010L)).isEqualTo(0xffffffff55667788L);
        }
    }

    @Test
    void fcsrCombinesFrmAndFflags() {
        try (TestRig rig = run("""
                li t0, 0x7f
                fscsr t0
                frflags a0
                frrm a1
                fsrmi 3
                frcsr a2
                """)) {
            assertThat(rig.x("a0")).isEqualTo(0x1f);
            assertThat(rig.x("a1")).isEqualTo(3);
            assertThat(rig.x("a2")).isEqualTo((3 << 5) | 0x1f);
            assertThat(rig.hart.fpu().flags).isEqualTo(0x1f);
        }
    }

    @Test
    void invalidRoundingModeInFrmMakesDynamicInstructionsIllegal() {
        try (TestRig rig = run("""
                fsrmi 5
                fadd.d fa0, fa1, fa2, dyn
                """)) {
            assertThat(rig.x("s10")).isEqualTo(Traps.ILLEGAL_INSTRUCTION);
        }
    }

    @Test
    void reservedRoundingModeFieldIsIllegal() {
        try (TestRig rig = run("""
                .4byte 0x02c5d553 | (5 << 12)   # fadd.d fa0, fa1, fa2 with rm = 5
                """)) {
            assertThat(rig.x("s10")).isEqualTo(Traps.ILLEGAL_INSTRUCTION);
        }
    }

    @Test
    void arithmeticGoesThroughTheFpuWithNaNBoxedSingleResults() {
        try (TestRig rig = run("""
                li t0, 0x4008000000000000   # 3.0
                fmv.d.x fa0, t0
                li t0, 0x4000000000000000   # 2.0
                fmv.d.x fa1, t0
                li t0, 0x3ff0000000000000   # 1.0
                fmv.d.x fa2, t0
                fadd.d ft0, fa0, fa1
                fmadd.d ft1, fa0, fa1, fa2     # 3*2+1
                fmsub.d ft2, fa0, fa1, fa2     # 3*2-1
                fnmsub.d ft3, fa0, fa1, fa2    # -(3*2)+1
                fnmadd.d ft4, fa0, fa1, fa2    # -(3*2)-1
                fcvt.s.d ft5, fa0
                fcvt.w.d a0, fa0
                flt.d a1, fa1, fa0
                fmv.x.d a2, ft0
                fmv.x.d a3, ft1
                fmv.x.d a4, ft2
                fmv.x.d a5, ft3
                fmv.x.d a6, ft4
                fmv.x.d a7, ft5
                li t0, 0x3f800000
                fmv.w.x fs0, t0
                fdiv.s fs1, fs0, fs0
                fmv.w.x fs2, zero
                fdiv.s fs3, fs0, fs2           # divide by zero sets DZ
                frflags s2
                """)) {
            assertThat(Double.longBitsToDouble(rig.x("a2"))).isEqualTo(5.0);
            assertThat(Double.longBitsToDouble(rig.x("a3"))).isEqualTo(7.0);
            assertThat(Double.longBitsToDouble(rig.x("a4"))).isEqualTo(5.0);
            assertThat(Double.longBitsToDouble(rig.x("a5"))).isEqualTo(-5.0);
            assertThat(Double.longBitsToDouble(rig.x("a6"))).isEqualTo(-7.0);
            assertThat(rig.x("a7")).isEqualTo(0xffffffff00000000L | Float.floatToRawIntBits(3.0f));
            assertThat(rig.x("a0")).isEqualTo(3);
            assertThat(rig.x("a1")).isEqualTo(1);
            assertThat(rig.x("s2") & Fpu.DZ).isNotZero();
        }
    }
}

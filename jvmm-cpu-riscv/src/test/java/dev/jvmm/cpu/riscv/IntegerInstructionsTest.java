package dev.jvmm.cpu.riscv;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IntegerInstructionsTest {

    private static TestRig run(String body) {
        TestRig rig = new TestRig();
        rig.load(body + "\ndone: j done\n").runTo("done");
        return rig;
    }

    @Test
    void divisionByZeroFollowsTheSpecification() {
        try (TestRig rig = run("""
                li a0, 1234
                li a1, 0
                div a2, a0, a1
                divu a3, a0, a1
                rem a4, a0, a1
                remu a5, a0, a1
                divw a6, a0, a1
                remuw a7, a0, a1
                """)) {
            assertThat(rig.x("a2")).isEqualTo(-1);
            assertThat(rig.x("a3")).isEqualTo(-1);
            assertThat(rig.x("a4")).isEqualTo(1234);
            assertThat(rig.x("a5")).isEqualTo(1234);
            assertThat(rig.x("a6")).isEqualTo(-1);
            assertThat(rig.x("a7")).isEqualTo(1234);
        }
    }

    @Test
    void signedDivisionOverflowReturnsDividendAndZeroRemainder() {
        try (TestRig rig = run("""
                li a0, 1
                slli a0, a0, 63
                li a1, -1
                div a2, a0, a1
                rem a3, a0, a1
                li a4, 0x80000000
                divw a5, a4, a1
                remw a6, a4, a1
                """)) {
            assertThat(rig.x("a2")).isEqualTo(Long.MIN_VALUE);
            assertThat(rig.x("a3")).isZero();
            assertThat(rig.x("a5")).isEqualTo(Integer.MIN_VALUE);
            assertThat(rig.x("a6")).isZero();
        }
    }

    @Test
    void highMultipliesCoverSignedUnsignedAndMixed() {
        try (TestRig rig = run("""
                li a0, -2
                li a1, 3
                mulh a2, a0, a1
                mulhu a3, a0, a1
                mulhsu a4, a0, a1
                mulhsu a5, a1, a0
                mulw a6, a0, a1
                """)) {
            assertThat(rig.x("a2")).isEqualTo(-1);
            assertThat(rig.x("a3")).isEqualTo(2);
            assertThat(rig.x("a4")).isEqualTo(-1);
            assertThat(rig.x("a5")).isEqualTo(2);
            assertThat(rig.x("a6")).isEqualTo(-6);
        }
    }

    @Test
    void wordOperationsSignExtendTheirResults() {
        try (TestRig rig = run("""
                li a0, 0x7fffffff
                addiw a1, a0, 1
                li a2, 0xffffffff
                srliw a3, a2, 4
                sraiw a4, a2, 4
                slliw a5, a0, 1
                li t0, 33
                sllw a6, a0, t0
                sraw a7, a2, t0
                """)) {
            assertThat(rig.x("a1")).isEqualTo(Integer.MIN_VALUE);
            assertThat(rig.x("a3")).isEqualTo(0x0fffffffL);
            assertThat(rig.x("a4")).isEqualTo(-1);
            assertThat(rig.x("a5")).isEqualTo(-2);
            assertThat(rig.x("a6")).isEqualTo(-2);
            assertThat(rig.x("a7")).isEqualTo(-1);
        }
    }

    @Test
    void comparisonsAndBranchesDistinguishSignedness() {
        try (TestRig rig = run("""
                li a0, -1
                li a1, 1
                slt a2, a0, a1
                sltu a3, a0, a1
                sltiu a4, zero, 1
                li a5, 0
                bltu a0, a1, 1f
                addi a5, a5, 1
            1:  blt a0, a1, 2f
                addi a5, a5, 10
            2:  bgeu a0, a1, 3f
                addi a5, a5, 100
            3:
                """)) {
            assertThat(rig.x("a2")).isEqualTo(1);
            assertThat(rig.x("a3")).isZero();
            assertThat(rig.x("a4")).isEqualTo(1);
            assertThat(rig.x("a5")).isEqualTo(1);
        }
    }

    @Test
    void writesToX0AreDiscarded() {
        try (TestRig rig = run("""
                li t0, 5
                add zero, t0, t0
                lui zero, 1
                jal zero, 1f
            1:  add a0, zero, zero
                """)) {
            assertThat(rig.x(0)).isZero();
            assertThat(rig.x("a0")).isZero();
        }
    }

    @Test
    void jalrClearsBitZeroAndLinksPastTheInstruction() {
        try (TestRig rig = run("""
                la t0, target
                addi t0, t0, 1
                jalr ra, 0(t0)
            back:
                j done
            target:
                li a0, 7
                """)) {
            assertThat(rig.x("a0")).isEqualTo(7);
            assertThat(rig.x("ra")).isEqualTo(rig.symbol("back"));
        }
    }

    @Test
    void loadsSignOrZeroExtend() {
        try (TestRig rig = run("""
                la t0, data
                lb a0, 0(t0)
                lbu a1, 0(t0)
                lh a2, 0(t0)
                lhu a3, 0(t0)
                lw a4, 0(t0)
                lwu a5, 0(t0)
                ld a6, 0(t0)
                j done
                .balign 8
            data: .dword 0xfedcba9887868584
                """)) {
            assertThat(rig.x("a0")).isEqualTo((byte) 0x84);
            assertThat(rig.x("a1")).isEqualTo(0x84);
            assertThat(rig.x("a2")).isEqualTo((short) 0x8584);
            assertThat(rig.x("a3")).isEqualTo(0x8584);
            assertThat(rig.x("a4")).isEqualTo(0x87868584L | 0xffffffff00000000L);
            assertThat(rig.x("a5")).isEqualTo(0x87868584L);
            assertThat(rig.x("a6")).isEqualTo(0xfedcba9887868584L);
        }
    }

    @Test
    void misalignedLoadsAndStoresWorkInHardware() {
        try (TestRig rig = run("""
                li t0, 0x80100001
                li t1, 0x1122334455667788
                sd t1, 0(t0)
                ld a0, 0(t0)
                lw a1, 2(t0)
                lh a2, 6(t0)
                li t2, 0x80100ffd
                sd t1, 0(t2)
                ld a3, 0(t2)
                """)) {
            assertThat(rig.x("a0")).isEqualTo(0x1122334455667788L);
            assertThat(rig.x("a1")).isEqualTo(0x33445566L);
            assertThat(rig.x("a2")).isEqualTo(0x1122L);
            assertThat(rig.x("a3")).isEqualTo(0x1122334455667788L);
            assertThat(rig.ram.readLong(0x80100ffdL)).isEqualTo(0x1122334455667788L);
            assertThat(rig.ram.readByte(0x80100001L)).isEqualTo((byte) 0x88);
        }
    }

    @Test
    void storesOfEachWidthWriteOnlyTheirBytes() {
        try (TestRig rig = run("""
                li t0, 0x80100000
                li t1, -1
                sd t1, 0(t0)
                sb zero, 0(t0)
                sh zero, 2(t0)
                sw zero, 4(t0)
                """)) {
            assertThat(rig.ram.readLong(0x80100000L)).isEqualTo(0x00000000_0000ff00L);
        }
    }
}

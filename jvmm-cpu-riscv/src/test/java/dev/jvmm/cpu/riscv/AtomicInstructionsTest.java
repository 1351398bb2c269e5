package dev.jvmm.cpu.riscv;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AtomicInstructionsTest {

    private static TestRig run(String body) {
        TestRig rig = new TestRig();
        rig.load("""
                la t0, mtrap
                csrw mtvec, t0
                li s0, 0x80100000
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
    void storeConditionalSucceedsAfterLoadReservedAndFailsWithoutReservation() {
        try (TestRig rig = run("""
                li t1, 5
                sd t1, 0(s0)
                lr.d a0, (s0)
                addi a0, a0, 1
                sc.d a1, a0, (s0)
                sc.d a2, a0, (s0)
                ld a3, 0(s0)
                """)) {
            assertThat(rig.x("a1")).isZero();
            assertThat(rig.x("a2")).isEqualTo(1);
            assertThat(rig.x("a3")).isEqualTo(6);
        }
    }

    @Test
    void storeConditionalFailsWhenMemoryChangedSinceLoadReserved() {
        try (TestRig rig = new TestRig()) {
            rig.load("""
                    li s0, 0x80100000
                    lr.w a0, (s0)
                stop1: nop
                    li t1, 9
                    sc.w a1, t1, (s0)
                done: j done
                """).runTo("stop1");
            rig.ram.writeInt(0x80100000L, 42); // another agent writes the reserved word
            rig.runTo("done");
            assertThat(rig.x("a1")).isEqualTo(1);
            assertThat(rig.ram.readInt(0x80100000L)).isEqualTo(42);
        }
    }

    @Test
    void amoOperationsReturnOldValueAndStoreResult() {
        try (TestRig rig = run("""
                li t1, -4
                sw t1, 0(s0)
                li t2, 3
                amoadd.w a0, t2, (s0)
                lw a1, 0(s0)
                amomaxu.w a2, t2, (s0)
                lw a3, 0(s0)
                amomin.w a4, t2, (s0)
                lw a5, 0(s0)
                li t1, 0xf0
                sd t1, 8(s0)
                li t2, 0x0f
                amoor.d a6, t2, 8(s0)
                amoswap.d a7, zero, 8(s0)
                ld s2, 8(s0)
                """.replace("8(s0)", "(s3)").replace("li t1, 0xf0", "addi s3, s0, 8\n li t1, 0xf0"))) {
            assertThat(rig.x("a0")).isEqualTo(-4);
            assertThat(rig.x("a1")).isEqualTo(-1);
            assertThat(rig.x("a2")).isEqualTo(-1);
            assertThat(rig.x("a3")).isEqualTo(-1);
            assertThat(rig.x("a4")).isEqualTo(-1);
            assertThat(rig.x("a5")).isEqualTo(-1);
            assertThat(rig.x("a6")).isEqualTo(0xf0);
            assertThat(rig.x("a7")).isEqualTo(0xff);
            assertThat(rig.x("s2")).isZero();
        }
    }

    @Test
    void misalignedAmoRaisesStoreAddressMisaligned() {
        try (TestRig rig = run("""
                addi t0, s0, 2
                amoadd.w a0, zero, (t0)
                """)) {
            assertThat(rig.x("s10")).isEqualTo(Traps.STORE_MISALIGNED);
            assertThat(rig.x("s11")).isEqualTo(0x80100002L);
        }
    }

    @Test
    void misalignedLoadReservedRaisesLoadAddressMisaligned() {
        try (TestRig rig = run("""
                addi t0, s0, 4
                lr.d a0, (t0)
                """)) {
            assertThat(rig.x("s10")).isEqualTo(Traps.LOAD_MISALIGNED);
        }
    }

    @Test
    void amoOutsideRamRaisesAccessFault() {
        try (TestRig rig = run("""
                li t0, 0x1000
                amoswap.w a0, zero, (t0)
                """)) {
            assertThat(rig.x("s10")).isEqualTo(Traps.STORE_ACCESS_FAULT);
            assertThat(rig.x("s11")).isEqualTo(0x1000);
        }
    }
}

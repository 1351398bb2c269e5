package dev.jvmm.cpu.riscv;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TrapTest {

    @Test
    void illegalInstructionTrapsToMachineModeWithInstructionBitsInMtval() {
        try (TestRig rig = new TestRig()) {
            rig.load("""
                    la t0, handler
                    csrw mtvec, t0
                bad: .word 0xffffffff
                    j done
                    .balign 4
                handler:
                    csrr a0, mcause
                    csrr a1, mtval
                    csrr a2, mepc
                done: j done
                """).runTo("done");
            assertThat(rig.x("a0")).isEqualTo(Traps.ILLEGAL_INSTRUCTION);
            assertThat(rig.x("a1")).isEqualTo(0xffffffffL);
            assertThat(rig.x("a2")).isEqualTo(rig.symbol("bad"));
        }
    }

    @Test
    void illegalCompressedInstructionReportsSixteenBits() {
        try (TestRig rig = new TestRig()) {
            rig.load("""
                    la t0, handler
                    csrw mtvec, t0
                    .half 0x8002
                    j done
                    .balign 4
                handler:
                    csrr a0, mcause
                    csrr a1, mtval
                done: j done
                """).runTo("done");
            assertThat(rig.x("a0")).isEqualTo(Traps.ILLEGAL_INSTRUCTION);
            assertThat(rig.x("a1")).isEqualTo(0x8002);
        }
    }

    /** Drops from M to S (or U) at label {@code entry}, with the given medeleg. */
    private static final String TO_S = """
                la t0, mhandler
                csrw mtvec, t0
                la t0, shandler
                csrw stvec, t0
                li t0, 0xb1ff
                csrw medeleg, t0
                li t0, -1
                csrw pmpaddr0, t0
                li t0, 0x1f
                csrw pmpcfg0, t0
                li t0, 0x1800
                csrc mstatus, t0
                li t0, 0x0800
                csrs mstatus, t0
                la t0, entry
                csrw mepc, t0
                mret
            """;

    @Test
    void delegatedExceptionFromUserModeGoesToSupervisorAndSretReturns() {
        try (TestRig rig = new TestRig()) {
            rig.load(TO_S + """
                entry:          # S-mode: go to U
                    la t0, user
                    csrw sepc, t0
                    li t0, 0x100
                    csrc sstatus, t0
                    sret
                user:
                    ecall
                back:
                    li a3, 1
                second_ecall:
                    ecall
                    .balign 4
                shandler:
                    csrr a0, scause
                    csrr a1, sepc
                    csrr a2, sstatus
                    bnez a3, second
                    addi a1, a1, 4
                    csrw sepc, a1
                    sret
                second:
                    j done
                    .balign 4
                mhandler:
                    li a7, 99
                done: j done
                """).runTo("done");
            assertThat(rig.x("a0")).isEqualTo(Traps.ECALL_FROM_U);
            assertThat(rig.x("a1")).isEqualTo(rig.symbol("second_ecall"));
            assertThat(rig.x("a2") & Csrs.MSTATUS_SPP).isZero();
            assertThat(rig.x("a7")).isZero();
            assertThat(rig.hart.privilege()).isEqualTo(Csrs.PRIV_S);
        }
    }

    @Test
    void ecallFromSupervisorIsNotDelegatedAndRecordsPreviousPrivilege() {
        try (TestRig rig = new TestRig()) {
            rig.load(TO_S + """
                entry:
                    ecall
                    .balign 4
                shandler:
                    j done
                    .balign 4
                mhandler:
                    csrr a0, mcause
                    csrr a1, mstatus
                done: j done
                """).runTo("done");
            assertThat(rig.x("a0")).isEqualTo(Traps.ECALL_FROM_S);
            assertThat((rig.x("a1") & Csrs.MSTATUS_MPP) >>> 11).isEqualTo(1);
            assertThat(rig.hart.privilege()).isEqualTo(Csrs.PRIV_M);
        }
    }

    @Test
    void mretRestoresInterruptEnableFromMpie() {
        try (TestRig rig = new TestRig()) {
            rig.load("""
                    li t0, 0x80        # MPIE
                    csrs mstatus, t0
                    li t0, 0x1800      # MPP = M
                    csrs mstatus, t0
                    la t0, after
                    csrw mepc, t0
                    mret
                after:
                    csrr a0, mstatus
                done: j done
                """).runTo("done");
            assertThat(rig.x("a0") & Csrs.MSTATUS_MIE).isNotZero();
            assertThat(rig.x("a0") & Csrs.MSTATUS_MPIE).isNotZero();
            assertThat(rig.x("a0") & Csrs.MSTATUS_MPP).isZero();
        }
    }

    @Test
    void sretIsIllegalInUserModeAndWhenTsrIsSet() {
        try (TestRig rig = new TestRig()) {
            rig.load("""
                    li t0, 0x400000    # TSR
                    csrs mstatus, t0
                """ + TO_S.replace("csrw medeleg, t0", "csrw medeleg, zero") + """
                entry:
                    sret
                    .balign 4
                shandler:
                mhandler:
                    csrr a0, mcause
                    csrr a1, mtval
                done: j done
                """).runTo("done");
            assertThat(rig.x("a0")).isEqualTo(Traps.ILLEGAL_INSTRUCTION);
            assertThat(rig.x("a1")).isEqualTo(0x10200073L);
        }
    }

    @Test
    void vectoredTvecOffsetsInterruptsButNotExceptions() {
        try (TestRig rig = new TestRig()) {
            rig.load("""
                    la t0, vec
                    ori t0, t0, 1
                    csrw mtvec, t0
                    .4byte 0x00100073  # ebreak, uncompressed
                    li t0, 0x8
                    csrs mie, t0       # MSIE
                    csrs mip, zero
                    li t0, 0x8
                    csrs mstatus, t0   # MIE
                wait: j wait
                    .balign 64
                vec:
                    j exception        # +0
                    .balign 4
                    j never            # +4
                    .balign 4
                    j never
                    .balign 4
                    j software         # +12: machine software interrupt
                exception:
                    csrr a0, mcause
                    csrr a1, mtval
                    csrr t0, mepc
                    addi t0, t0, 4
                    csrw mepc, t0
                    mret
                never:
                    li a2, -1
                    j done
                software:
                    csrr a3, mcause
                done: j done
                """);
            rig.runTo("wait");
            rig.hart.run(5);
            rig.hart.interruptPin(Hart.MIP_MSIP).raise();
            rig.runTo("done");
            assertThat(rig.x("a0")).isEqualTo(Traps.BREAKPOINT);
            assertThat(rig.x("a1")).as("ebreak's mtval is its pc").isNotZero();
            assertThat(rig.x("a2")).isZero();
            assertThat(rig.x("a3")).isEqualTo(Traps.INTERRUPT_BIT | Traps.IRQ_M_SOFTWARE);
        }
    }
}

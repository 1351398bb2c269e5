package dev.jvmm.cpu.riscv;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CsrTest {

    private static TestRig run(String body) {
        TestRig rig = new TestRig();
        rig.load("""
                la t0, mtrap
                csrw mtvec, t0
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
    void sstatusIsARestrictedViewOfMstatus() {
        try (TestRig rig = run("""
                li t0, -1
                csrw mstatus, t0
                csrr a0, mstatus
                csrr a1, sstatus
                csrw sstatus, zero
                csrr a2, mstatus
                """)) {
            long mstatus = rig.x("a0");
            assertThat(mstatus & Csrs.MSTATUS_MIE).isNotZero();
            assertThat(mstatus & Csrs.MSTATUS_SD).as("FS dirty shows in SD").isNotZero();
            assertThat((mstatus >>> 32) & 0xf).as("UXL and SXL are 64-bit").isEqualTo(0xa);
            assertThat(rig.x("a1")).isEqualTo(mstatus & Csrs.SSTATUS_READ_MASK);
            long after = rig.x("a2");
            assertThat(after & Csrs.MSTATUS_MIE).as("M fields survive sstatus writes").isNotZero();
            assertThat(after & Csrs.MSTATUS_TVM).isNotZero();
            assertThat(after & (Csrs.MSTATUS_SIE | Csrs.MSTATUS_SUM | Csrs.MSTATUS_FS)).isZero();
        }
    }

    @Test
    void sieAndSipShowOnlyDelegatedInterrupts() {
        try (TestRig rig = run("""
                li t0, 0x222
                csrw mideleg, t0
                li t0, -1
                csrw mie, t0
                csrr a0, mie
                csrr a1, sie
                li t0, 0x2
                csrw mideleg, t0
                csrr a2, sie
                csrw sie, zero
                csrr a3, mie
                li t0, 0x222
                csrw mip, t0
                csrr a4, sip
                csrr a5, mip
                """)) {
            assertThat(rig.x("a0")).isEqualTo(0xaaa);
            assertThat(rig.x("a1")).isEqualTo(0x222);
            assertThat(rig.x("a2")).isEqualTo(0x2);
            assertThat(rig.x("a3")).isEqualTo(0xaa8);
            assertThat(rig.x("a4")).isEqualTo(0x2);
            assertThat(rig.x("a5")).isEqualTo(0x222);
        }
    }

    @Test
    void medelegCannotDelegateEcallFromMachineMode() {
        try (TestRig rig = run("""
                li t0, -1
                csrw medeleg, t0
                csrr a0, medeleg
                csrw mideleg, t0
                csrr a1, mideleg
                """)) {
            assertThat(rig.x("a0")).isEqualTo(0xb3ff);
            assertThat(rig.x("a1")).isEqualTo(0x222);
        }
    }

    @Test
    void unimplementedCsrRaisesIllegalInstruction() {
        try (TestRig rig = run("""
                csrr a0, 0x7c0
                """)) {
            assertThat(rig.x("s10")).isEqualTo(Traps.ILLEGAL_INSTRUCTION);
            assertThat(rig.x("s11")).isEqualTo(0x7c002573L);
        }
    }

    @Test
    void writingReadOnlyCsrRaisesIllegalButReadingItDoesNot() {
        try (TestRig rig = run("""
                csrr a0, mhartid
                csrs mhartid, zero
                csrw mvendorid, zero
                """)) {
            assertThat(rig.x("a0")).isZero();
            assertThat(rig.x("s10")).isEqualTo(Traps.ILLEGAL_INSTRUCTION);
        }
    }

    @Test
    void machineIdentityCsrsHaveTheirFixedValues() {
        try (TestRig rig = run("""
                csrr a0, misa
                csrr a1, mvendorid
                csrr a2, marchid
                csrr a3, mimpid
                csrr a4, mhpmcounter3
                csrr a5, mhpmevent31
                csrr a6, menvcfg
                csrr a7, mconfigptr
                """)) {
            long misa = rig.x("a0");
            assertThat(misa >>> 62).isEqualTo(2);
            for (char ext : "IMAFDCSU".toCharArray()) {
                assertThat((misa >>> (ext - 'A')) & 1).as("misa %s", ext).isEqualTo(1);
            }
            for (String r : new String[] {"a1", "a2", "a3", "a4", "a5", "a6", "a7"}) {
                assertThat(rig.x(r)).as(r).isZero();
            }
        }
    }

    @Test
    void oddPmpcfgRegistersDoNotExistOnRv64() {
        try (TestRig rig = run("""
                csrr a0, pmpcfg2
                csrr a1, pmpcfg1
                """)) {
            assertThat(rig.x("s10")).isEqualTo(Traps.ILLEGAL_INSTRUCTION);
            assertThat(rig.x("s11") >>> 20).isEqualTo(0x3a1);
        }
    }

    @Test
    void tvecKeepsOnlyDirectAndVectoredModes() {
        try (TestRig rig = run("""
                li t0, 0x80001003
                csrw stvec, t0
                csrr a0, stvec
                li t0, 0x80001001
                csrw stvec, t0
                csrr a1, stvec
                """)) {
            assertThat(rig.x("a0") & 3).isZero();
            assertThat(rig.x("a1")).isEqualTo(0x80001001L);
        }
    }

    @Test
    void timeReadsTheClockAndInstretCountsRetiredInstructions() {
        try (TestRig rig = new TestRig()) {
            rig.clock.ticks = 123456;
            rig.load("""
                    rdtime a0
                    rdinstret a1
                    nop
                    rdinstret a2
                    li t0, 1000
                    csrw minstret, t0
                    csrr a3, minstret
                done: j done
                """).runTo("done");
            assertThat(rig.x("a0")).isEqualTo(123456);
            assertThat(rig.x("a2") - rig.x("a1")).isEqualTo(2);
            assertThat(rig.x("a3")).isEqualTo(1001);
        }
    }

    @Test
    void countersAreGatedByMcounterenAndScounteren() {
        String toUser = """
                la t0, mtrap
                csrw mtvec, t0
                li t0, -1
                csrw pmpaddr0, t0
                li t0, 0x1f
                csrw pmpcfg0, t0
                csrw mcounteren, s0
                csrw scounteren, s1
                li t0, 0x1800
                csrc mstatus, t0
                la t0, user
                csrw mepc, t0
                mret
            user:
                rdtime a0
                rdcycle a1
                ecall
                .balign 4
            mtrap:
                csrr s10, mcause
                csrr s11, mtval
            done: j done
            """;
        try (TestRig rig = new TestRig()) {
            rig.load(toUser);
            rig.hart.setRegister(8, 7);
            rig.hart.setRegister(9, 7);
            rig.runTo("done");
            assertThat(rig.x("s10")).isEqualTo(Traps.ECALL_FROM_U);
        }
        try (TestRig rig = new TestRig()) {
            rig.load(toUser);
            rig.hart.setRegister(8, 7);
            rig.hart.setRegister(9, 1); // time not enabled for U by S
            rig.runTo("done");
            assertThat(rig.x("s10")).isEqualTo(Traps.ILLEGAL_INSTRUCTION);
            assertThat(rig.x("s11")).isEqualTo(0xc0102573L);
        }
        try (TestRig rig = new TestRig()) {
            rig.load(toUser);
            rig.hart.setRegister(8, 5); // M enables cycle and instret, not time
            rig.hart.setRegister(9, 7);
            rig.runTo("done");
            assertThat(rig.x("s10")).isEqualTo(Traps.ILLEGAL_INSTRUCTION);
        }
    }

    @Test
    void supervisorCannotAccessMachineCsrs() {
        try (TestRig rig = new TestRig()) {
            rig.hart.enterSupervisor(TestRig.RAM_BASE, 0, 0);
            rig.program = TestRig.assemble("""
                    csrr a0, mstatus
                done: j done
                """);
            rig.ram.write(TestRig.RAM_BASE, rig.program.image());
            rig.hart.run(1);
            // enterSupervisor delegates illegal instruction, so S-mode's handler sees it.
            assertThat(rig.hart.privilege()).isEqualTo(Csrs.PRIV_S);
            assertThat(rig.hart.csrs().scause).isEqualTo(Traps.ILLEGAL_INSTRUCTION);
            assertThat(rig.hart.csrs().stval).isEqualTo(0x30002573L);
        }
    }
}

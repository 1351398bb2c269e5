package dev.jvmm.cpu.riscv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hart as the built-in SBI leaves it, and ECALLs answered in Java. */
class SupervisorEntryTest {

    private static TestRig enter(String source) {
        TestRig rig = new TestRig();
        rig.program = TestRig.assemble(source);
        rig.ram.write(TestRig.RAM_BASE, rig.program.image());
        rig.hart.enterSupervisor(TestRig.RAM_BASE, 0, 0x87000000L);
        return rig;
    }

    @Test
    void entersSupervisorModeWithArgumentsAndDelegation() {
        try (TestRig rig = enter("""
                csrr s0, sstatus
                csrr s1, satp
                rdtime s2
                rdcycle s3
                rdinstret s4
                li t0, 0x80100000
                sd t0, 0(t0)           # PMP grants S full access
            done: j done
            """)) {
            assertThat(rig.hart.privilege()).isEqualTo(Csrs.PRIV_S);
            assertThat(rig.x("a0")).isZero();
            assertThat(rig.x("a1")).isEqualTo(0x87000000L);
            rig.clock.ticks = 555;
            rig.runTo("done");
            assertThat(rig.hart.privilege()).isEqualTo(Csrs.PRIV_S);
            assertThat(rig.x("s1")).isZero();
            assertThat(rig.x("s2")).isEqualTo(555);
            assertThat(rig.ram.readLong(0x80100000L)).isEqualTo(0x80100000L);
            Csrs csrs = rig.hart.csrs();
            assertThat(csrs.mideleg).isEqualTo(0x222);
            assertThat(csrs.medeleg & (1 << Traps.ECALL_FROM_U)).isNotZero();
            assertThat(csrs.medeleg & (1 << Traps.ECALL_FROM_S)).isZero();
            assertThat(csrs.medeleg & (1 << Traps.LOAD_PAGE_FAULT)).isNotZero();
        }
    }

    @Test
    void userModeCanReadTheTimeAsUnderOpenSbi() {
        // Linux leaves scounteren as firmware set it; its vDSO reads time from U-mode.
        try (TestRig rig = enter("""
                la t0, handler
                csrw stvec, t0
                la t0, user
                csrw sepc, t0
                li t0, 0x100
                csrc sstatus, t0       # SPP = U
                sret
            user:
                rdtime s5
                ecall
            handler:
                csrr s6, scause
            done: j done
            """)) {
            rig.clock.ticks = 777;
            rig.runTo("done");
            assertThat(rig.x("s6")).as("scause: 8 is the ECALL from U, 2 would be rdtime refused").isEqualTo(8);
            assertThat(rig.x("s5")).isEqualTo(777);
        }
    }

    @Test
    void supervisorEcallRunsTheHandlerAndResumesAfterIt() {
        try (TestRig rig = enter("""
                li a7, 0x10
                li a0, 5
                ecall
                mv s0, a0
                mv s1, a1
            done: j done
            """)) {
            List<Long> seen = new ArrayList<>();
            rig.hart.setSupervisorCallHandler(h -> {
                seen.add(h.register(17));
                h.setRegister(10, 0);
                h.setRegister(11, h.register(10) + 42);
            });
            rig.runTo("done");
            assertThat(seen).containsExactly(0x10L);
            assertThat(rig.x("s0")).isZero();
            assertThat(rig.x("s1")).isEqualTo(42);
            assertThat(rig.hart.privilege()).isEqualTo(Csrs.PRIV_S);
            assertThat(rig.hart.machineTrapWithoutFirmware()).isFalse();
        }
    }

    @Test
    void trapIntoMachineModeWithoutFirmwareIsReportedAndStopsTheRun() {
        try (TestRig rig = enter("""
                csrr a0, mstatus       # illegal in S, but illegal instruction is delegated ...
                .balign 4
                li t0, 0
                csrw stvec, t0
                ebreak
            done: j done
            """)) {
            rig.hart.setSupervisorCallHandler(h -> { });
            rig.hart.csrs().medeleg = 0; // ... unless nothing is delegated
            long retired = rig.hart.run(1000);
            assertThat(retired).isLessThan(1000);
            assertThat(rig.hart.machineTrapWithoutFirmware()).isTrue();
            assertThat(rig.hart.lastMachineTrapCause()).isEqualTo(Traps.ILLEGAL_INSTRUCTION);
            assertThat(rig.hart.privilege()).isEqualTo(Csrs.PRIV_M);
        }
    }

    @Test
    void ecallFromSupervisorTrapsWhenNoHandlerIsInstalled() {
        try (TestRig rig = enter("""
                ecall
            done: j done
            """)) {
            rig.hart.run(1);
            assertThat(rig.hart.privilege()).isEqualTo(Csrs.PRIV_M);
            assertThat(rig.hart.csrs().mcause).isEqualTo(Traps.ECALL_FROM_S);
        }
    }
}

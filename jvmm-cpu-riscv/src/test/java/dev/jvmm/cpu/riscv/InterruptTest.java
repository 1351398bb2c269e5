package dev.jvmm.cpu.riscv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.memory.InterruptLine;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class InterruptTest {

    /** Enables all interrupts in mie and MIE, then spins; the handler records mcause/scause. */
    private static final String SPIN = """
                la t0, mtrap
                csrw mtvec, t0
                la t0, strap
                csrw stvec, t0
                li t0, 0xaaa
                csrw mie, t0
                csrsi mstatus, 0x8
            spin: j spin
                .balign 4
            mtrap:
                csrr a0, mcause
            done: j done
                .balign 4
            strap:
                csrr a1, scause
            sdone: j sdone
            """;

    @Test
    void machineExternalBeatsSoftwareAndTimer() {
        try (TestRig rig = new TestRig()) {
            rig.load(SPIN).runTo("spin");
            rig.hart.interruptPin(Hart.MIP_MTIP).raise();
            rig.hart.interruptPin(Hart.MIP_MSIP).raise();
            rig.hart.interruptPin(Hart.MIP_MEIP).raise();
            rig.hart.interruptPin(Hart.MIP_SEIP).raise();
            rig.runTo("done");
            assertThat(rig.x("a0")).isEqualTo(Traps.INTERRUPT_BIT | Traps.IRQ_M_EXTERNAL);
        }
    }

    @Test
    void machineSoftwareBeatsTimerAndSupervisorInterrupts() {
        try (TestRig rig = new TestRig()) {
            rig.load(SPIN).runTo("spin");
            rig.hart.interruptPin(Hart.MIP_MTIP).raise();
            rig.hart.interruptPin(Hart.MIP_SEIP).raise();
            rig.hart.postInterrupt(Hart.MIP_MSIP);
            rig.runTo("done");
            assertThat(rig.x("a0")).isEqualTo(Traps.INTERRUPT_BIT | Traps.IRQ_M_SOFTWARE);
        }
    }

    @Test
    void supervisorExternalBeatsSupervisorSoftwareAndTimer() {
        try (TestRig rig = new TestRig()) {
            rig.load(SPIN).runTo("spin");
            rig.hart.postInterrupt(Hart.MIP_STIP);
            rig.hart.postInterrupt(Hart.MIP_SSIP);
            rig.hart.postInterrupt(Hart.MIP_SEIP);
            rig.runTo("done");
            assertThat(rig.x("a0")).isEqualTo(Traps.INTERRUPT_BIT | Traps.IRQ_S_EXTERNAL);
        }
    }

    @Test
    void delegatedInterruptIsNotTakenInMachineMode() {
        try (TestRig rig = new TestRig()) {
            rig.load(SPIN.replace("csrw mie, t0", "csrw mie, t0\n li t0, 0x222\n csrw mideleg, t0")).runTo("spin");
            rig.hart.postInterrupt(Hart.MIP_SSIP);
            rig.hart.run(100);
            assertThat(rig.hart.pc()).isEqualTo(rig.symbol("spin"));
            assertThat(rig.hart.privilege()).isEqualTo(Csrs.PRIV_M);
        }
    }

    @Test
    void delegatedInterruptGoesToSupervisorFromUserModeRegardlessOfSie() {
        try (TestRig rig = new TestRig()) {
            rig.load("""
                    la t0, strap
                    csrw stvec, t0
                    li t0, 0x222
                    csrw mideleg, t0
                    csrw mie, t0
                    li t0, -1
                    csrw pmpaddr0, t0
                    li t0, 0x1f
                    csrw pmpcfg0, t0
                    li t0, 0x1800
                    csrc mstatus, t0
                    la t0, user
                    csrw mepc, t0
                    mret
                user: j user
                    .balign 4
                strap:
                    csrr a1, scause
                    csrr a2, sepc
                done: j done
                """).runTo("user");
            rig.hart.interruptPin(Hart.MIP_STIP).raise();
            rig.runTo("done");
            assertThat(rig.x("a1")).isEqualTo(Traps.INTERRUPT_BIT | Traps.IRQ_S_TIMER);
            assertThat(rig.x("a2")).isEqualTo(rig.symbol("user"));
            assertThat(rig.hart.privilege()).isEqualTo(Csrs.PRIV_S);
        }
    }

    @Test
    void disabledMachineInterruptsWaitForMie() {
        try (TestRig rig = new TestRig()) {
            rig.load(SPIN.replace("csrsi mstatus, 0x8", "nop")).runTo("spin");
            rig.hart.interruptPin(Hart.MIP_MTIP).raise();
            rig.hart.run(100);
            assertThat(rig.hart.pc()).isEqualTo(rig.symbol("spin"));
        }
    }

    @Test
    void loweredLineIsNoLongerPending() {
        try (TestRig rig = new TestRig()) {
            rig.load(SPIN).runTo("spin");
            var line = rig.hart.interruptPin(Hart.MIP_MEIP);
            line.raise();
            line.lower();
            rig.hart.run(100);
            assertThat(rig.hart.pc()).isEqualTo(rig.symbol("spin"));
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void wfiStopsTheHartUntilAnotherThreadRaisesALine() throws Exception {
        try (TestRig rig = new TestRig()) {
            rig.load("""
                    li t0, 0x80
                    csrw mie, t0       # MTIE only; MIE stays off: WFI still wakes
                    wfi
                woke:
                    li a0, 1
                done: j done
                """);
            rig.hart.run(1000);
            assertThat(rig.hart.isWaitingForInterrupt()).isTrue();
            assertThat(rig.hart.run(1000)).as("still asleep").isZero();
            var line = rig.hart.interruptPin(Hart.MIP_MTIP);
            Thread raiser = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                line.raise();
            });
            long start = System.nanoTime();
            rig.hart.awaitInterrupt(TimeUnit.SECONDS.toNanos(5));
            long waited = System.nanoTime() - start;
            raiser.join();
            assertThat(waited).isLessThan(TimeUnit.SECONDS.toNanos(4));
            rig.runTo("done");
            assertThat(rig.hart.isWaitingForInterrupt()).isFalse();
            assertThat(rig.x("a0")).isEqualTo(1);
        }
    }

    @Test
    void wfiIsIllegalInUserModeAndInSupervisorWithTw() {
        try (TestRig rig = new TestRig()) {
            rig.load("""
                    la t0, mtrap
                    csrw mtvec, t0
                    li t0, 0x200000    # TW
                    csrs mstatus, t0
                    li t0, -1
                    csrw pmpaddr0, t0
                    li t0, 0x1f
                    csrw pmpcfg0, t0
                    li t0, 0x1800
                    csrc mstatus, t0
                    li t0, 0x0800
                    csrs mstatus, t0
                    la t0, sup
                    csrw mepc, t0
                    mret
                sup:
                    wfi
                    .balign 4
                mtrap:
                    csrr a0, mcause
                done: j done
                """).runTo("done");
            assertThat(rig.x("a0")).isEqualTo(Traps.ILLEGAL_INSTRUCTION);
        }
    }

    @Test
    void requestExitStopsARunningHart() throws Exception {
        try (TestRig rig = new TestRig()) {
            rig.load("spin: j spin\n");
            Thread stopper = Thread.ofPlatform().start(() -> {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                rig.hart.requestExit();
            });
            long retired = rig.hart.run(Long.MAX_VALUE);
            stopper.join();
            assertThat(retired).isPositive();
        }
    }

    /**
     * OpenSBI's timer handler does {@code csrs mip, STIP} and its set_timer {@code csrc mip, STIP};
     * if the PLIC holds SEIP high at that moment, the line must not be latched into the
     * software-writable SEIP bit, or S-mode takes an external interrupt it can never clear.
     */
    @Test
    void settingAndClearingStipWhileSeipLineIsHighDoesNotLatchSeip() {
        try (TestRig rig = new TestRig()) {
            rig.load("""
                    li t0, 0x20
                    csrs mip, t0
                    csrr a0, mip
                    csrrc a1, mip, t0
                stop: j stop
                """);
            InterruptLine seip = rig.hart.interruptPin(Hart.MIP_SEIP);
            seip.raise();
            rig.runTo("stop");
            assertThat(rig.x("a0")).as("a read ORs the line in").isEqualTo(Csrs.MIP_STIP | Csrs.MIP_SEIP);
            assertThat(rig.x("a1")).as("csrrc returns the ORed value too").isEqualTo(Csrs.MIP_STIP | Csrs.MIP_SEIP);
            seip.lower();
            assertThat(rig.hart.debugCsr(Csrs.MIP)).as("mip once the line drops").isZero();
        }
    }

    @Test
    void softwareSeipOutlivesTheLineUntilClearedBySoftware() {
        try (TestRig rig = new TestRig()) {
            rig.load("""
                    li t0, 0x200
                    csrs mip, t0
                one: j one
                clr: csrc mip, t0
                two: j two
                """);
            InterruptLine seip = rig.hart.interruptPin(Hart.MIP_SEIP);
            seip.raise();
            rig.runTo("one");
            seip.lower();
            assertThat(rig.hart.debugCsr(Csrs.MIP)).isEqualTo(Csrs.MIP_SEIP);
            rig.hart.setPc(rig.symbol("clr"));
            rig.runTo("two");
            assertThat(rig.hart.debugCsr(Csrs.MIP)).isZero();
        }
    }
}

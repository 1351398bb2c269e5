package dev.jvmm.cpu.riscv;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PmpTest {

    /** Programs PMP from s2..s5 (addr0, cfg0 bytes, addr1, addr2), drops to S-mode and runs the body. */
    private static TestRig run(String pmpSetup, String body) {
        TestRig rig = new TestRig();
        rig.load("""
                la t0, mtrap
                csrw mtvec, t0
                """ + pmpSetup + """
                li t0, 0x1800
                csrc mstatus, t0
                li t0, 0x0800
                csrs mstatus, t0
                la t0, body
                csrw mepc, t0
                mret
            body:
            """ + body + """
                ecall
                .balign 4
            mtrap:
                csrr s10, mcause
                csrr s11, mtval
            done: j done
            """).runTo("done");
        return rig;
    }

    /** Entry 0: code region RX by NAPOT (first 64 KiB); entry 1-2 per test. */
    private static final String CODE_RX = """
                li t0, 0x80000000 >> 2 | (0x10000 / 8 - 1)
                csrw pmpaddr0, t0
            """;

    @Test
    void supervisorAccessWithNoMatchingEntryFails() {
        try (TestRig rig = run(CODE_RX + """
                li t0, 0x1d          # NAPOT, R X
                csrw pmpcfg0, t0
                """, """
                li t0, 0x80100000
                ld a0, 0(t0)
                """)) {
            assertThat(rig.x("s10")).isEqualTo(Traps.LOAD_ACCESS_FAULT);
            assertThat(rig.x("s11")).isEqualTo(0x80100000L);
        }
    }

    @Test
    void torEntryGrantsReadButNotWrite() {
        String setup = CODE_RX + """
                li t0, 0x80100000 >> 2
                csrw pmpaddr1, t0
                li t0, 0x80101000 >> 2
                csrw pmpaddr2, t0
                li t0, 0x090000 | 0x001d   # entry2 = TOR|R, entry1 = OFF, entry0 = NAPOT|RX
                csrw pmpcfg0, t0
                """;
        try (TestRig rig = run(setup, """
                li t0, 0x80100ff8
                ld a0, 0(t0)
                """)) {
            assertThat(rig.x("s10")).isEqualTo(Traps.ECALL_FROM_S);
        }
        try (TestRig rig = run(setup, """
                li t0, 0x80100008
                sd a0, 0(t0)
                """)) {
            assertThat(rig.x("s10")).isEqualTo(Traps.STORE_ACCESS_FAULT);
        }
        try (TestRig rig = run(setup, """
                li t0, 0x80101000
                ld a0, 0(t0)
                """)) {
            assertThat(rig.x("s10")).as("just past the TOR top").isEqualTo(Traps.LOAD_ACCESS_FAULT);
        }
    }

    @Test
    void na4EntryCoversExactlyFourBytes() {
        String setup = CODE_RX + """
                li t0, 0x80100004 >> 2
                csrw pmpaddr1, t0
                li t0, 0x1300 | 0x1d     # entry1 = NA4|RW
                csrw pmpcfg0, t0
                """;
        try (TestRig rig = run(setup, """
                li t0, 0x80100004
                sw a0, 0(t0)
                """)) {
            assertThat(rig.x("s10")).isEqualTo(Traps.ECALL_FROM_S);
        }
        try (TestRig rig = run(setup, """
                li t0, 0x80100004
                sd a0, 0(t0)
                """)) {
            assertThat(rig.x("s10")).as("8-byte access only partly inside").isEqualTo(Traps.STORE_ACCESS_FAULT);
        }
    }

    @Test
    void instructionFetchOutsideExecutableRegionFails() {
        try (TestRig rig = run(CODE_RX + """
                li t0, 0x80100000 >> 2 | (0x1000 / 8 - 1)
                csrw pmpaddr1, t0
                li t0, 0x1b00 | 0x1d     # entry1 = NAPOT|RW (no X)
                csrw pmpcfg0, t0
                """, """
                li t0, 0x80100000
                jr t0
                """)) {
            assertThat(rig.x("s10")).isEqualTo(Traps.INSTRUCTION_ACCESS_FAULT);
            assertThat(rig.x("s11")).isEqualTo(0x80100000L);
        }
    }

    @Test
    void lockedEntryBindsMachineModeAndIgnoresWrites() {
        try (TestRig rig = new TestRig()) {
            rig.load("""
                    la t0, mtrap
                    csrw mtvec, t0
                    li t0, 0x80100000 >> 2 | (0x1000 / 8 - 1)
                    csrw pmpaddr0, t0
                    li t0, 0x99            # L | NAPOT | R
                    csrw pmpcfg0, t0
                    csrw pmpaddr0, zero    # ignored: locked
                    csrw pmpcfg0, zero     # ignored: locked
                    csrr a0, pmpcfg0
                    li t0, 0x80100000
                    ld a1, 0(t0)
                    sd a1, 0(t0)
                    .balign 4
                mtrap:
                    csrr s10, mcause
                done: j done
                """).runTo("done");
            assertThat(rig.x("a0") & 0xff).isEqualTo(0x99);
            assertThat(rig.x("s10")).isEqualTo(Traps.STORE_ACCESS_FAULT);
        }
    }

    @Test
    void pmpaddrReadsBackWithItsWritableWidth() {
        try (TestRig rig = new TestRig()) {
            rig.load("""
                    li t0, -1
                    csrw pmpaddr5, t0
                    csrr a0, pmpaddr5
                done: j done
                """).runTo("done");
            assertThat(rig.x("a0")).isEqualTo((1L << 54) - 1);
        }
    }
}

package dev.jvmm.cpu.riscv;

import static dev.jvmm.cpu.riscv.PageTableBuilder.A;
import static dev.jvmm.cpu.riscv.PageTableBuilder.D;
import static dev.jvmm.cpu.riscv.PageTableBuilder.R;
import static dev.jvmm.cpu.riscv.PageTableBuilder.W;
import static dev.jvmm.cpu.riscv.PageTableBuilder.X;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvmm.cpu.riscv.translate.TranslatorOptions;
import dev.jvmm.memory.state.StateException;
import dev.jvmm.memory.state.StateReader;
import dev.jvmm.memory.state.StateWriter;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Saving a hart's state and restoring it into another hart (or the same one). */
class HartStateTest {

    private static final long TABLES = 0x80800000L;
    private static final long DATA_PA = 0x80200000L;
    private static final long DATA_VA = 0x40000000L;
    private static final TranslatorOptions EAGER = TranslatorOptions.defaults().withHotThreshold(2);

    /**
     * M-mode sets up PMP, FP and Sv39 (satp from s0), then runs an S-mode loop forever: integer
     * and double arithmetic (accruing fflags), stores through a page whose D bit starts clear,
     * sscratch writes, an ECALL to M every 64 iterations and a delegated EBREAK to S every 128.
     */
    private static final String PROGRAM = """
                la   t0, mtrap
                csrw mtvec, t0
                la   t0, strap
                csrw stvec, t0
                li   t0, 8            # delegate breakpoints to S
                csrw medeleg, t0
                li   t0, -1
                csrw pmpaddr0, t0
                li   t0, 0x1f
                csrw pmpcfg0, t0
                li   t0, 0x2000       # FS = Initial
                csrs mstatus, t0
                li   t0, 3
                fcvt.d.l fs0, t0
                csrw satp, s0
                sfence.vma
                li   t0, 0x1800
                csrc mstatus, t0
                li   t0, 0x800        # MPP = S
                csrs mstatus, t0
                la   t0, sbody
                csrw mepc, t0
                mret
            sbody:
                li   s1, 0x40000000
                li   s2, 0
                li   s3, 0x3ff0000000000000
                fmv.d.x fs1, s3
            loop:
                addi s2, s2, 1
                fcvt.d.l ft0, s2
                fdiv.d ft1, fs1, ft0
                fadd.d fs0, fs0, ft1
                fsd  fs0, 8(s1)
                andi t0, s2, 0xff
                slli t0, t0, 3
                add  t1, s1, t0
                addi t1, t1, 1024
                sd   s2, 1024(t1)
                mul  s6, s2, s2
                xor  s7, s7, s6
                csrw sscratch, s7
                andi t0, s2, 63
                bnez t0, 1f
                ecall
            1:
                andi t0, s2, 127
                bnez t0, 2f
                .option push
                .option norvc
                ebreak
                .option pop
            2:
                j    loop
                .balign 4
            mtrap:
                csrr t5, mcause
                addi s4, s4, 1
                csrr t6, mepc
                addi t6, t6, 4
                csrw mepc, t6
                mret
                .balign 4
            strap:
                csrr t4, scause
                addi s5, s5, 1
                csrr t6, sepc
                addi t6, t6, 4
                csrw sepc, t6
                sret
            """;

    private static TestRig pagedRig(Engine engine) {
        TestRig rig = new TestRig();
        rig.hart.setEngine(engine, EAGER);
        PageTableBuilder tables = new PageTableBuilder(rig.ram, 3, TABLES)
                .map(0x80000000L, 0x80000000L, R | W | X | A | D, 2)
                .map(DATA_VA, DATA_PA, R | W | A, 0); // D clear: the first store sets it
        rig.load(PROGRAM);
        rig.hart.setRegister(8, tables.satp());
        return rig;
    }

    /** The leaf PTE of DATA_VA, found by walking the tables the hart uses. */
    private static long dataPte(TestRig rig) {
        long table = TABLES;
        long pte = 0;
        for (int level = 2; level >= 0; level--) {
            pte = rig.ram.readLong(table + ((DATA_VA >>> (12 + 9 * level)) & 0x1ff) * 8);
            table = (pte >>> 10) << 12;
        }
        return pte;
    }

    private static byte[] save(Hart hart) {
        StateWriter out = new StateWriter();
        hart.saveState(out);
        return out.toByteArray();
    }

    private static void restore(Hart hart, byte[] record) throws StateException {
        hart.restoreState(new StateReader("hart 0", record), hart.stateVersion());
    }

    private static void assertSame(TestRig a, TestRig b, String when) {
        assertThat(b.hart.pc()).as("pc %s", when).isEqualTo(a.hart.pc());
        for (int r = 0; r < 32; r++) {
            assertThat(b.hart.register(r)).as("x%d %s", r, when).isEqualTo(a.hart.register(r));
            assertThat(b.hart.fpRegister(r)).as("f%d %s", r, when).isEqualTo(a.hart.fpRegister(r));
        }
        assertThat(b.hart.privilege()).as("privilege %s", when).isEqualTo(a.hart.privilege());
        assertThat(b.hart.instructionsRetired()).as("instret %s", when).isEqualTo(a.hart.instructionsRetired());
        assertThat(save(b.hart)).as("whole state record %s", when).isEqualTo(save(a.hart));
        assertThat(b.ram.segment().mismatch(a.ram.segment())).as("first differing RAM byte %s", when).isEqualTo(-1L);
    }

    static Stream<Arguments> enginePairs() {
        return Stream.of(
                Arguments.of(Engine.INTERPRETER, Engine.INTERPRETER),
                Arguments.of(Engine.JIT, Engine.JIT),
                Arguments.of(Engine.INTERPRETER, Engine.JIT),
                Arguments.of(Engine.JIT, Engine.INTERPRETER));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("enginePairs")
    void restoredHartOnCopiedMemoryContinuesExactlyAsTheOriginal(Engine original, Engine copy) throws Exception {
        try (TestRig a = pagedRig(original); TestRig b = new TestRig()) {
            a.hart.run(1_237);
            assertThat(a.hart.privilege()).as("running the S-mode loop").isEqualTo(Csrs.PRIV_S);
            assertThat(a.hart.debugCsr(Csrs.SATP)).as("paging on").isNotZero();

            b.hart.setEngine(copy, EAGER);
            b.ram.segment().copyFrom(a.ram.segment());
            restore(b.hart, save(a.hart));
            assertSame(a, b, "right after the restore");

            int[] budgets = {1, 3, 17, 256, 1_000, 5_000};
            for (int budget : budgets) {
                a.hart.run(budget);
                b.hart.run(budget);
                assertSame(a, b, "after a further run(" + budget + ")");
            }
            assertThat(a.x("s4")).as("ECALLs into M").isGreaterThan(1);
            assertThat(a.x("s5")).as("EBREAKs into S").isGreaterThan(1);
            assertThat(a.hart.debugCsr(Csrs.FFLAGS)).as("inexact accrued").isNotZero();
            assertThat(dataPte(a) & D)
                    .as("D bit set by the hart").isEqualTo(D);
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void restoringAnEarlierSnapshotWithItsMemoryReplaysTheSameRun(Engine engine) throws Exception {
        try (TestRig rig = pagedRig(engine)) {
            rig.hart.run(800);
            byte[] snapshot = save(rig.hart);
            byte[] memory = rig.ram.segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);

            rig.hart.run(3_000);
            byte[] after = save(rig.hart);
            byte[] memoryAfter = rig.ram.segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);

            rig.ram.segment().copyFrom(java.lang.foreign.MemorySegment.ofArray(memory));
            restore(rig.hart, snapshot);
            assertThat(save(rig.hart)).isEqualTo(snapshot);
            rig.hart.run(3_000);

            assertThat(save(rig.hart)).isEqualTo(after);
            assertThat(Arrays.equals(rig.ram.segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), memoryAfter))
                    .as("RAM after the replay").isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("engines")
    void restoreDropsTranslationsCachedFromTheOldPageTables(Engine engine) throws Exception {
        try (TestRig rig = pagedRig(engine)) {
            rig.hart.run(2_000); // the store TLB now maps DATA_VA to DATA_PA with D set
            byte[] snapshot = save(rig.hart);
            long other = DATA_PA + 0x10000;
            long pteAddress = TABLES + 0x2000; // the level-0 table the builder allocated third
            assertThat(rig.ram.readLong(pteAddress)).isEqualTo(dataPte(rig));
            rig.ram.writeLong(pteAddress, ((other >>> 12) << 10) | PageTableBuilder.V | R | W | A | D);
            rig.ram.writeLong(DATA_PA + 8, 0);

            restore(rig.hart, snapshot);
            rig.hart.run(500);

            assertThat(rig.ram.readLong(other + 8)).as("stores go to the newly mapped page").isNotZero();
            assertThat(rig.ram.readLong(DATA_PA + 8)).as("nothing through the stale translation").isZero();
        }
    }

    static Stream<Engine> engines() {
        return Stream.of(Engine.INTERPRETER, Engine.JIT);
    }

    // ---- bad records ----

    private static HartState captured(Hart h) {
        return h.captureState();
    }

    private static byte[] record(HartState s) {
        StateWriter out = new StateWriter();
        s.write(out);
        return out.toByteArray();
    }

    private static Arguments bad(String name, Consumer<HartState> change) {
        return Arguments.of(Named.of(name, change));
    }

    static Stream<Arguments> impossibleValues() {
        return Stream.of(
                bad("privilege 2", s -> s.privilege = 2),
                bad("privilege 4", s -> s.privilege = 4),
                bad("hart id of another hart", s -> s.hartId = 1),
                bad("misa without the C extension", s -> s.misa &= ~(1L << 2)),
                bad("mstatus with reserved MPP 2", s -> s.mstatus = (s.mstatus & ~Csrs.MSTATUS_MPP) | (2L << 11)),
                bad("mstatus with UXL 32-bit", s -> s.mstatus = (s.mstatus & ~Csrs.MSTATUS_UXL) | (1L << 32)),
                bad("mstatus with SD stored", s -> s.mstatus |= Csrs.MSTATUS_SD),
                bad("frm 8", s -> s.frm = 8),
                bad("fflags 0x20", s -> s.fflags = 0x20),
                bad("medeleg with ECALL from M", s -> s.medeleg |= 1L << 11),
                bad("mideleg with MTIP", s -> s.mideleg |= Csrs.MIP_MTIP),
                bad("mie bit 13", s -> s.mie |= 1L << 13),
                bad("mtvec mode 2", s -> s.mtvec = 0x80000002L),
                bad("odd sepc", s -> s.sepc = 0x80000001L),
                bad("satp mode 5", s -> s.satp = 5L << 60),
                bad("bare satp with a PPN", s -> s.satp = 0x1234),
                bad("mcounteren above 32 bits", s -> s.mcounteren = 1L << 32),
                bad("mip line bit 12", s -> s.externalPending = 1L << 12),
                bad("pmpcfg W without R", s -> s.pmpCfg[3] = (byte) (Pmp.A_NAPOT | Pmp.W)),
                bad("pmpaddr bit 54", s -> s.pmpAddr[7] = 1L << 54));
    }

    @ParameterizedTest
    @MethodSource("impossibleValues")
    void recordWithAnImpossibleValueIsRefusedAndChangesNothing(Consumer<HartState> change) throws Exception {
        try (TestRig source = pagedRig(Engine.INTERPRETER); TestRig target = pagedRig(Engine.INTERPRETER)) {
            source.hart.run(1_500);
            target.hart.run(700);
            HartState s = captured(source.hart);
            change.accept(s);
            byte[] before = save(target.hart);

            assertThatThrownBy(() -> restore(target.hart, record(s))).isInstanceOf(StateException.class);

            assertThat(save(target.hart)).isEqualTo(before);
        }
    }

    @Test
    void truncatedRecordIsRefusedAtEveryLengthAndChangesNothing() throws Exception {
        try (TestRig source = pagedRig(Engine.INTERPRETER); TestRig target = pagedRig(Engine.JIT)) {
            source.hart.run(1_500);
            target.hart.run(700);
            byte[] full = save(source.hart);
            byte[] before = save(target.hart);
            long pcBefore = target.hart.pc();

            for (int length = 0; length < full.length; length++) {
                byte[] cut = Arrays.copyOf(full, length);
                assertThatThrownBy(() -> restore(target.hart, cut)).as("record cut to %d bytes", length)
                        .isInstanceOf(StateException.class);
            }
            assertThat(target.hart.pc()).isEqualTo(pcBefore);
            assertThat(save(target.hart)).isEqualTo(before);
        }
    }

    @Test
    void recordWithTrailingBytesIsRefused() {
        try (TestRig rig = new TestRig()) {
            byte[] full = save(rig.hart);
            byte[] longer = Arrays.copyOf(full, full.length + 1);
            assertThatThrownBy(() -> restore(rig.hart, longer)).isInstanceOf(StateException.class)
                    .hasMessageContaining("trailing");
        }
    }

    @Test
    void unknownVersionIsRefused() {
        try (TestRig rig = new TestRig()) {
            byte[] full = save(rig.hart);
            assertThatThrownBy(() -> rig.hart.restoreState(new StateReader("hart 0", full), 2))
                    .isInstanceOf(StateException.class).hasMessageContaining("version");
        }
    }

    // ---- every value round-trips ----

    @Test
    void everyCsrAndRegisterValueRoundTripsAndIsVisibleToTheGuest() throws Exception {
        try (TestRig source = new TestRig(); TestRig target = new TestRig()) {
            HartState s = captured(source.hart);
            s.pc = 0x80000abcL;
            for (int r = 1; r < 32; r++) {
                s.x[r] = r * 0x0101010101010101L;
            }
            for (int r = 0; r < 32; r++) {
                s.f[r] = ~(long) r;
            }
            s.frm = 4;
            s.fflags = 0x15;
            s.privilege = Csrs.PRIV_M;
            s.mstatus = Csrs.MSTATUS_XL_64 | (1L << Csrs.MSTATUS_MPP_SHIFT) | Csrs.MSTATUS_FS | Csrs.MSTATUS_SUM
                    | Csrs.MSTATUS_MXR | Csrs.MSTATUS_TVM | Csrs.MSTATUS_TW | Csrs.MSTATUS_TSR | Csrs.MSTATUS_SPIE
                    | Csrs.MSTATUS_MPIE | Csrs.MSTATUS_SPP | Csrs.MSTATUS_MPRV;
            s.medeleg = Csrs.MEDELEG_MASK & 0xA5A5L;
            s.mideleg = Csrs.S_INTERRUPTS;
            s.mie = Csrs.ALL_INTERRUPTS & ~Csrs.MIP_MSIP;
            s.mtvec = 0x80001001L;
            s.mscratch = 0x1122334455667788L;
            s.mepc = 0x80004ffeL;
            s.mcause = Traps.INTERRUPT_BIT | 7;
            s.mtval = -5;
            s.mcounteren = 5;
            s.mcountinhibit = 0x1234L & 0xfffffffdL;
            s.stvec = 0x80002000L;
            s.sscratch = 0x0badcafe0badcafeL;
            s.sepc = 0x40000002L;
            s.scause = Traps.LOAD_PAGE_FAULT;
            s.stval = 0x40000123L;
            s.satp = (9L << 60) | (0x1234L << 44) | 0x80800L;
            s.scounteren = 2;
            s.softwarePending = Csrs.MIP_SSIP | Csrs.MIP_STIP;
            s.externalPending = Csrs.MIP_SEIP | Csrs.MIP_MTIP;
            s.instret = 123_456_789L;
            s.cycleOffset = 1_000;
            s.instretOffset = -7;
            for (int i = 0; i < Pmp.ENTRIES; i++) {
                s.pmpAddr[i] = 0x1000L * i + 3;
            }
            s.pmpCfg[0] = (byte) (Pmp.A_NAPOT | Pmp.R | Pmp.W | Pmp.X);
            s.pmpCfg[1] = (byte) (Pmp.A_TOR | Pmp.R);
            s.pmpCfg[2] = (byte) (Pmp.L | Pmp.A_NA4 | Pmp.R | Pmp.X);
            s.pmpCfg[63] = (byte) (Pmp.A_TOR | Pmp.R | Pmp.W);
            s.waiting = true;
            byte[] record = record(s);

            restore(target.hart, record);

            assertThat(save(target.hart)).as("saved again").isEqualTo(record);
            Hart h = target.hart;
            Csrs c = h.csrs();
            assertThat(h.pc()).isEqualTo(0x80000abcL);
            assertThat(h.register(31)).isEqualTo(31 * 0x0101010101010101L);
            assertThat(h.register(0)).isZero();
            assertThat(h.fpRegister(0)).isEqualTo(-1L);
            assertThat(h.privilege()).isEqualTo(Csrs.PRIV_M);
            assertThat(h.isWaitingForInterrupt()).isTrue();
            assertThat(c.read(Csrs.FCSR, 0)).isEqualTo((4 << 5) | 0x15);
            assertThat(c.read(Csrs.MSTATUS, 0)).isEqualTo(s.mstatus | Csrs.MSTATUS_SD);
            assertThat(c.read(Csrs.MISA_CSR, 0)).isEqualTo(Csrs.MISA);
            assertThat(c.read(Csrs.MEDELEG, 0)).isEqualTo(s.medeleg);
            assertThat(c.read(Csrs.MIDELEG, 0)).isEqualTo(s.mideleg);
            assertThat(c.read(Csrs.MIE, 0)).isEqualTo(s.mie);
            assertThat(c.read(Csrs.MIP, 0)).isEqualTo(Csrs.MIP_SSIP | Csrs.MIP_STIP | Csrs.MIP_SEIP | Csrs.MIP_MTIP);
            assertThat(c.readModifyBase(Csrs.MIP, c.read(Csrs.MIP, 0)) & Csrs.MIP_WRITE_MASK)
                    .as("software-written mip bits kept apart from the lines").isEqualTo(Csrs.MIP_SSIP | Csrs.MIP_STIP);
            assertThat(c.read(Csrs.MTVEC, 0)).isEqualTo(s.mtvec);
            assertThat(c.read(Csrs.MSCRATCH, 0)).isEqualTo(s.mscratch);
            assertThat(c.read(Csrs.MEPC, 0)).isEqualTo(s.mepc);
            assertThat(c.read(Csrs.MCAUSE, 0)).isEqualTo(s.mcause);
            assertThat(c.read(Csrs.MTVAL, 0)).isEqualTo(s.mtval);
            assertThat(c.read(Csrs.MCOUNTEREN, 0)).isEqualTo(5);
            assertThat(c.read(Csrs.MCOUNTINHIBIT, 0)).isEqualTo(s.mcountinhibit);
            assertThat(c.read(Csrs.STVEC, 0)).isEqualTo(s.stvec);
            assertThat(c.read(Csrs.SSCRATCH, 0)).isEqualTo(s.sscratch);
            assertThat(c.read(Csrs.SEPC, 0)).isEqualTo(s.sepc);
            assertThat(c.read(Csrs.SCAUSE, 0)).isEqualTo(s.scause);
            assertThat(c.read(Csrs.STVAL, 0)).isEqualTo(s.stval);
            assertThat(c.read(Csrs.SATP, 0)).isEqualTo(s.satp);
            assertThat(c.read(Csrs.SCOUNTEREN, 0)).isEqualTo(2);
            assertThat(c.read(Csrs.MCYCLE, 0)).isEqualTo(123_456_789L + 1_000);
            assertThat(c.read(Csrs.MINSTRET, 0)).isEqualTo(123_456_789L - 7);
            assertThat(h.instructionsRetired()).isEqualTo(123_456_789L);
            assertThat(c.read(Csrs.PMPCFG0, 0) & 0xffffff).isEqualTo(
                    (Pmp.A_NAPOT | Pmp.R | Pmp.W | Pmp.X) | (Pmp.A_TOR | Pmp.R) << 8 | (Pmp.L | Pmp.A_NA4 | Pmp.R | Pmp.X) << 16);
            assertThat(c.read(Csrs.PMPCFG0 + 14, 0) >>> 56).isEqualTo(Pmp.A_TOR | Pmp.R | Pmp.W);
            assertThat(c.read(Csrs.PMPADDR0 + 42, 0)).isEqualTo(0x1000L * 42 + 3);
            assertThat(c.read(Csrs.MHARTID, 0)).isZero();
        }
    }

    @Test
    void restoredPmpLockIsEnforcedAgainstGuestWrites() throws Exception {
        try (TestRig source = new TestRig(); TestRig target = new TestRig()) {
            HartState s = captured(source.hart);
            s.pmpCfg[0] = (byte) (Pmp.L | Pmp.A_NAPOT | Pmp.R);
            s.pmpAddr[0] = 0x123;
            restore(target.hart, record(s));

            Csrs c = target.hart.csrs();
            c.write(Csrs.PMPADDR0, 0x456, 0);
            c.write(Csrs.PMPCFG0, 0, 0);
            assertThat(c.read(Csrs.PMPADDR0, 0)).isEqualTo(0x123);
            assertThat(c.read(Csrs.PMPCFG0, 0) & 0xff).isEqualTo(Pmp.L | Pmp.A_NAPOT | Pmp.R);
        }
    }
}

package dev.jvmm.cpu.riscv;

import static dev.jvmm.cpu.riscv.PageTableBuilder.A;
import static dev.jvmm.cpu.riscv.PageTableBuilder.D;
import static dev.jvmm.cpu.riscv.PageTableBuilder.R;
import static dev.jvmm.cpu.riscv.PageTableBuilder.U;
import static dev.jvmm.cpu.riscv.PageTableBuilder.W;
import static dev.jvmm.cpu.riscv.PageTableBuilder.X;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import dev.jvmm.cpu.riscv.translate.TranslatorOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class MmuTest {

    private static final long TABLES = 0x80800000L;
    private static final long DATA_PA = 0x80200000L;
    private static final long DATA_VA = 0x40000000L;

    /**
     * Runs {@code body} in S-mode (or U-mode with {@code user}) with paging per {@code tables}; nothing is
     * delegated, so the body's final ECALL or any fault lands in M-mode, which records mcause in s10 and
     * mtval in s11. The code is identity-mapped by a gigapage.
     */
    private static TestRig runPaged(PageTableBuilder tables, TestRig rig, String body, boolean user) {
        setUpPaging(tables, rig, user);
        rig.runTo("done");
        return rig;
    }

    private static void setUpPaging(PageTableBuilder tables, TestRig rig, boolean user) {
        tables.map(0x80000000L, 0x80000000L, R | W | X | A | D | (user ? U : 0), 2);
        rig.hart.setRegister(8, tables.satp());
        rig.hart.setRegister(9, user ? 0 : 0x800);
    }

    private static final String PRELUDE = """
                la t0, mtrap
                csrw mtvec, t0
                li t0, -1
                csrw pmpaddr0, t0
                li t0, 0x1f
                csrw pmpcfg0, t0
                csrw satp, s0
                sfence.vma
                li t0, 0x1800
                csrc mstatus, t0
                csrs mstatus, s1
                la t0, body
                csrw mepc, t0
                mret
            body:
            """;

    private static final String EPILOGUE = """
                ecall
                .balign 4
            mtrap:
                csrr s10, mcause
                csrr s11, mtval
            done: j done
            """;

    private static TestRig rig(String body) {
        TestRig rig = new TestRig();
        rig.load(PRELUDE + body + EPILOGUE);
        return rig;
    }

    private static PageTableBuilder sv39(TestRig rig) {
        return new PageTableBuilder(rig.ram, 3, TABLES);
    }

    @Test
    void sv39TranslatesFourKilobytePageAndGigapage() {
        try (TestRig rig = rig("""
                li t0, 0x40000000
                li t1, 0x1234
                sd t1, 8(t0)
                ld a0, 8(t0)
                """)) {
            PageTableBuilder pt = sv39(rig).map(DATA_VA, DATA_PA, R | W | A | D, 0);
            runPaged(pt, rig, null, false);
            assertThat(rig.x("s10")).isEqualTo(Traps.ECALL_FROM_S);
            assertThat(rig.x("a0")).isEqualTo(0x1234);
            assertThat(rig.ram.readLong(DATA_PA + 8)).isEqualTo(0x1234);
        }
    }

    @Test
    void hardwareSetsAccessedOnLoadAndDirtyOnStore() {
        try (TestRig rig = rig("""
                li t0, 0x40000000
                ld a0, 0(t0)
                mv a1, zero
                li t0, 0x40001000
                sd a0, 0(t0)
                """)) {
            PageTableBuilder pt = sv39(rig).map(DATA_VA, DATA_PA, R | W, 0).map(DATA_VA + 0x1000, DATA_PA + 0x1000, R | W, 0);
            runPaged(pt, rig, null, false);
            assertThat(rig.x("s10")).isEqualTo(Traps.ECALL_FROM_S);
            assertThat(pt.pte(DATA_VA, 0) & (A | D)).isEqualTo(A);
            assertThat(pt.pte(DATA_VA + 0x1000, 0) & (A | D)).isEqualTo(A | D);
        }
    }

    @Test
    void storeToReadOnlyPageRaisesStorePageFaultWithTheAddress() {
        try (TestRig rig = rig("""
                li t0, 0x40000010
                ld a0, 0(t0)
                sd a0, 0(t0)
                """)) {
            runPaged(sv39(rig).map(DATA_VA, DATA_PA, R | A | D, 0), rig, null, false);
            assertThat(rig.x("s10")).isEqualTo(Traps.STORE_PAGE_FAULT);
            assertThat(rig.x("s11")).isEqualTo(0x40000010L);
        }
    }

    @Test
    void supervisorLoadFromUserPageNeedsSum() {
        String body = """
                li t0, 0x40000000
                ld a0, 0(t0)
                """;
        try (TestRig rig = rig(body)) {
            runPaged(sv39(rig).map(DATA_VA, DATA_PA, R | W | U | A | D, 0), rig, null, false);
            assertThat(rig.x("s10")).isEqualTo(Traps.LOAD_PAGE_FAULT);
        }
        try (TestRig rig = rig("li t0, 0x40000\ncsrs sstatus, t0\n" + body)) {
            runPaged(sv39(rig).map(DATA_VA, DATA_PA, R | W | U | A | D, 0), rig, null, false);
            assertThat(rig.x("s10")).isEqualTo(Traps.ECALL_FROM_S);
        }
    }

    @Test
    void clearingSumRevokesCachedAccessToUserPages() {
        try (TestRig rig = rig("""
                li t1, 0x40000
                csrs sstatus, t1
                li t0, 0x40000000
                ld a0, 0(t0)
                csrc sstatus, t1
                ld a0, 0(t0)
                """)) {
            runPaged(sv39(rig).map(DATA_VA, DATA_PA, R | W | U | A | D, 0), rig, null, false);
            assertThat(rig.x("s10")).isEqualTo(Traps.LOAD_PAGE_FAULT);
        }
    }

    @Test
    void supervisorCannotExecuteUserPagesEvenWithSum() {
        try (TestRig rig = rig("""
                li t0, 0x40000
                csrs sstatus, t0
                li t0, 0x40000000
                jalr t0
                """)) {
            runPaged(sv39(rig).map(DATA_VA, DATA_PA, R | X | U | A | D, 0), rig, null, false);
            assertThat(rig.x("s10")).isEqualTo(Traps.INSTRUCTION_PAGE_FAULT);
            assertThat(rig.x("s11")).isEqualTo(DATA_VA);
        }
    }

    @Test
    void userModeCannotTouchSupervisorPages() {
        try (TestRig rig = rig("""
                li t0, 0x40000000
                ld a0, 0(t0)
                """)) {
            runPaged(sv39(rig).map(DATA_VA, DATA_PA, R | W | A | D, 0), rig, null, true);
            assertThat(rig.hart.privilege()).isEqualTo(Csrs.PRIV_M);
            assertThat(rig.x("s10")).isEqualTo(Traps.LOAD_PAGE_FAULT);
        }
    }

    @Test
    void mxrMakesExecuteOnlyPagesReadable() {
        String body = """
                li t0, 0x40000000
                ld a0, 0(t0)
                """;
        try (TestRig rig = rig(body)) {
            runPaged(sv39(rig).map(DATA_VA, DATA_PA, X | A | D, 0), rig, null, false);
            assertThat(rig.x("s10")).isEqualTo(Traps.LOAD_PAGE_FAULT);
        }
        try (TestRig rig = rig("li t1, 0x80000\ncsrs sstatus, t1\n" + body)) {
            runPaged(sv39(rig).map(DATA_VA, DATA_PA, X | A | D, 0), rig, null, false);
            assertThat(rig.x("s10")).isEqualTo(Traps.ECALL_FROM_S);
        }
    }

    @Test
    void misalignedMegapageRaisesPageFault() {
        try (TestRig rig = rig("""
                li t0, 0x40000000
                ld a0, 0(t0)
                """)) {
            runPaged(sv39(rig).map(DATA_VA, DATA_PA + 0x1000, R | W | A | D, 1), rig, null, false);
            assertThat(rig.x("s10")).isEqualTo(Traps.LOAD_PAGE_FAULT);
        }
    }

    @Test
    void megapageTranslatesOffsetWithinTwoMegabytes() {
        try (TestRig rig = rig("""
                li t0, 0x40123458
                li t1, 77
                sd t1, 0(t0)
                """)) {
            runPaged(sv39(rig).map(DATA_VA, 0x80400000L, R | W | A | D, 1), rig, null, false);
            assertThat(rig.x("s10")).isEqualTo(Traps.ECALL_FROM_S);
            assertThat(rig.ram.readLong(0x80400000L + 0x123458)).isEqualTo(77);
        }
    }

    @Test
    void nonCanonicalSv39AddressRaisesPageFault() {
        try (TestRig rig = rig("""
                li t0, 0x4000000000
                ld a0, 0(t0)
                """)) {
            runPaged(sv39(rig), rig, null, false);
            assertThat(rig.x("s10")).isEqualTo(Traps.LOAD_PAGE_FAULT);
            assertThat(rig.x("s11")).isEqualTo(0x4000000000L);
        }
    }

    @Test
    void sv48WalksFourLevelsForHighAddresses() {
        try (TestRig rig = rig("""
                li t0, 0x7f0000001000
                li t1, 99
                sd t1, 0(t0)
                li t0, 0xffff800000000000
                sd t1, 0(t0)
                """)) {
            PageTableBuilder pt = new PageTableBuilder(rig.ram, 4, TABLES)
                    .map(0x7f0000001000L, DATA_PA, R | W | A | D, 0)
                    .map(0xffff800000000000L, DATA_PA + 0x2000, R | W | A | D, 0);
            runPaged(pt, rig, null, false);
            assertThat(rig.x("s10")).isEqualTo(Traps.ECALL_FROM_S);
            assertThat(rig.ram.readLong(DATA_PA)).isEqualTo(99);
            assertThat(rig.ram.readLong(DATA_PA + 0x2000)).isEqualTo(99);
        }
    }

    @Test
    void misalignedStoreAcrossIntoReadOnlyPageFaultsWithoutWritingTheFirstPage() {
        try (TestRig rig = rig("""
                li t0, 0x40000ffc
                li t1, -1
                sd t1, 0(t0)
                """)) {
            PageTableBuilder pt = sv39(rig).map(DATA_VA, DATA_PA, R | W | A | D, 0)
                    .map(DATA_VA + 0x1000, DATA_PA + 0x1000, R | A | D, 0);
            runPaged(pt, rig, null, false);
            assertThat(rig.x("s10")).isEqualTo(Traps.STORE_PAGE_FAULT);
            assertThat(rig.ram.readInt(DATA_PA + 0xffc)).isZero();
        }
    }

    @Test
    void misalignedLoadAcrossPagesJoinsBothPhysicalPages() {
        try (TestRig rig = rig("""
                li t0, 0x40000ffe
                ld a0, 0(t0)
                """)) {
            rig.ram.writeShort(DATA_PA + 0x3ffe, (short) 0x2211);
            rig.ram.writeShort(DATA_PA + 0x5000, (short) 0x4433);
            PageTableBuilder pt = sv39(rig).map(DATA_VA, DATA_PA + 0x3000, R | A | D, 0)
                    .map(DATA_VA + 0x1000, DATA_PA + 0x5000, R | A | D, 0);
            runPaged(pt, rig, null, false);
            assertThat(rig.x("s10")).isEqualTo(Traps.ECALL_FROM_S);
            assertThat(rig.x("a0") & 0xffffffffL).isEqualTo(0x44332211L);
        }
    }

    /**
     * Accesses that run from a page whose TLB entries are cached into the next page, mapped to
     * physical memory apart from the first's (the physically next page holds a pattern no
     * result may contain): each must join both pages, as fast paths that checked only the
     * first byte's page would not. Three rounds of a loop in runs long enough for compiled
     * code, so that the translator (threshold 1) runs them with the entries filled; the stores
     * of one round are what the loads of the next see.
     */
    @ParameterizedTest
    @EnumSource(Engine.class)
    void accessesAcrossIntoTheNextPageAfterHitsOnTheFirstJoinBothPhysicalPages(Engine engine) {
        try (TestRig rig = rig("""
                li t0, 0x40000ff0
                li t2, 3
            again:
                ld a1, 0(t0)          # fills the load entry of the first page
                sd a1, 0(t0)          # and its store entry
                ld a0, 14(t0)         # 0x...ffe
                lw a2, 13(t0)         # 0x...ffd
                lh a3, 15(t0)         # 0x...fff
                li t1, 0x0102030405060708
                sd t1, 12(t0)         # 0x...ffc
                addi t2, t2, -1
                bnez t2, again
                """)) {
            rig.hart.setEngine(engine, TranslatorOptions.defaults().withHotThreshold(1));
            rig.ram.writeLong(DATA_PA + 0x3ff8, 0x8877665544332211L);
            rig.ram.writeLong(DATA_PA + 0x4000, 0x5a5a5a5a5a5a5a5aL);
            rig.ram.writeLong(DATA_PA + 0x5000, 0x00ffeeddccbbaa99L);
            setUpPaging(sv39(rig).map(DATA_VA, DATA_PA + 0x3000, R | W | A | D, 0)
                    .map(DATA_VA + 0x1000, DATA_PA + 0x5000, R | W | A | D, 0), rig, false);
            rig.hart.run(2_000);
            assertThat(rig.hart.pc()).isEqualTo(rig.symbol("done"));
            if (engine == Engine.JIT) {
                assertThat(rig.hart.translatorStats().translatedInstructions()).isPositive();
            }
            assertThat(rig.x("s10")).isEqualTo(Traps.ECALL_FROM_S);
            assertThat(rig.x("a0")).isEqualTo(0xeedd010203040506L);
            assertThat(rig.x("a2")).isEqualTo(0x04050607L);
            assertThat(rig.x("a3")).isEqualTo(0x0405L);
            assertThat(rig.ram.readInt(DATA_PA + 0x3ffc)).isEqualTo(0x05060708);
            assertThat(rig.ram.readInt(DATA_PA + 0x5000)).isEqualTo(0x01020304);
            assertThat(rig.ram.readLong(DATA_PA + 0x4000)).isEqualTo(0x5a5a5a5a5a5a5a5aL);
        }
    }

    /**
     * A full SFENCE.VMA after loads and stores through {@code pages} pages, whose mappings the
     * guest then moves: every later access walks the new tables. Few pages: the flush clears the
     * entries it noted as filled; 520 pages fill 1040 entries, more than it notes (512), so it
     * clears everything.
     */
    @ParameterizedTest
    @ValueSource(ints = {100, 520})
    void fullSfenceVmaDropsEveryEntryFilledSinceTheLast(int pages) {
        try (TestRig rig = rig("""
                li   t0, 0x40000000
                mv   t1, s5
                li   a0, 0
            fill:
                ld   t2, 0(t0)
                add  a0, a0, t2
                sd   t2, 8(t0)
                add  t0, t0, s4
                addi t1, t1, -1
                bnez t1, fill
                mv   t0, s2
                mv   t1, s5
            move:
                ld   t2, 0(t0)         # each PTE through the identity map
                add  t2, t2, s3
                sd   t2, 0(t0)
                addi t0, t0, 8
                addi t1, t1, -1
                bnez t1, move
                sfence.vma
                li   t0, 0x40000000
                mv   t1, s5
                li   a1, 0
            again:
                ld   t2, 0(t0)
                add  a1, a1, t2
                add  t0, t0, s4
                addi t1, t1, -1
                bnez t1, again
                """)) {
            PageTableBuilder pt = sv39(rig);
            long moved = DATA_PA + (long) pages * 0x1000;
            for (int k = 0; k < pages; k++) {
                pt.map(DATA_VA + k * 0x1000L, DATA_PA + k * 0x1000L, R | W | A | D, 0);
                rig.ram.writeLong(DATA_PA + k * 0x1000L, k);
                rig.ram.writeLong(moved + k * 0x1000L, 1000 + k);
            }
            long firstPte = pt.pteAddress(DATA_VA, 0);
            assertThat(pt.pteAddress(DATA_VA + (pages - 1) * 0x1000L, 0)).as("the PTEs lie in a row")
                    .isEqualTo(firstPte + 8L * (pages - 1));
            rig.hart.setRegister(18, firstPte);
            rig.hart.setRegister(19, (long) pages << 10); // every PPN moves by that many pages
            rig.hart.setRegister(20, 0x1000);
            rig.hart.setRegister(21, pages);
            runPaged(pt, rig, null, false);
            assertThat(rig.x("s10")).isEqualTo(Traps.ECALL_FROM_S);
            long n = pages;
            assertThat(rig.x("a0")).isEqualTo(n * (n - 1) / 2);
            assertThat(rig.x("a1")).as("every load after the fence through the moved mappings")
                    .isEqualTo(1000 * n + n * (n - 1) / 2);
        }
    }

    @Test
    void sfenceVmaByAddressMakesAChangedMappingVisible() {
        try (TestRig rig = rig("""
                li t0, 0x40000000
                ld a0, 0(t0)
                sd s3, 0(s2)          # rewrite the PTE through the identity map
                sfence.vma t0
                ld a1, 0(t0)
                """)) {
            PageTableBuilder pt = sv39(rig).map(DATA_VA, DATA_PA, R | W | A | D, 0);
            rig.ram.writeLong(DATA_PA, 111);
            rig.ram.writeLong(DATA_PA + 0x1000, 222);
            rig.hart.setRegister(18, pt.pteAddress(DATA_VA, 0));
            rig.hart.setRegister(19, (((DATA_PA + 0x1000) >>> 12) << 10) | R | W | A | D | PageTableBuilder.V);
            runPaged(pt, rig, null, false);
            assertThat(rig.x("s10")).isEqualTo(Traps.ECALL_FROM_S);
            assertThat(rig.x("a0")).isEqualTo(111);
            assertThat(rig.x("a1")).isEqualTo(222);
        }
    }

    @Test
    void sfenceVmaByAnyAddressOfAMegapageDropsTheEntriesCachedFromIt() {
        // The load caches the megapage's translation for DATA_VA + 0x5000; the fence names
        // another 4 KiB page of the same megapage, whose one leaf PTE backs both.
        try (TestRig rig = rig("""
                li t0, 0x40005000
                ld a0, 0(t0)
                sd s3, 0(s2)          # rewrite the megapage PTE through the identity map
                li t1, 0x40000000
                sfence.vma t1
                ld a1, 0(t0)
                """)) {
            PageTableBuilder pt = sv39(rig).map(DATA_VA, 0x80400000L, R | W | A | D, 1);
            rig.ram.writeLong(0x80400000L + 0x5000, 111);
            rig.ram.writeLong(0x80600000L + 0x5000, 222);
            rig.hart.setRegister(18, pt.pteAddress(DATA_VA, 1));
            rig.hart.setRegister(19, ((0x80600000L >>> 12) << 10) | R | W | A | D | PageTableBuilder.V);
            runPaged(pt, rig, null, false);
            assertThat(rig.x("s10")).isEqualTo(Traps.ECALL_FROM_S);
            assertThat(rig.x("a0")).isEqualTo(111);
            assertThat(rig.x("a1")).isEqualTo(222);
        }
    }

    @Test
    void instructionStraddlingIntoAnUnmappedPageFaultsOnTheSecondHalf() {
        try (TestRig rig = rig("""
                li t0, 0x40000ffe
                jr t0
                """)) {
            rig.ram.writeInt(DATA_PA + 0xffe, 0x00100513); // addi a0, zero, 1 across the page end
            runPaged(sv39(rig).map(DATA_VA, DATA_PA, R | X | A | D, 0), rig, null, false);
            assertThat(rig.x("s10")).isEqualTo(Traps.INSTRUCTION_PAGE_FAULT);
            assertThat(rig.x("s11")).isEqualTo(DATA_VA + 0x1000);
            assertThat(rig.hart.csrs().mepc).isEqualTo(DATA_VA + 0xffe);
        }
    }

    @Test
    void instructionStraddlingTwoMappedPagesExecutes() {
        try (TestRig rig = rig("""
                li t0, 0x40000ffe
                jr t0
                """)) {
            rig.ram.writeShort(DATA_PA + 0xffe, (short) 0x0513);   // addi a0, zero, 1: low half
            rig.ram.writeShort(DATA_PA + 0x3000, (short) 0x0010);  // high half, on another frame
            rig.ram.writeInt(DATA_PA + 0x3002, 0x00000073);        // ecall
            PageTableBuilder pt = sv39(rig).map(DATA_VA, DATA_PA, R | X | A | D, 0)
                    .map(DATA_VA + 0x1000, DATA_PA + 0x3000, R | X | A | D, 0);
            runPaged(pt, rig, null, false);
            assertThat(rig.x("s10")).isEqualTo(Traps.ECALL_FROM_S);
            assertThat(rig.x("a0")).isEqualTo(1);
        }
    }

    @Test
    void satpIgnoresWritesOfUnsupportedModes() {
        try (TestRig rig = new TestRig()) {
            rig.load("""
                    li t0, 0x9000000000000123
                    csrw satp, t0
                    li t1, 0xa000000000000456
                    csrw satp, t1
                    csrr a0, satp
                done: j done
                """).runTo("done");
            assertThat(rig.x("a0")).isEqualTo(0x9000000000000123L);
        }
    }
}

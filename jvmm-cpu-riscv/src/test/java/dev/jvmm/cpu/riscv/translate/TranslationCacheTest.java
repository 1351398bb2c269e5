package dev.jvmm.cpu.riscv.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.cpu.riscv.Engine;
import dev.jvmm.cpu.riscv.Hart;
import dev.jvmm.memory.AddressSpace;
import dev.jvmm.memory.GuestMemory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How translations survive fences and mapping changes: they are keyed by the physical code
 * and re-check their bytes after FENCE.I, so they outlive SFENCE.VMA, satp writes and fences
 * while their bytes are unchanged, and are never reused for other bytes.
 */
class TranslationCacheTest {

    private static final long BASE = Lockstep.RAM_BASE;
    private static final TranslatorOptions EAGER = TranslatorOptions.defaults().withHotThreshold(1).withMaxRegionInstructions(256);

    /** Machine mode: PMP open, satp = Sv39 with root {@code root}, then S-mode at {@code supervisor}. */
    private static String enterSupervisorWithRoot(long root) {
        return Sv39Setup.machineSetup(root, 0x800, 0) + "    mret\n";
    }

    private static Lockstep load(String source) {
        return load(source, EAGER);
    }

    private static Lockstep load(String source, TranslatorOptions options) {
        Lockstep l = new Lockstep(4L << 20, options);
        l.write(BASE, Assembler.assemble(source, BASE).image());
        l.reset(BASE);
        return l;
    }

    @Test
    void unchangedBlocksSurviveFenceIAndRemoteFencesWithoutRecompiling() {
        String src = """
                li   s0, 0
            loop:
                jal  ra, f
                add  s0, s0, a0
                fence.i
                j    loop
            f:
                li   a0, 3
                addi a0, a0, 4
                ret
            """;
        try (Lockstep l = load(src)) {
            l.runRandom(new SplittableRandom(1), 30, 2_000, -1);
            TranslatorStats warm = l.jit.translatorStats();
            assertThat(warm.fences()).isPositive();
            for (int k = 0; k < 100; k++) {
                l.step(17);
                l.jit.flushTlb(); // the SBI's remote SFENCE.VMA / FENCE.I
                l.interp.flushTlb();
            }
            TranslatorStats after = l.jit.translatorStats();
            assertThat(after.fences()).isGreaterThan(warm.fences() + 100);
            assertThat(after.checkedFences()).as("fences that made blocks re-check: none, only this hart wrote RAM")
                    .isEqualTo(warm.checkedFences());
            assertThat(after.blocksCompiled()).as("no block compiled again").isEqualTo(warm.blocksCompiled());
            assertThat(after.staleBlocks()).isZero();
            assertThat(after.translatedInstructions()).isGreaterThan(warm.translatedInstructions());
            assertThat(l.jit.register(8) % 7).isZero();
        }
    }

    @Test
    void blockStaysValidAcrossSfenceVmaWhenTheMappingIsUnchanged() {
        long root = 0x8030_0000L;
        String src = enterSupervisorWithRoot(root) + """
            supervisor:
                li   s0, 0
            loop:
                jal  ra, f
                add  s0, s0, a0
                sfence.vma
                j    loop
            f:
                li   a0, 5
                addi a0, a0, 1
                ret
                .align 2
            handler:
                j handler
            """;
        try (Lockstep l = load(src)) {
            l.writeLong(root + 2 * 8, Sv39Setup.pte(0x8000_0000L, Sv39Setup.LEAF)); // 1 GiB identity page for RAM
            l.runRandom(new SplittableRandom(2), 30, 3_000, -1);
            TranslatorStats warm = l.jit.translatorStats();
            assertThat(l.jit.privilege()).isEqualTo(1);
            l.runRandom(new SplittableRandom(3), 30, 10_000, -1);
            TranslatorStats after = l.jit.translatorStats();
            assertThat(after.blocksCompiled()).as("no block compiled again").isEqualTo(warm.blocksCompiled());
            assertThat(after.translatedInstructions()).isGreaterThan(warm.translatedInstructions() + 1_000);
            assertThat(l.jit.register(8) % 6).isZero();
        }
    }

    /**
     * Page tables at {@code root}: RAM identity-mapped (a 1 GiB page) and VA 0x40001000 (slot 1
     * of the root, page 1 of the tables {@code level1}, {@code level0}) mapped to {@code page}.
     */
    private static void mapRamAndFunctionPage(Lockstep l, long root, long level1, long level0, long page) {
        l.writeLong(root + 2 * 8, Sv39Setup.pte(0x8000_0000L, Sv39Setup.LEAF));
        l.writeLong(root + 1 * 8, Sv39Setup.pte(level1, Sv39Setup.POINTER));
        l.writeLong(level1, Sv39Setup.pte(level0, Sv39Setup.POINTER));
        l.writeLong(level0 + 8, Sv39Setup.pte(page, Sv39Setup.LEAF));
    }

    /** Compiled blocks, and decoded ones, which link to blocks in other pages through the fetch TLB. */
    @ParameterizedTest
    @EnumSource(JitLockstepTest.Tier.class)
    void sameVirtualAddressMappedToAnotherPhysicalPageRunsThatPagesCode(JitLockstepTest.Tier tier) {
        long rootA = 0x8030_0000L;
        long rootB = 0x8030_3000L;
        long codeA = 0x8031_0000L;
        long codeB = 0x8031_1000L;
        long va = 0x4000_1000L; // not in the fetch TLB slot of the code at RAM's start
        String src = enterSupervisorWithRoot(rootA) + """
            supervisor:
                li   s0, 0
                li   s1, 0
                li   s2, 0x40001000
                li   s3, (8 << 60) | (%d >> 12)
                li   s4, (8 << 60) | (%d >> 12)
                li   s5, 40
            loop:
                csrw satp, s3
                sfence.vma
                jal  callf
                add  s0, s0, a0
                jal  callf              # again, with the function's page in the fetch TLB
                add  s0, s0, a0
                csrw satp, s4
                sfence.vma
                jal  callf
                add  s1, s1, a0
                jal  callf
                add  s1, s1, a0
                addi s5, s5, -1
                bnez s5, loop
            done:
                j    done
            callf:                      # one call site for both mappings: the code it reaches
                jr   s2                 # must be found through the current one
                .align 2
            handler:
                j handler
            """.formatted(rootA, rootB);
        // Same virtual function, two "processes": A's returns 1, B's returns 2.
        byte[] functionA = Assembler.assemble("    li a0, 1\n    addi a0, a0, 0\n    ret\n", va).image();
        byte[] functionB = Assembler.assemble("    li a0, 2\n    addi a0, a0, 0\n    ret\n", va).image();
        try (Lockstep l = load(src, tier.options)) {
            long[][] tables = {{rootA, 0x8030_1000L, 0x8030_2000L, codeA}, {rootB, 0x8030_4000L, 0x8030_5000L, codeB}};
            for (long[] t : tables) {
                mapRamAndFunctionPage(l, t[0], t[1], t[2], t[3]);
            }
            l.write(codeA, functionA);
            l.write(codeB, functionB);
            Assembler.Program p = Assembler.assemble(src, BASE);
            l.runRandom(new SplittableRandom(4), 30, 20_000, p.symbol("done"));
            assertThat(l.jit.pc()).isEqualTo(p.symbol("done"));
            assertThat(l.jit.register(8)).as("calls through A's mapping").isEqualTo(80);
            assertThat(l.jit.register(9)).as("calls through B's mapping").isEqualTo(160);
            tier.assertUsed(l.jit);
        }
    }

    /**
     * A block in another page that was linked to, then unmapped: the next call faults at the
     * function's address as under the interpreter (the decoded tier's link into another page is
     * followed only through the fetch TLB).
     */
    @ParameterizedTest
    @EnumSource(JitLockstepTest.Tier.class)
    void callIntoAPageUnmappedAfterItWasLinkedFaultsAtTheFunction(JitLockstepTest.Tier tier) {
        long root = 0x8030_0000L;
        long level1 = 0x8030_1000L;
        long level0 = 0x8030_2000L;
        long code = 0x8031_0000L;
        long va = 0x4000_1000L;
        String src = enterSupervisorWithRoot(root) + """
            supervisor:
                li   s0, 0
                li   s2, 0x40001000
                li   s5, 60
            loop:
                jal  callf
                add  s0, s0, a0
                addi s5, s5, -1
                bnez s5, loop
                li   t0, %d             # the function's leaf PTE
                sd   zero, 0(t0)
                sfence.vma
                jal  callf              # faults: the page is gone
            done:
                j    done
            callf:
                jr   s2
                .align 2
            handler:
                j handler
            """.formatted(level0 + 8);
        byte[] function = Assembler.assemble("    li a0, 3\n    addi a0, a0, 0\n    ret\n", va).image();
        try (Lockstep l = load(src, tier.options)) {
            mapRamAndFunctionPage(l, root, level1, level0, code);
            l.write(code, function);
            Assembler.Program p = Assembler.assemble(src, BASE);
            l.runRandom(new SplittableRandom(5), 30, 20_000, p.symbol("handler"));
            assertThat(l.jit.pc()).isEqualTo(p.symbol("handler"));
            assertThat(l.jit.debugCsr(0x342)).as("mcause: instruction page fault").isEqualTo(12);
            assertThat(l.jit.debugCsr(0x341)).as("mepc").isEqualTo(va);
            assertThat(l.jit.debugCsr(0x343)).as("mtval").isEqualTo(va);
            assertThat(l.jit.register(8)).as("60 calls before").isEqualTo(180);
            tier.assertUsed(l.jit);
        }
    }

    /** Single blocks (blocks call each other through links) and regions (of the default shape: loops). */
    @ParameterizedTest
    @ValueSource(ints = {1, 256})
    void codeStoredByAnotherHartIsRunAfterFenceI(int regionInstructions) {
        String runner = """
                li   s0, 0
            loop:
                jal  ra, f
                add  s0, s0, a0
            sync:
                fence.i
                j    loop
                .align 4
            f:
                li   a0, 1
                ret
            newf:
                li   a0, 7
            """;
        Assembler.Program p = Assembler.assemble(runner, BASE);
        long writerBase = BASE + 0x10_0000;
        String writer = """
                li   s1, %d
                li   s2, %d
                lh   t1, 0(s2)
                sh   t1, 0(s1)
            done:
                j    done
            """.formatted(p.symbol("f"), p.symbol("newf"));
        Assembler.Program w = Assembler.assemble(writer, writerBase);
        try (GuestMemory ram = GuestMemory.allocate(BASE, 4L << 20)) {
            ram.write(BASE, p.image());
            ram.write(writerBase, w.image());
            Hart a = new Hart(0, new AddressSpace(ram), Lockstep.FROZEN);
            Hart b = new Hart(1, new AddressSpace(ram), Lockstep.FROZEN);
            a.setEngine(Engine.JIT, EAGER.withMaxRegionInstructions(regionInstructions));
            b.setEngine(Engine.JIT, EAGER.withMaxRegionInstructions(regionInstructions));
            a.reset(BASE);
            b.reset(writerBase);
            a.run(2_000);
            while (a.pc() != p.symbol("sync")) {
                a.run(1);
            }
            long before = a.register(8);
            assertThat(before).isPositive();
            assertThat(a.translatorStats().blocksCompiled()).isPositive();
            b.run(100);
            assertThat(b.pc()).isEqualTo(w.symbol("done"));
            a.run(2_000);
            long after = a.register(8);
            assertThat(after).isGreaterThan(before);
            assertThat((after - before) % 7).as("only the new f (returning 7) ran after the fence").isZero();
            assertThat(a.translatorStats().staleBlocks()).isPositive();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 256})
    void codeWrittenByDmaIsRunAfterARemoteFence(int regionInstructions) {
        String src = """
                li   s0, 0
            loop:
                jal  ra, f
                add  s0, s0, a0
                j    loop
                .align 4
            f:
                li   a0, 1
                ret
            newf:
                li   a0, 7
            """;
        Assembler.Program p = Assembler.assemble(src, BASE);
        try (Lockstep l = load(src, EAGER.withMaxRegionInstructions(regionInstructions))) {
            l.runRandom(new SplittableRandom(5), 30, 3_000, -1);
            while (l.interp.pc() != p.symbol("loop")) {
                l.step(1);
            }
            int newf = (int) (p.symbol("newf") - BASE);
            l.write(p.symbol("f"), new byte[] {p.image()[newf], p.image()[newf + 1]});
            // The SBI's remote FENCE.I (or SFENCE.VMA: it does not tell which) on both harts.
            l.interp.flushTlb();
            l.jit.flushTlb();
            long before = l.jit.register(8);
            l.runRandom(new SplittableRandom(6), 30, 3_000, -1);
            long after = l.jit.register(8);
            assertThat(after).isGreaterThan(before);
            assertThat((after - before) % 7).as("only the new f (returning 7) ran after the fence").isZero();
            assertThat(l.jit.translatorStats().staleBlocks()).isPositive();
        }
    }

    /**
     * Compiled code keeps one privilege's data TLB as constants. The same code (same pc, same
     * RAM: bare translation) run in S-mode after M-mode compiled it must not use M-mode's TLB
     * entries, which PMP does not restrict: the S-mode load of a page PMP denies to S faults.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 256})
    void codeCompiledInMachineModeDoesNotUseMachineModesTlbInSupervisorMode(int regionInstructions) {
        long data = BASE + 0x1_0000;
        String src = PmpSetup.denyPageBelowMachineMode(data) + """
                li   s1, %d
                li   s2, 200
            machine:
                jal  ra, f
                addi s2, s2, -1
                bnez s2, machine
            """.formatted(data) + PmpSetup.enterSupervisor() + """
            supervisor:
                jal  ra, f
                j    supervisor
            f:
                ld   a0, 0(s1)
                addi a0, a0, 1
                sd   a0, 0(s1)
                ret
                .align 2
            handler:
                csrr s3, mcause
                csrr s4, mepc
            done:
                j    done
            """;
        Assembler.Program p = Assembler.assemble(src, BASE);
        try (Lockstep l = load(src, EAGER.withMaxRegionInstructions(regionInstructions))) {
            // Budgets large enough that S-mode reaches f's compiled block (a smaller one than its
            // run leaves f to the interpreter).
            l.runRandom(new SplittableRandom(9), 5_000, 200_000, p.symbol("done"));
            assertThat(l.jit.pc()).isEqualTo(p.symbol("done"));
            assertThat(l.jit.register(19)).as("mcause: load access fault").isEqualTo(5);
            assertThat(l.jit.register(20)).as("mepc: f's load, run in S-mode").isEqualTo(p.symbol("f"));
            assertThat(l.jit.register(10)).as("f ran 200 times in M-mode").isEqualTo(200);
            TranslatorStats s = l.jit.translatorStats();
            assertThat(s.compileFailures()).isZero();
            assertThat(s.translatedInstructions()).as("f ran compiled in M-mode").isGreaterThan(600);
        }
    }
}

package dev.jvmm.cpu.riscv.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.cpu.riscv.Hart;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Regions: several basic blocks of one page compiled into one method. Each test runs the
 * interpreter and the translator in lockstep, so the full architectural state is compared
 * after every run as well as what the test asserts.
 */
class RegionTranslationTest {

    private static final long BASE = Lockstep.RAM_BASE;
    private static final TranslatorOptions EAGER = TranslatorOptions.defaults().withHotThreshold(1).withMaxRegionInstructions(256)
            .withRegionShape(RegionShape.REACHABLE);

    private static Lockstep load(String source, TranslatorOptions options) {
        Lockstep l = new Lockstep(4L << 20, options);
        l.write(BASE, Assembler.assemble(source, BASE).image());
        l.reset(BASE);
        return l;
    }

    /** A loop of six blocks: an if/else, a direct call and its return, a store and a load. */
    private static final String MULTI_BLOCK_LOOP = """
                li   s0, 0
                li   s1, 0x80100000
                li   s2, 3000
            loop:
                andi t0, s2, 1
                beqz t0, even
                addi s0, s0, 3
                j    join
            even:
                xori s0, s0, 0x55
            join:
                mv   a0, s2
                jal  ra, work
                add  s0, s0, a0
                sd   s0, 0(s1)
                ld   t1, 0(s1)
                add  s0, s0, t1
                addi s2, s2, -1
                bnez s2, loop
            done:
                j    done
            work:
                slli a1, a0, 3
                sub  a0, a1, a0
                ret
            """;

    @Test
    void loopAcrossSeveralBlocksInOnePageRunsInsideOneRegionAndMatchesTheInterpreter() {
        Assembler.Program p = Assembler.assemble(MULTI_BLOCK_LOOP, BASE);
        try (Lockstep l = load(MULTI_BLOCK_LOOP, EAGER)) {
            l.runRandom(new SplittableRandom(21), 2_000, 200_000, p.symbol("done"));
            assertThat(l.interp.pc()).isEqualTo(p.symbol("done"));
            TranslatorStats s = l.jit.translatorStats();
            assertThat(s.compileFailures()).isZero();
            // One pass is 6 blocks and 15 instructions: block-by-block code would return to the
            // dispatcher at least every 5 instructions.
            assertThat(s.translatedInstructions()).isGreaterThan(35_000);
            assertThat(s.translatedInstructions() / s.translatedRuns()).as("instructions per run").isGreaterThan(100);
        }
    }

    @Test
    void singleBlocksOfALoopChainThroughLinksWithoutReturningToTheDispatcher() {
        // The loop above without its call: a JALR's target is not constant, so it is not linked.
        String loop = MULTI_BLOCK_LOOP.replace("jal  ra, work", "j    work").replace("ret", "j    back")
                .replace("add  s0, s0, a0", "back:\n    add  s0, s0, a0");
        Assembler.Program p = Assembler.assemble(loop, BASE);
        try (Lockstep l = load(loop, EAGER.withMaxRegionInstructions(1))) {
            l.runRandom(new SplittableRandom(21), 2_000, 200_000, p.symbol("done"));
            assertThat(l.interp.pc()).isEqualTo(p.symbol("done"));
            TranslatorStats s = l.jit.translatorStats();
            assertThat(s.compileFailures()).isZero();
            assertThat(s.regionInstructions() / s.blocksCompiled()).as("instructions per compiled block").isLessThan(8);
            // Blocks of at most 7 instructions: more per dispatch means blocks called each other.
            assertThat(s.translatedInstructions()).isGreaterThan(35_000);
            assertThat(s.translatedInstructions() / s.translatedRuns()).as("instructions per dispatch").isGreaterThan(50);
        }
    }

    @Test
    void straightLineCodeTooLongForOneJvmMethodIsSplitSoHotSpotCompilesEveryPart() {
        // 120 stores and loads in one basic block (as Linux's unrolled Keccak rounds): one
        // method for all of it would pass HotSpot's 8000-byte limit and stay in its bytecode
        // interpreter.
        StringBuilder src = new StringBuilder("""
                li   s1, 0x80100000
                li   s2, 500
            loop:
            """);
        for (int k = 0; k < 60; k++) {
            src.append("    ld   t0, ").append(8 * k).append("(s1)\n");
            src.append("    addi t0, t0, ").append(k + 1).append("\n");
            src.append("    sd   t0, ").append(8 * k).append("(s1)\n");
        }
        src.append("""
                addi s2, s2, -1
                bnez s2, loop
            done:
                j    done
            """);
        Assembler.Program p = Assembler.assemble(src.toString(), BASE);
        for (int regionLimit : new int[] {1, 256}) {
            try (Lockstep l = load(src.toString(), EAGER.withMaxRegionInstructions(regionLimit))) {
                l.runRandom(new SplittableRandom(5), 3_000, 200_000, p.symbol("done"));
                assertThat(l.interp.pc()).isEqualTo(p.symbol("done"));
                TranslatorStats s = l.jit.translatorStats();
                assertThat(s.compileFailures()).isZero();
                assertThat(s.translatedInstructions()).as("translated").isGreaterThan(50_000);
                assertThat(s.largestMethodBytes()).as("largest execute method").isPositive().isLessThanOrEqualTo(8000);
            }
        }
    }

    @Test
    void loopAtANegativeKernelAddressRunsInsideOneRegionAndMatchesTheInterpreter() {
        // The same code also mapped at 0xffffffff80000000 (as Linux's kernel image): S-mode runs the loop there.
        String src = Sv39Setup.machineSetup(Sv39Setup.ROOT, 0x800, 0xffff_ffff_0000_0000L) + """
                mret
            supervisor:
            """ + MULTI_BLOCK_LOOP.replace("done:", "done:\n    ebreak\n") + """
                .align 2
            handler:
                j handler
            """;
        Assembler.Program p = Assembler.assemble(src, BASE);
        long high = 0xffff_ffff_0000_0000L;
        try (Lockstep l = load(src, EAGER)) {
            long[][] leaves = {{2, 0x8000_0000L}, {510, 0x8000_0000L}}; // 1 GiB pages (VRWXAD)
            for (long[] leaf : leaves) {
                Sv39Setup.mapGigapage(l, (int) leaf[0], leaf[1]);
            }
            l.runRandom(new SplittableRandom(23), 2_000, 200_000, p.symbol("handler"));
            assertThat(l.interp.pc()).isEqualTo(p.symbol("handler"));
            assertThat(l.jit.debugCsr(0x341)).as("mepc: the ebreak after the loop, at its kernel address")
                    .isEqualTo(p.symbol("done") + high);
            TranslatorStats s = l.jit.translatorStats();
            assertThat(s.compileFailures()).isZero();
            assertThat(s.translatedInstructions()).isGreaterThan(35_000);
            assertThat(s.translatedInstructions() / s.translatedRuns()).as("instructions per run").isGreaterThan(100);
        }
    }

    @Test
    void pageFaultInALaterBlockOfARegionLeavesTheInterpretersExactState() {
        String src = Sv39Setup.enterSupervisor() + """
            supervisor:
                li   s0, 0x80100000
                li   s2, 500
                li   a0, 0
            loop:
                addi a0, a0, 1
                andi t0, a0, 3
                bnez t0, odd
                addi a1, a0, 7
                j    join
            odd:
                addi a1, a0, 9
            join:
                sd   a1, 0(s0)
                addi s2, s2, -1
                bnez s2, skip
                li   s0, 0x40000000
            skip:
                addi a3, a1, 1
            fault:
                ld   a4, 8(s0)
                addi a5, a3, 1
                j    loop
                .align 2
            handler:
                j handler
            """;
        try (Lockstep l = load(src, EAGER)) {
            Sv39Setup.mapGigapage(l, 2, 0x8000_0000L); // 1 GiB identity page for RAM
            Assembler.Program p = Assembler.assemble(src, BASE);
            l.runRandom(new SplittableRandom(22), 300, 100_000, p.symbol("handler"));
            Hart h = l.jit;
            assertThat(h.pc()).isEqualTo(p.symbol("handler"));
            assertThat(h.debugCsr(0x342)).as("mcause").isEqualTo(13);
            assertThat(h.debugCsr(0x341)).as("mepc").isEqualTo(p.symbol("fault"));
            assertThat(h.debugCsr(0x343)).as("mtval").isEqualTo(0x4000_0008L);
            assertThat(h.register(10)).as("a0: passes").isEqualTo(500);
            assertThat(h.register(13)).as("a3, written before the fault").isEqualTo(500 + 7 + 1);
            TranslatorStats s = h.translatorStats();
            assertThat(s.translatedInstructions()).isGreaterThan(4_000);
            // Block by block, a pass would take 4 or 5 runs.
            assertThat(s.translatedInstructions() / s.translatedRuns()).as("the loop ran as a region").isGreaterThan(30);
        }
    }

    @Test
    void budgetBoundsHowManyInstructionsARegionRunsBeforeReturning() {
        Assembler.Program p = Assembler.assemble(MULTI_BLOCK_LOOP, BASE);
        try (Lockstep l = load(MULTI_BLOCK_LOOP, EAGER)) {
            l.run(200); // compiled and warm
            for (int budget = 1; budget <= 60; budget++) {
                long translated = l.jit.translatorStats().translatedInstructions();
                l.step(budget); // fails unless exactly 'budget' instructions retire, as in the interpreter
                if (budget >= 20) {
                    // More than a pass fits: compiled code ran and stopped inside the loop at the budget.
                    assertThat(l.jit.translatorStats().translatedInstructions()).isGreaterThan(translated);
                }
            }
            assertThat(l.interp.pc()).isNotEqualTo(p.symbol("done"));
            // One long run: the region still returns to the hart's run loop (interrupt and
            // timer checks) after about a slice (Hart.BLOCK) plus one forward run.
            long runs = l.jit.translatorStats().translatedRuns();
            l.step(100_000);
            assertThat(l.jit.translatorStats().translatedRuns() - runs)
                    .isGreaterThanOrEqualTo(100_000 / (Hart.BLOCK + 64));
        }
    }

    @Test
    void storeIntoTheRegionsOwnPageFromALaterBlockRunsTheNewCode() {
        String src = """
                li   a0, 0
                li   s3, 6
                la   s1, newinsn
                lw   t1, 0(s1)
                la   s0, patch
            loop:
                addi s3, s3, -1
            patch:
                addi a0, a0, 1000
                andi t0, s3, 1
                beqz t0, even
                addi a0, a0, 1
                j    join
            even:
                addi a0, a0, 2
            join:
                li   t2, 3
                bne  s3, t2, next
                sw   t1, 0(s0)
            next:
                bnez s3, loop
            done:
                j    done
            newinsn:
                addi a0, a0, 100
            """;
        try (Lockstep l = load(src, EAGER)) {
            Assembler.Program p = Assembler.assemble(src, BASE);
            l.runRandom(new SplittableRandom(12), 40, 5_000, p.symbol("done"));
            // s3 = 5..0: the store happens in the pass with s3 = 3, so passes 5, 4, 3 add 1000.
            assertThat(l.jit.register(10)).isEqualTo(3 * 1000 + 3 * 100 + 3 * 1 + 3 * 2);
            TranslatorStats s = l.jit.translatorStats();
            assertThat(s.pageInvalidations()).isPositive();
            assertThat(s.translatedInstructions()).isPositive();
        }
    }

    @Test
    void regionWhoseLaterBlockChangedIsRecompiledAfterFenceI() {
        String src = """
                li   s0, 0
            loop:
                jal  ra, f
                add  s0, s0, a0
            sync:
                fence.i
                j    loop
            f:
                li   a0, 1
                ret
            newf:
                li   a0, 7
            """;
        try (Lockstep l = load(src, EAGER)) {
            Assembler.Program p = Assembler.assemble(src, BASE);
            l.runRandom(new SplittableRandom(13), 30, 3_000, -1);
            while (l.interp.pc() != p.symbol("sync")) {
                l.step(1);
            }
            long runsBefore = l.jit.translatorStats().translatedRuns();
            long translatedBefore = l.jit.translatorStats().translatedInstructions();
            // A device rewrites f, a later block of the region entered at 'loop'; only the guest's FENCE.I makes it visible.
            int newf = (int) (p.symbol("newf") - BASE);
            byte[] image = p.image();
            l.write(p.symbol("f"), new byte[] {image[newf], image[newf + 1]});
            long before = l.jit.register(8);
            l.runRandom(new SplittableRandom(14), 30, 3_000, -1);
            long after = l.jit.register(8);
            assertThat(after).isGreaterThan(before);
            assertThat((after - before) % 7).as("only the new f (returning 7) ran after the fence").isZero();
            TranslatorStats s = l.jit.translatorStats();
            assertThat(s.staleBlocks()).isPositive();
            assertThat(s.translatedRuns()).isGreaterThan(runsBefore);
            assertThat(s.translatedInstructions() - translatedBefore).isGreaterThan(s.translatedRuns() - runsBefore);
        }
    }

    /**
     * A function in a page of its own, called from a loop: a prologue that stores to the stack,
     * a branch taken every other call, a small loop, an epilogue. Its straight code from the
     * entry to the loop is one region (see {@code RegionShapeTest}), the loop another, the code
     * after it a third; run in random slices, so budgets also end inside them.
     */
    @Test
    void aFunctionsStraightCodeAndItsLoopRunCompiledAndMatchTheInterpreter() {
        String src = """
                li   s0, 0
                li   s2, 4000
                li   sp, 0x80200000
            loop:
                andi a0, s2, 1
                mv   a1, s2
                jal  ra, func
                add  s0, s0, a0
                addi s2, s2, -1
                bnez s2, loop
            done:
                j    done
                .balign 4096
            func:
                addi sp, sp, -48
                sd   zero, 0(sp)
                sd   zero, 8(sp)
                sd   zero, 16(sp)
                sd   a1, 24(sp)
                beqz a0, even
                addi a1, a1, 7
                xori a1, a1, 0x35
            even:
                sd   a1, 32(sp)
                li   t0, 3
            spin:
                ld   t1, 32(sp)
                add  a1, a1, t1
                addi t0, t0, -1
                bnez t0, spin
            tail:
                ld   t2, 24(sp)
                sub  a0, a1, t2
                addi sp, sp, 48
                ret
            """;
        Assembler.Program p = Assembler.assemble(src, BASE);
        TranslatorOptions options = TranslatorOptions.defaults().withHotThreshold(200);
        try (Lockstep l = load(src, options)) {
            l.runRandom(new SplittableRandom(17), 2_000, 400_000, p.symbol("done"));
            assertThat(l.interp.pc()).isEqualTo(p.symbol("done"));
            TranslatorStats s = l.jit.translatorStats();
            assertThat(s.compileFailures()).isZero();
            // 4000 calls of 23-29 instructions and the loop's 6: most of them compiled.
            assertThat(s.translatedInstructions()).as("compiled instructions").isGreaterThan(80_000);
        }
    }

    /**
     * A switch through a jump table in a loop: while the loop's first block runs decoded, the
     * targets its JR takes are noted; the region compiled there predicts them, so the cases run
     * inside it (and are never hot enough to be compiled on their own).
     */
    @Test
    void aSwitchsCasesSeenWhileDecodedRunInsideTheRegionOfItsDispatch() {
        StringBuilder cases = new StringBuilder();
        StringBuilder table = new StringBuilder();
        for (int k = 0; k < 8; k++) {
            cases.append("case").append(k).append(":\n")
                    .append("    addi s0, s0, ").append(k + 1).append("\n")
                    .append("    slli t2, s0, ").append(k + 2).append("\n")
                    .append("    xor  s0, s0, t2\n")
                    .append("    srli t2, s0, ").append(k + 5).append("\n")
                    .append("    xor  s0, s0, t2\n")
                    .append("    j    next\n");
            table.append("    .dword case").append(k).append("\n");
        }
        String src = """
                li   s0, 1
                li   s2, 20000
                la   s3, table
            loop:
                andi t0, s2, 7
                slli t0, t0, 3
                add  t0, t0, s3
                ld   t1, 0(t0)
                jr   t1
            """ + cases + """
            next:
                addi s2, s2, -1
                bnez s2, loop
            done:
                j    done
                .balign 8
            table:
            """ + table;
        Assembler.Program p = Assembler.assemble(src, BASE);
        // Decoded from the first jump to it, compiled once hot: 8 cases of 6 instructions and the
        // dispatch make a loop of 55 instructions, more than the usual region of 32.
        TranslatorOptions options = TranslatorOptions.defaults().withHotThreshold(3_000).withWarmThreshold(1);
        try (Lockstep l = load(src, options)) {
            l.runRandom(new SplittableRandom(5), 3_000, 300_000, p.symbol("done"));
            assertThat(l.interp.pc()).isEqualTo(p.symbol("done"));
            TranslatorStats s = l.jit.translatorStats();
            assertThat(s.compileFailures()).isZero();
            assertThat(s.translatedInstructions()).as("compiled instructions").isGreaterThan(200_000);
            assertThat(s.blocksCompiled()).as("blocks compiled (the cases not on their own)").isLessThanOrEqualTo(2);
            assertThat(s.regionInstructions()).as("instructions compiled").isGreaterThanOrEqualTo(55);
        }
    }
}

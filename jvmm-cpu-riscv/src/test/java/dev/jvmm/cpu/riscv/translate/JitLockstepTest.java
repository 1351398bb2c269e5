package dev.jvmm.cpu.riscv.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.cpu.riscv.Hart;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Targeted programs run on the interpreter and the translator tier in lockstep; most run twice,
 * once with every block compiled at first sight and once with nothing compiled, so the block
 * interpreter runs every decoded block.
 */
class JitLockstepTest {

    private static final long BASE = Lockstep.RAM_BASE;
    private static final TranslatorOptions EAGER = TranslatorOptions.defaults().withHotThreshold(1).withMaxRegionInstructions(256);
    /** Blocks are decoded at the first jump to them and never compiled. */
    private static final TranslatorOptions DECODED = TranslatorOptions.defaults().withHotThreshold(Integer.MAX_VALUE)
            .withWarmThreshold(1);

    /** The tier that runs the blocks. */
    enum Tier {
        COMPILED(EAGER), DECODED_ONLY(DECODED);

        final TranslatorOptions options;

        Tier(TranslatorOptions options) {
            this.options = options;
        }

        /** Fails unless this tier ran instructions (and, decoded only, nothing was compiled). */
        void assertUsed(Hart jit) {
            TranslatorStats s = jit.translatorStats();
            assertThat(s.compileFailures()).isZero();
            if (this == COMPILED) {
                assertThat(s.translatedInstructions()).as("instructions run by compiled blocks").isPositive();
            } else {
                assertThat(s.decodedInstructions()).as("instructions run by the block interpreter").isPositive();
                assertThat(s.blocksCompiled()).as("blocks compiled").isZero();
            }
        }

        /** Instructions run by this tier. */
        long instructions(TranslatorStats s) {
            return this == COMPILED ? s.translatedInstructions() : s.decodedInstructions();
        }
    }

    private static final String HANDLER_SETUP = """
                la   t0, handler
                csrw mtvec, t0
            """;

    private static Lockstep load(String source, TranslatorOptions options) {
        Lockstep l = new Lockstep(4L << 20, options);
        Assembler.Program p = Assembler.assemble(source, BASE);
        l.write(BASE, p.image());
        l.reset(BASE);
        return l;
    }

    /**
     * Runs {@code l} in random slices of up to {@code maxSlice} instructions (at most
     * {@code total}) until it reaches {@code done}, then checks that {@code tier} ran and the
     * interpreter ran fewer than one {@code share}th as many instructions as the tier.
     */
    private static void runToDoneMostlyIn(Tier tier, Lockstep l, long done, long seed, int maxSlice, long total, int share) {
        l.runRandom(new SplittableRandom(seed), maxSlice, total, done);
        assertThat(l.jit.pc()).isEqualTo(done);
        TranslatorStats s = l.jit.translatorStats();
        tier.assertUsed(l.jit);
        assertThat(s.interpretedInstructions()).as("interpreted instructions").isLessThan(tier.instructions(s) / share);
    }

    private static void assertTranslatorUsed(Hart jit) {
        TranslatorStats s = jit.translatorStats();
        assertThat(s.compileFailures()).isZero();
        assertThat(s.translatedInstructions()).as("instructions run by compiled blocks").isPositive();
    }

    @Test
    void integerProgramWithCallsLoadsAndStoresMatchesInterpreterAtEveryStep() {
        String src = HANDLER_SETUP + """
                li   s1, 0x80100000
                li   s2, 300
                li   s0, 0
            loop:
                mv   a0, s2
                call work
                add  s0, s0, a0
                sb   s0, 1(s1)
                sh   s0, 2(s1)
                sw   a0, 4(s1)
                sd   s0, 8(s1)
                lb   t1, 1(s1)
                lbu  t2, 1(s1)
                lh   t3, 2(s1)
                lhu  t4, 2(s1)
                lw   t5, 4(s1)
                lwu  t6, 4(s1)
                ld   a1, 8(s1)
                ld   a2, 3(s1)
                add  s0, s0, t1
                add  s0, s0, t2
                add  s0, s0, t3
                xor  s0, s0, t4
                add  s0, s0, t5
                sub  s0, s0, t6
                add  s0, s0, a1
                add  s0, s0, a2
                slt  a3, s0, a2
                sltu a4, s0, a2
                slti a5, s0, -7
                sltiu a6, s0, 99
                add  s0, s0, a3
                add  s0, s0, a4
                add  s0, s0, a5
                add  s0, s0, a6
                andi t0, s2, 7
                bltu t0, a3, skip
                sraw a7, s0, t0
                srlw a7, a7, t0
                sllw a7, a7, t0
                addw s0, s0, a7
                subw s0, s0, t0
            skip:
                addi s2, s2, -1
                bge  s2, zero, loop
            done:
                j done
            work:
                slli a1, a0, 7
                mul  a1, a1, a0
                mulh a2, a1, a0
                mulhu a3, a1, s0
                mulhsu a4, s0, a1
                div  a5, a1, a0
                divu a6, s0, a0
                rem  a7, s0, a0
                remu t0, s0, a1
                mulw t1, a1, s0
                divw t2, s0, a0
                divuw t3, s0, a0
                remw t4, s0, a0
                remuw t5, s0, a0
                add  a0, a1, a2
                add  a0, a0, a3
                add  a0, a0, a4
                add  a0, a0, a5
                add  a0, a0, a6
                add  a0, a0, a7
                add  a0, a0, t0
                add  a0, a0, t1
                add  a0, a0, t2
                add  a0, a0, t3
                add  a0, a0, t4
                add  a0, a0, t5
                auipc t6, 0x12345
                add  a0, a0, t6
                lui  t6, 0xfedcb
                srai t6, t6, 3
                srli t6, t6, 1
                add  a0, a0, t6
                addiw a0, a0, 17
                slliw t6, a0, 5
                srliw t6, t6, 2
                sraiw t6, t6, 1
                or   a0, a0, t6
                and  a0, a0, s2
                sll  t6, a0, a5
                srl  t6, t6, a6
                sra  t6, t6, a7
                ori  t6, t6, 0x55
                xori t6, t6, -1
                add  a0, a0, t6
                ret
                .align 2
            handler:
                j handler
            """;
        for (TranslatorOptions options : new TranslatorOptions[] {EAGER, TranslatorOptions.defaults().withHotThreshold(3).withMaxRegionInstructions(1)}) {
            try (Lockstep l = load(src, options)) {
                Assembler.Program p = Assembler.assemble(src, BASE);
                l.runRandom(new SplittableRandom(7), 80, 200_000, p.symbol("done"));
                assertThat(l.interp.pc()).isEqualTo(p.symbol("done"));
                assertTranslatorUsed(l.jit);
            }
        }
        try (Lockstep l = load(src, DECODED)) {
            Assembler.Program p = Assembler.assemble(src, BASE);
            l.runRandom(new SplittableRandom(7), 80, 200_000, p.symbol("done"));
            assertThat(l.interp.pc()).isEqualTo(p.symbol("done"));
            Tier.DECODED_ONLY.assertUsed(l.jit);
        }
    }

    /**
     * A decoded block goes on past conditional branches and numbers them (at most 255): one
     * with 300 of them, then a faulting load, must leave the interpreter's mepc.
     */
    @Test
    void decodedBlockWithMoreBranchesThanExitNumbersTrapsWhereTheInterpreterDoes() {
        StringBuilder src = new StringBuilder(HANDLER_SETUP).append("loop:\n");
        for (int k = 0; k < 300; k++) {
            src.append("    bne  zero, zero, loop\n"); // never taken
        }
        src.append("""
                ld   a0, 0(zero)        # access fault: no RAM there
                j    loop
                .align 2
            handler:
                csrr t1, mepc
                addi t1, t1, 4
                csrw mepc, t1
                mret
            """);
        TranslatorOptions longBlocks = new TranslatorOptions(Integer.MAX_VALUE, 4096, 1024, 1, 1);
        try (Lockstep l = load(src.toString(), longBlocks)) {
            l.runRandom(new SplittableRandom(21), 400, 20_000, -1);
            assertThat(l.jit.debugCsr(0x342)).as("mcause").isEqualTo(5);
            Tier.DECODED_ONLY.assertUsed(l.jit);
        }
    }

    @ParameterizedTest
    @EnumSource(Tier.class)
    void instretOfTranslatedLoopsEqualsTheInterpretersAndTheExactCount(Tier tier) {
        // 4 setup instructions, then 1000 passes of a 3-instruction self-loop, then the final j.
        String src = """
                li   t0, 1000
                li   a0, 0
                li   a1, 3
                nop
            loop:
                add  a0, a0, a1
                addi t0, t0, -1
                bnez t0, loop
            done:
                j done
            """;
        try (Lockstep l = load(src, tier.options)) {
            for (int k = 0; k < 40; k++) {
                l.step(100);
            }
            assertThat(l.jit.register(10)).isEqualTo(3000);
            assertThat(l.jit.pc()).isEqualTo(Assembler.assemble(src, BASE).symbol("done"));
            // 4 + 3000 instructions reach "done"; every further attempt retires the j at done.
            assertThat(l.jit.instructionsRetired()).isEqualTo(4000).isEqualTo(l.interp.instructionsRetired());
            tier.assertUsed(l.jit);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ld   a4, 0(s1)         | 13 | COMPILED", // load page fault
        "amoswap.d a4, a0, (s1) | 15 | COMPILED", // store/AMO page fault
        "ld   a4, 0(s1)         | 13 | DECODED_ONLY",
        "amoswap.d a4, a0, (s1) | 15 | DECODED_ONLY",
        "fld  fa4, 0(s1)        | 2  | DECODED_ONLY", // FS is off: illegal before any access
    })
    void pageFaultInTheMiddleOfATranslatedBlockLeavesTheInterpretersExactState(String access, long cause, Tier tier) {
        String src = Sv39Setup.enterSupervisor() + """
            supervisor:
                nop
                li   s0, 0x80100000
                li   a0, 1
                sd   a0, 0(s0)
                addi a1, a0, 2
                ld   a2, 0(s0)
                amoadd.d a6, a0, (s0)
                li   s1, 0x40000008
                addi a3, a1, 5
            fault:
                %s
                addi a5, a3, 1
                j    supervisor
                .align 2
            handler:
                j handler
            """.formatted(access);
        try (Lockstep l = load(src, tier.options)) {
            Sv39Setup.mapGigapage(l, 2, 0x8000_0000L); // 1 GiB identity page for RAM
            Assembler.Program p = Assembler.assemble(src, BASE);
            l.runRandom(new SplittableRandom(3), 30, 2_000, p.symbol("handler"));
            l.step(50);
            Hart h = l.jit;
            assertThat(h.pc()).isEqualTo(p.symbol("handler"));
            assertThat(h.debugCsr(0x342)).as("mcause").isEqualTo(cause);
            assertThat(h.debugCsr(0x341)).as("mepc").isEqualTo(p.symbol("fault"));
            if (cause != 2) {
                assertThat(h.debugCsr(0x343)).as("mtval").isEqualTo(0x4000_0008L);
            }
            assertThat(h.register(13)).as("a3, written before the fault").isEqualTo(8);
            assertThat(h.register(15)).as("a5, after the fault").isZero();
            tier.assertUsed(h);
        }
    }

    @ParameterizedTest
    @EnumSource(Tier.class)
    void atomicsRunInsideTranslatedBlocksAsTheInterpreterRunsThem(Tier tier) {
        String src = """
                li   s1, 0x80100000
                addi s4, s1, 8
                addi s5, s1, 12
                addi s6, s1, 16
                li   s2, 400
                li   s0, 0
            loop:
                li   t0, 3
                amoadd.d  t1, t0, (s1)
                amoswap.w t2, s2, (s4)
                amomax.d  t3, s2, (s1)
                amominu.w t4, t0, (s5)
                amoor.d   t5, s2, (s6)
            retry:
                lr.d a0, (s1)
                addi a0, a0, 5
                sc.d a1, a0, (s1)
                bnez a1, retry
                sc.w a2, a0, (s4)       # no reservation left: fails (a2 = 1), writes nothing
                add  s0, s0, t1
                add  s0, s0, t2
                xor  s0, s0, t3
                add  s0, s0, t4
                add  s0, s0, t5
                add  s0, s0, a2
                addi s2, s2, -1
                bnez s2, loop
            done:
                j    done
            """;
        try (Lockstep l = load(src, tier.options)) {
            Assembler.Program p = Assembler.assemble(src, BASE);
            // Translated (or decoded) blocks run through the atomics instead of ending before each one.
            runToDoneMostlyIn(tier, l, p.symbol("done"), 5, 1_000, 40_000, 20);
        }
    }

    /**
     * A block the translator tier cannot run (it starts with a CSR access, or with an
     * instruction that crosses into the next page) is interpreted alone: the straight-line code
     * after it runs decoded or compiled, not interpreted on to the next taken jump.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"COMPILED | csrr t0, mscratch", "DECODED_ONLY | csrr t0, mscratch",
            "COMPILED | add s0, s0, s2", "DECODED_ONLY | add s0, s0, s2"})
    void onlyTheBlockTheTranslatorTierCannotRunIsInterpreted(Tier tier, String head) {
        // The loop starts 4 bytes before a page end: a compressed addi, then the 4-byte head
        // (so an ordinary instruction crosses the page end), then 40 instructions in the next page.
        String src = """
                li   s2, 1000
                li   s0, 0
                j    loop
                .balign 4096
                .skip 4092
            loop:
                c.addi s0, 1
                .option push
                .option norvc
                %s
                .option pop
            """.formatted(head) + "    addi a0, a0, 1\n".repeat(40) + """
                addi s2, s2, -1
                bnez s2, loop
            done:
                j    done
            """;
        try (Lockstep l = load(src, tier.options)) {
            Assembler.Program p = Assembler.assemble(src, BASE);
            assertThat((p.symbol("loop") + 2) % 4096).as("the head's offset in its page").isEqualTo(4094);
            // 1 of the loop's 44 instructions is the head (and a slice's budget may end in the
            // interpreter); before, the interpreter ran on from the head to the jump back.
            runToDoneMostlyIn(tier, l, p.symbol("done"), 9, 5_000, 100_000, 10);
        }
    }

    @ParameterizedTest
    @EnumSource(Tier.class)
    void loadWhosePageWalkRewritesTheNextInstructionLeavesTheBlockThere(Tier tier) {
        // The code page doubles as a level-0 page table: the word at "pte" is the leaf PTE the
        // load below walks through (valid, readable, A clear, mapping RAM's first page) and
        // also the next instruction, "lb zero, 512(zero)". The walk sets the A bit, which turns
        // the word into an FMADD.S, illegal while FS is off. The interpreter fetches the new
        // word; translated code must leave the block after the load to do the same.
        String src = Sv39Setup.enterSupervisor() + """
            supervisor:
                la   s1, pte
                slli s1, s1, 52
                srli s1, s1, 55         # the PTE's index in its page
                slli s1, s1, 12
                li   t1, 0x40000000     # root entry 1, level-1 entry 0, level-0 entry: the index
                add  s1, s1, t1
                j    block
                .balign 8
                .word 0x00000013        # nop: the 4-byte load below ends 8-byte aligned
            block:
                ld   t0, 0(s1)
            pte:
                .word 0x20000003        # lb zero, 512(zero); as a PTE: V, R, PPN 0x80000
                .word 0
                .balign 4
            handler:
                j handler
            """;
        try (Lockstep l = load(src, tier.options)) {
            Assembler.Program p = Assembler.assemble(src, BASE);
            long pte = p.symbol("pte");
            long level1 = 0x8030_0000L;
            Sv39Setup.mapGigapage(l, 2, 0x8000_0000L); // the code, identity-mapped
            l.writeLong(Sv39Setup.ROOT + 8, Sv39Setup.pte(level1, Sv39Setup.POINTER));
            l.writeLong(level1, Sv39Setup.pte(pte & ~0xfffL, Sv39Setup.POINTER));
            l.step(1_000); // one run: the block is compiled (or decoded) at its first jump and runs whole
            Hart h = l.jit;
            assertThat(h.pc()).isEqualTo(p.symbol("handler"));
            assertThat(h.debugCsr(0x342)).as("mcause: illegal instruction").isEqualTo(2);
            assertThat(h.debugCsr(0x341)).as("mepc").isEqualTo(pte);
            assertThat(h.register(5)).as("t0, loaded from RAM's first page").isEqualTo(l.readLong(BASE));
            tier.assertUsed(h);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "sw   t1, 0(s0)         | COMPILED",
        "amoswap.w t4, t1, (s0) | COMPILED",
        "sw   t1, 0(s0)         | DECODED_ONLY",
        "amoswap.w t4, t1, (s0) | DECODED_ONLY",
    })
    void writeIntoTheRunningBlockIsSeenByTheNextInstructionWithoutFenceI(String write, Tier tier) {
        // Every pass writes the instruction at "patch" (alternately +100 and +1000) and then
        // runs it: a block made before the write would run the previous pass's instruction.
        String src = """
                li   a0, 0
                li   s3, 6
                la   s1, newinsn
                lw   t1, 0(s1)
                la   s1, patch
                lw   t2, 0(s1)
            loop:
                la   s0, patch
                addi a0, a0, 1
                %s
                .balign 4               # an AMO needs an aligned word
            patch:
                addi a0, a0, 1000
                mv   t3, t1
                mv   t1, t2
                mv   t2, t3
                addi s3, s3, -1
                bnez s3, loop
            done:
                j    done
            newinsn:
                addi a0, a0, 100
            """.formatted(write);
        try (Lockstep l = load(src, tier.options)) {
            Assembler.Program p = Assembler.assemble(src, BASE);
            l.runRandom(new SplittableRandom(11), 40, 5_000, p.symbol("done"));
            assertThat(l.jit.register(10)).isEqualTo(6 + 3 * 100 + 3 * 1000);
            assertThat(l.jit.translatorStats().pageInvalidations()).isPositive();
            tier.assertUsed(l.jit);
        }
    }

    @Test
    void rewrittenFunctionRunsTheNewCodeWithAndWithoutFenceI() {
        String src = """
                li   s0, 0
                li   s2, 50
            warm:
                call f
                add  s0, s0, a0
                addi s2, s2, -1
                bnez s2, warm
                la   s1, f
                la   t0, newf
                lh   t1, 0(t0)
                sh   t1, 0(s1)
                call f
                mv   s3, a0
                lh   t1, 2(t0)
                sh   t1, 0(s1)
                fence.i
                call f
                mv   s4, a0
            done:
                j    done
            f:
                li   a0, 1
                ret
            newf:
                li   a0, 2
                li   a0, 3
            """;
        for (TranslatorOptions options : new TranslatorOptions[] {EAGER, TranslatorOptions.defaults().withHotThreshold(10).withMaxRegionInstructions(1), DECODED}) {
            try (Lockstep l = load(src, options)) {
                Assembler.Program p = Assembler.assemble(src, BASE);
                l.runRandom(new SplittableRandom(5), 25, 20_000, p.symbol("done"));
                assertThat(l.jit.register(8)).isEqualTo(50);
                assertThat(l.jit.register(19)).as("after the store without FENCE.I").isEqualTo(2);
                assertThat(l.jit.register(20)).as("after the store and FENCE.I").isEqualTo(3);
                (options == DECODED ? Tier.DECODED_ONLY : Tier.COMPILED).assertUsed(l.jit);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Tier.class)
    void codeWrittenBehindTheCpuIsSeenAfterFenceI(Tier tier) {
        String src = """
                li   s0, 0
            loop:
                call f
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
        try (Lockstep l = load(src, tier.options)) {
            Assembler.Program p = Assembler.assemble(src, BASE);
            l.runRandom(new SplittableRandom(9), 30, 3_000, -1);
            while (l.interp.pc() != p.symbol("sync")) {
                l.step(1);
            }
            // A device (DMA) rewrites f: the CPU saw no store, only FENCE.I makes it visible.
            int newf = (int) (p.symbol("newf") - BASE);
            byte[] image = p.image();
            l.write(p.symbol("f"), new byte[] {image[newf], image[newf + 1]});
            long before = l.jit.register(8);
            l.runRandom(new SplittableRandom(10), 30, 3_000, -1);
            long after = l.jit.register(8);
            assertThat((after - before) % 7).as("only the new f (returning 7) ran after the write").isZero();
            assertThat(after).isGreaterThan(before);
            tier.assertUsed(l.jit);
        }
    }

    @Test
    void fullCodeCacheIsDroppedAndRefilledWithoutChangingBehaviour() {
        StringBuilder src = new StringBuilder("""
                li   s0, 0
                li   s2, 200
            loop:
            """);
        for (int k = 0; k < 24; k++) {
            src.append("    addi s0, s0, ").append(k + 1).append("\n    j b").append(k).append("\nb").append(k).append(":\n");
        }
        src.append("""
                addi s2, s2, -1
                bnez s2, loop
            done:
                j done
            """);
        TranslatorOptions tiny = new TranslatorOptions(1, 4, 128, 256);
        try (Lockstep l = load(src.toString(), tiny)) {
            Assembler.Program p = Assembler.assemble(src.toString(), BASE);
            l.runRandom(new SplittableRandom(1), 60, 100_000, p.symbol("done"));
            assertThat(l.jit.register(8)).isEqualTo(200L * (24 * 25 / 2));
            TranslatorStats s = l.jit.translatorStats();
            assertThat(s.evictions()).isPositive();
            assertThat(s.liveBlocks()).isLessThanOrEqualTo(4);
            assertTranslatorUsed(l.jit);
        }
    }

    @ParameterizedTest
    @EnumSource(Tier.class)
    void interruptPostedBetweenRunsIsTakenBeforeTheNextTranslatedBlock(Tier tier) {
        String src = HANDLER_SETUP + """
                li   t0, 8
                csrw mie, t0
                csrsi mstatus, 8
                li   a0, 0
            spin:
                addi a0, a0, 1
                j    spin
                .align 2
            handler:
                csrr a1, mcause
            park:
                j    park
            """;
        try (Lockstep l = load(src, tier.options)) {
            Assembler.Program p = Assembler.assemble(src, BASE);
            l.run(10, 37, 100, 1000, 5);
            l.interp.postInterrupt(Hart.MIP_MSIP);
            l.jit.postInterrupt(Hart.MIP_MSIP);
            l.step(3);
            assertThat(l.jit.register(11)).as("mcause read by the handler").isEqualTo((1L << 63) | 3);
            assertThat(l.jit.pc()).isEqualTo(p.symbol("park"));
            tier.assertUsed(l.jit);
        }
    }
}

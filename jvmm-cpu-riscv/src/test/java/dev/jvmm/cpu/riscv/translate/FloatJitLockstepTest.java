package dev.jvmm.cpu.riscv.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.cpu.riscv.Hart;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Targeted F/D programs run on the interpreter and the translator tier in lockstep, each with
 * single blocks (region size 1) and with multi-block regions (256).
 */
class FloatJitLockstepTest {

    private static final long BASE = Lockstep.RAM_BASE;
    private static final TranslatorOptions EAGER = TranslatorOptions.defaults().withHotThreshold(1);

    /** Regions of everything reachable: every path through a region is what these tests are about. */
    private static TranslatorOptions eager(int region) {
        return EAGER.withMaxRegionInstructions(region).withRegionShape(RegionShape.REACHABLE);
    }

    private static Lockstep load(Assembler.Program p, TranslatorOptions options) {
        Lockstep l = new Lockstep(4L << 20, options);
        l.write(BASE, p.image());
        l.reset(BASE);
        return l;
    }

    private static void assertTranslatorUsed(Hart jit) {
        TranslatorStats s = jit.translatorStats();
        assertThat(s.compileFailures()).isZero();
        assertThat(s.translatedInstructions()).as("instructions run by compiled blocks").isPositive();
    }

    @ParameterizedTest(name = "region size {0}")
    @ValueSource(ints = {1, 256})
    void floatingPointLoopRunsTranslatedAndMatchesTheInterpreter(int region) {
        String src = """
                li   t0, 0x6000
                csrs mstatus, t0
                li   s1, 0x80100000
                li   s2, 2000
                li   t1, 3
                fcvt.d.l fs0, t1
                li   t1, 7
                fcvt.d.l fs1, t1
                fdiv.d fs2, fs0, fs1
                fcvt.s.d fs3, fs2
                fmv.d.x fa0, zero
                fmv.w.x fa1, zero
            loop:
                fmadd.d fa0, fs2, fs1, fa0
                fsqrt.d ft0, fa0
                fdiv.d  ft1, fs0, ft0
                fmsub.d ft2, ft1, ft0, fs2
                fnmadd.d ft3, ft2, fs2, ft1
                fnmsub.d ft4, ft3, ft1, ft2
                fmin.d  ft5, ft3, ft4
                fmax.d  ft6, ft3, ft4
                fsgnjn.d ft7, ft6, ft5
                fsd     ft7, 0(s1)
                fld     ft8, 0(s1)
                fadd.d  fa0, fa0, ft8, rtz
                fsub.d  fa0, fa0, ft5, rup
                fmul.s  fa1, fs3, fs3, rdn
                fadd.s  fa1, fa1, fs3, rmm
                fsw     fa1, 8(s1)
                flw     ft9, 8(s1)
                fcvt.d.s ft10, ft9
                feq.d   a0, ft10, fa0
                flt.d   a1, ft10, fa0
                fle.s   a2, fa1, fs3
                fclass.d a3, ft7
                fcvt.w.d a4, fa0, rtz
                fcvt.lu.d a5, ft3
                fcvt.wu.s a6, fa1
                fmv.x.d a7, ft7
                fmv.x.w t2, fa1
                add  s0, s0, a0
                add  s0, s0, a1
                add  s0, s0, a2
                add  s0, s0, a3
                add  s0, s0, a4
                xor  s0, s0, a5
                add  s0, s0, a6
                xor  s0, s0, a7
                add  s0, s0, t2
                frflags t3
                add  s0, s0, t3
                addi s2, s2, -1
                bnez s2, loop
            done:
                j done
            """;
        Assembler.Program p = Assembler.assemble(src, BASE);
        try (Lockstep l = load(p, eager(region))) {
            l.runRandom(new SplittableRandom(17), 100, 400_000, p.symbol("done"));
            assertThat(l.interp.pc()).isEqualTo(p.symbol("done"));
            assertTranslatorUsed(l.jit);
            TranslatorStats s = l.jit.translatorStats();
            // 43 instructions per pass; a block runs translated only when the step's budget holds it all.
            assertThat(s.translatedInstructions()).as("the FP loop body is translated")
                    .isGreaterThan(20L * 2000);
        }
    }

    @ParameterizedTest(name = "region size {0}")
    @ValueSource(ints = {1, 256})
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void fpInstructionWithFsOffTrapsAtBlockStartAndMidBlockAndTheHandlerCanRetryIt(int region) {
        // The handler counts traps, records mcause/mepc and turns FS on (Initial); the
        // instruction is retried. Each pass turns FS off again before two FP blocks: one
        // starting with an FP instruction, one with integer work before it.
        String src = """
                la   t0, handler
                csrw mtvec, t0
                li   s2, 200
                li   s3, 0
                li   s4, 0x6000
                li   s5, 0x2000
                li   t1, 5
                fcvt.d.l fs0, t1, rne
            loop:
                csrc mstatus, s4
                j    first
            first:
                fadd.d fs1, fs0, fs0
                fmul.d fs0, fs1, fs0
                csrc mstatus, s4
                addi t1, t1, 1
                addi t2, t1, 3
            middle:
                fsub.d fs2, fs1, fs0
                csrr a2, mstatus
                addi s2, s2, -1
                bnez s2, loop
            done:
                j done
                .align 2
            handler:
                addi s3, s3, 1
                csrr a0, mcause
                csrr a1, mepc
                csrr a3, mstatus
                csrs mstatus, s5
                mret
            """;
        Assembler.Program p = Assembler.assemble(src, BASE);
        for (TranslatorOptions options : new TranslatorOptions[] {eager(region), eager(region).withHotThreshold(4)}) {
            try (Lockstep l = load(p, options)) {
                l.runRandom(new SplittableRandom(23), 50, 200_000, p.symbol("done"));
                Hart h = l.jit;
                assertThat(h.pc()).isEqualTo(p.symbol("done"));
                assertThat(h.register(19)).as("traps: one at reset's FS=Off, then two per pass").isEqualTo(401);
                assertThat(h.register(10)).as("mcause: illegal instruction").isEqualTo(2);
                assertThat(h.register(11)).as("mepc of the last trap").isEqualTo(p.symbol("middle"));
                assertThat(h.register(13) & 0x6000).as("FS in the handler").isZero();
                assertThat(h.register(12) & 0x6000).as("FS after the retried fsub.d").isEqualTo(0x6000);
                assertTranslatorUsed(h);
            }
        }
    }

    @ParameterizedTest(name = "region size {0}")
    @ValueSource(ints = {1, 256})
    void translatedFflagsAccessesMatchTheInterpreterAndOnlyWritesMakeFsDirty(int region) {
        String src = """
                li   t0, 0x6000
                csrs mstatus, t0
                li   s6, 0x4000
                li   s2, 300
                li   t0, 2
                fsrm t0
            loop:
                csrc mstatus, s6
                j    body
            body:
                frflags a0
                addi t0, a0, 1
                csrr a1, mstatus
                andi t1, s2, 0x1f
                fsflags t1
                addi t2, t1, 0
                csrr a2, mstatus
                csrrci a3, fflags, 3
                csrrsi a4, fflags, 4
                csrrc a5, fflags, s2
                csrrs a6, fflags, s2
                frcsr a7
                frrm t3
                csrrsi t4, frm, 0
                csrrc  t5, fcsr, zero
                add  s0, s0, a0
                add  s0, s0, a3
                add  s0, s0, a4
                add  s0, s0, a5
                add  s0, s0, a6
                add  s0, s0, a7
                add  s0, s0, t3
                add  s0, s0, t4
                add  s0, s0, t5
                addi s2, s2, -1
                bnez s2, loop
            done:
                j done
            """;
        Assembler.Program p = Assembler.assemble(src, BASE);
        try (Lockstep l = load(p, eager(region))) {
            l.runRandom(new SplittableRandom(41), 60, 100_000, p.symbol("done"));
            Hart h = l.jit;
            assertThat(h.pc()).isEqualTo(p.symbol("done"));
            assertThat(h.register(11) & 0x6000).as("FS after reading fflags: Initial").isEqualTo(0x2000);
            assertThat(h.register(12) & 0x6000).as("FS after writing fflags: Dirty").isEqualTo(0x6000);
            // Last pass (s2 = 1): flags 1, clear 3 -> 0, set 4 -> 4, clear 1 -> 4, set 1 -> 5.
            assertThat(h.register(17)).as("fcsr: frm 2, flags 5").isEqualTo((2 << 5) | 5);
            assertTranslatorUsed(h);
        }
    }

    @ParameterizedTest(name = "region size {0}")
    @ValueSource(ints = {1, 256})
    void dynamicRoundingModeWithInvalidFrmTrapsButStaticModesDoNot(int region) {
        // frm cycles through 0..7; each pass runs static-mode instructions and dynamic ones; the
        // handler counts the traps (frm 5, 6, 7; five dynamic instructions) and skips the instruction.
        String src = """
                la   t0, handler
                csrw mtvec, t0
                li   t0, 0x6000
                csrs mstatus, t0
                li   s2, 160
                li   s3, 0
                li   t1, 10
                fcvt.d.l fs0, t1
                li   t1, 3
                fcvt.d.l fs1, t1
                fcvt.s.d fs2, fs1
            loop:
                andi t2, s2, 7
                fsrm t2
                j    body
            body:
                fdiv.d fa0, fs0, fs1, rne
                fdiv.d fa1, fs0, fs1, rtz
                fdiv.d fa2, fs0, fs1, rdn
                fdiv.d fa3, fs0, fs1, rup
                fdiv.d fa4, fs0, fs1, rmm
                fdiv.d fa5, fs0, fs1
                fdiv.s fa6, fs2, fs1
                fcvt.w.d a0, fa3
                fcvt.l.d a1, fa5
                fcvt.s.d fa7, fa5
                fmv.x.d a2, fa5
                add  s0, s0, a2
                addi s2, s2, -1
                bnez s2, loop
            done:
                j done
                .align 2
            handler:
                addi s3, s3, 1
                csrr t3, mepc
                addi t3, t3, 4
                csrw mepc, t3
                mret
            """;
        Assembler.Program p = Assembler.assemble(src, BASE);
        try (Lockstep l = load(p, eager(region))) {
            l.runRandom(new SplittableRandom(29), 60, 200_000, p.symbol("done"));
            assertThat(l.jit.pc()).isEqualTo(p.symbol("done"));
            // 3 invalid frm values in every 8 passes, 4 dynamic instructions each.
            assertThat(l.jit.register(19)).isEqualTo(160 / 8 * 3 * 5);
            assertTranslatorUsed(l.jit);
        }
    }

    @ParameterizedTest(name = "region size {0}")
    @ValueSource(ints = {1, 256})
    void fpLoadsAndStoresMissingTheTlbOrFaultingLeaveTheInterpretersExactState(int region) {
        // S-mode under Sv39 (a 1 GiB identity page for RAM); FS starts Initial. Each pass flushes
        // the TLB (so the next FP accesses miss), runs FP loads and stores (some misaligned or
        // crossing a page), sets FS back to Initial, then an FP store that faults (FS must stay
        // Initial) and an FP load that faults after arithmetic in the same block (FS must be
        // Dirty). The M-mode handler records state, skips the instruction, resets FS to Initial.
        String src = Sv39Setup.machineSetup(Sv39Setup.ROOT, 0x2800, 0) + """
                li   s0, 0x80100800
                li   s1, 0x40000000
                li   s2, 100
                li   s3, 0
                mret
            supervisor:
                sfence.vma
                fld  ft0, 0(s0)
                fld  ft1, 2044(s0)
                fsd  ft1, 16(s0)
                fsw  ft0, 2046(s0)
                flw  ft2, 2046(s0)
                li   t0, 0x4000
                csrc sstatus, t0
            storefault:
                fsd  ft2, 8(s1)
                fadd.d ft3, ft0, ft1
                fmul.d ft4, ft3, ft3
            loadfault:
                flw  ft5, 16(s1)
                fsub.d ft6, ft4, ft3
                fsd  ft6, 24(s0)
                ld   t1, 24(s0)
                add  s4, s4, t1
                addi s2, s2, -1
                bnez s2, supervisor
            done:
                j done
                .align 2
            handler:
                addi s3, s3, 1
                csrr a0, mcause
                csrr a1, mepc
                csrr a2, mtval
                csrr a3, mstatus
                li   t2, 15
                bne  a0, t2, 1f
                mv   s7, a3
            1:
                addi a1, a1, 4
                csrw mepc, a1
                li   t2, 0x4000
                csrc mstatus, t2
                li   t2, 0x800
                csrs mstatus, t2
                mret
            """;
        Assembler.Program p = Assembler.assemble(src, BASE);
        try (Lockstep l = load(p, eager(region))) {
            Sv39Setup.mapGigapage(l, 2, 0x8000_0000L); // 1 GiB identity page for RAM
            byte[] data = new byte[0x2000];
            new SplittableRandom(31).nextBytes(data);
            l.write(0x8010_0000L, data);
            l.runRandom(new SplittableRandom(37), 40, 100_000, p.symbol("done"));
            Hart h = l.jit;
            assertThat(h.pc()).isEqualTo(p.symbol("done"));
            assertThat(h.register(19)).as("two faults per pass").isEqualTo(200);
            assertThat(h.register(10)).as("mcause of the last: load page fault").isEqualTo(13);
            assertThat(h.register(11)).isEqualTo(p.symbol("loadfault") + 4);
            assertThat(h.register(12)).isEqualTo(0x4000_0010L);
            assertThat(h.register(13) & 0x6000).as("FS at the load fault: Dirty").isEqualTo(0x6000);
            assertThat(h.register(23) & 0x6000).as("FS at the store fault: still Initial").isEqualTo(0x2000);
            assertTranslatorUsed(h);
        }
    }

    @Test
    void fsGuardAndFsDirtyingHoldOnEveryPathThroughARegion() {
        // The region entered at 'paths' reaches its first FP instruction on two paths: at once
        // (odd passes) or after integer work and a join (even passes). Every fourth pass turns FS
        // Off before it, the others turn Dirty back into Initial, so each path must check FS
        // before its own first FP instruction and make FS Dirty after it. The handler counts the
        // traps and turns FS on (Initial); the instruction is retried.
        String src = """
                la   t0, handler
                csrw mtvec, t0
                li   s2, 300
                li   s3, 0
                li   s4, 0x6000
                li   s5, 0x2000
                li   s6, 0x4000
                csrs mstatus, s5
                li   t1, 5
                fcvt.d.l fs0, t1
            loop:
                andi t0, s2, 3
                bnez t0, initial
                csrc mstatus, s4
                j    paths
            initial:
                csrc mstatus, s6
            paths:
                andi t1, s2, 1
                beqz t1, even
                fadd.d fs1, fs0, fs0
                j    join
            even:
                addi t2, t2, 1
                add  s7, s7, t2
            join:
                fmul.d fs2, fs1, fs0
                fsub.d fs3, fs2, fs1
                feq.d a1, fs3, fs2
                add  s8, s8, a1
                addi s2, s2, -1
                bnez s2, loop
            done:
                j done
                .align 2
            handler:
                addi s3, s3, 1
                csrr a0, mcause
                csrs mstatus, s5
                mret
            """;
        Assembler.Program p = Assembler.assemble(src, BASE);
        try (Lockstep l = load(p, eager(256))) {
            l.runRandom(new SplittableRandom(43), 200, 100_000, p.symbol("done"));
            Hart h = l.jit;
            assertThat(h.pc()).isEqualTo(p.symbol("done"));
            assertThat(h.register(19)).as("one trap in every fourth pass").isEqualTo(75);
            assertThat(h.register(10)).as("mcause: illegal instruction").isEqualTo(2);
            assertTranslatorUsed(h);
            TranslatorStats s = h.translatorStats();
            assertThat(s.regionInstructions()).as("instructions in compiled regions").isGreaterThan(s.blocksCompiled() * 3);
        }
    }
}

package dev.jvmm.cpu.riscv.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.cpu.riscv.Hart;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Loads and stores through one unchanged base register share one TLB check in compiled code
 * (see {@link AccessGroups}); where their span leaves the page or the page may not be cached
 * (PMP, translated code), each access is checked on its own, so faults and code writes happen
 * exactly where the interpreter has them.
 */
class AccessGroupLockstepTest {

    private static final long BASE = Lockstep.RAM_BASE;
    private static final TranslatorOptions EAGER = TranslatorOptions.defaults().withHotThreshold(1);

    private static Lockstep load(String source, int regionInstructions) {
        Lockstep l = new Lockstep(4L << 20, EAGER.withMaxRegionInstructions(regionInstructions));
        l.write(BASE, Assembler.assemble(source, BASE).image());
        l.reset(BASE);
        return l;
    }

    /**
     * A loop whose stores and loads through s1 walk up to a page that PMP denies S-mode: for a
     * while their span lies in one page, then it straddles the boundary, and the first access
     * past it (the byte store at 63) faults after the stores before it in the same pass.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 256})
    void groupedAccessesFaultExactlyWhereTheirSpanReachesADeniedPage(int regionInstructions) {
        long denied = BASE + 0x2_0000;
        String src = PmpSetup.denyPageBelowMachineMode(denied) + PmpSetup.enterSupervisor() + """
            supervisor:
                li   s1, %d
                li   s0, 0
                li   a0, 1
            loop:
                sd   a0, 0(s1)
                sd   s0, 8(s1)
                sw   a0, 20(s1)
                sh   s0, 30(s1)
            last:
                sb   a0, 63(s1)
                ld   t0, 0(s1)
                ld   t1, 8(s1)
                lw   t2, 20(s1)
                lhu  t3, 30(s1)
                lbu  t4, 63(s1)
                add  s0, s0, t0
                xor  s0, s0, t1
                add  s0, s0, t2
                add  s0, s0, t3
                add  s0, s0, t4
                addi a0, a0, 3
                addi s1, s1, 8
                j    loop
                .align 2
            handler:
                csrr s3, mcause
                csrr s4, mepc
                csrr s5, mtval
            done:
                j    done
            """.formatted(denied - 0x400);
        Assembler.Program p = Assembler.assemble(src, BASE);
        try (Lockstep l = load(src, regionInstructions)) {
            l.runRandom(new SplittableRandom(11), 60, 200_000, p.symbol("done"));
            Hart h = l.jit;
            assertThat(h.pc()).isEqualTo(p.symbol("done"));
            assertThat(h.register(19)).as("mcause: store access fault").isEqualTo(7);
            assertThat(h.register(20)).as("mepc: the byte store").isEqualTo(p.symbol("last"));
            // The faulting pass has s1 = denied - 56: its byte store at 63 is the first access past.
            assertThat(h.register(21)).as("mtval").isEqualTo(denied + 7);
            assertThat(h.register(9)).as("s1").isEqualTo(denied - 56);
            assertThat(l.readLong(denied - 56)).as("the first store of the faulting pass").isEqualTo(h.register(10));
            TranslatorStats s = h.translatorStats();
            assertThat(s.compileFailures()).isZero();
            assertThat(s.translatedInstructions()).as("the loop ran compiled").isGreaterThan(1_000);
        }
    }

    /**
     * Grouped stores into the page of the running code: the TLB never caches such a page for
     * stores, so each takes the slow path, which drops the page's translations and ends the block.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 256})
    void groupedStoresIntoTheRunningCodesPageBehaveAsInTheInterpreter(int regionInstructions) {
        String src = """
                la   s2, area
                li   s0, 0
                li   s1, 300
            loop:
                sd   s0, 0(s2)
                sd   s1, 8(s2)
                sw   s0, 16(s2)
                ld   t0, 0(s2)
                ld   t1, 8(s2)
                lw   t2, 16(s2)
                add  s0, s0, t0
                add  s0, s0, t1
                sub  s0, s0, t2
                addi s0, s0, 1
                addi s1, s1, -1
                bnez s1, loop
            done:
                j    done
                .align 3
            area:
                .dword 0, 0, 0
            """;
        Assembler.Program p = Assembler.assemble(src, BASE);
        try (Lockstep l = load(src, regionInstructions)) {
            l.runRandom(new SplittableRandom(12), 60, 100_000, p.symbol("done"));
            assertThat(l.jit.pc()).isEqualTo(p.symbol("done"));
            assertThat(l.jit.translatorStats().pageInvalidations()).as("the stores dropped the page's code")
                    .isPositive();
        }
    }
}

package dev.jvmm.cpu.riscv.translate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * When a block is compiled: once its runs reach the hot threshold, a long block's runs counting
 * one more per ten instructions, so long blocks leave the block interpreter sooner.
 */
class CompileHeatTest {

    private static final long BASE = Lockstep.RAM_BASE;
    private static final TranslatorOptions THRESHOLD_30 = TranslatorOptions.defaults().withHotThreshold(30)
            .withWarmThreshold(1).withMaxRegionInstructions(1);

    /** A loop whose block is {@code body} instructions long (the last two count the iterations in s1 and jump back). */
    private static String loop(int body) {
        return "    li   s1, 0\nloop:\n" + "    addi a0, a0, 1\n".repeat(body - 2)
                + "    addi s1, s1, 1\n    j    loop\n";
    }

    /** The iterations (in s1) after which the loop's block was first seen compiled, running one iteration per step. */
    private static long iterationsBeforeCompiled(int body) {
        try (Lockstep l = new Lockstep(1L << 20, THRESHOLD_30)) {
            l.write(BASE, Assembler.assemble(loop(body), BASE).image());
            l.reset(BASE);
            l.step(1); // li
            for (int k = 0; k < 200; k++) {
                l.step(body);
                if (l.jit.translatorStats().blocksCompiled() > 0) {
                    return l.jit.register(9);
                }
            }
            throw new AssertionError("the loop's block was not compiled in 200 iterations");
        }
    }

    @Test
    void aShortBlockIsCompiledAfterTheThresholdsRuns() {
        // 3 instructions: each run counts 1.
        assertThat(iterationsBeforeCompiled(3)).isBetween(29L, 31L);
    }

    @Test
    void aLongBlockIsCompiledAfterFewerRuns() {
        // 61 instructions: each run counts 1 + 6 = 7, so 30 is reached in the fifth run.
        assertThat(iterationsBeforeCompiled(61)).isBetween(4L, 6L);
    }
}

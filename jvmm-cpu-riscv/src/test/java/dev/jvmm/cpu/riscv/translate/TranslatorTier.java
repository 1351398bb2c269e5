package dev.jvmm.cpu.riscv.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.cpu.riscv.Hart;

/** The translator engine's tiers above the interpreter, each tested on its own: compiled at first sight, or only ever warm. */
enum TranslatorTier {
    COMPILED(TranslatorOptions.defaults().withHotThreshold(1).withMaxRegionInstructions(256)),
    WARM(TranslatorOptions.defaults().withHotThreshold(Integer.MAX_VALUE).withWarmThreshold(1));

    final TranslatorOptions options;

    TranslatorTier(TranslatorOptions options) {
        this.options = options;
    }

    /** Asserts that this tier ran some of the program (and, for WARM, that nothing was compiled). */
    void assertUsed(Hart jit) {
        TranslatorStats s = jit.translatorStats();
        assertThat(s.compileFailures()).isZero();
        if (this == WARM) {
            assertThat(s.warmInstructions()).as("instructions run by warm blocks").isPositive();
            assertThat(s.blocksCompiled()).as("blocks compiled").isZero();
        } else {
            assertThat(s.translatedInstructions()).as("instructions run by compiled blocks").isPositive();
        }
    }
}

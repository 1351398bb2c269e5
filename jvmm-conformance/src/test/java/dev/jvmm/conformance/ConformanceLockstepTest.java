package dev.jvmm.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.jvmm.conformance.lockstep.EngineLockstep;
import dev.jvmm.cpu.riscv.translate.TranslatorOptions;
import dev.jvmm.machine.ExitReason;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every conformance program in lockstep on jvmm's two engines ({@link EngineLockstep}): the
 * interpreter and the translator get the same random run budgets, and their whole architectural
 * state (registers, CSRs, RAM, console) must be equal after every step, not only at the end. The
 * translator gets the options the {@link ConformanceTest} jit runs get (from the system
 * properties; hot threshold 1 in this module's build), and each run must really have executed
 * translated code. Every program runs a second time with nothing compiled, so the block
 * interpreter runs every decoded block. smc.S also runs with a threshold near its loops' length
 * (its functions become hot part-way through them) and with a tiny code cache of short blocks
 * (evictions, blocks cut anywhere).
 */
class ConformanceLockstepTest {

    /** Far above what any program needs (csr.S, the longest, retires about 200,000 instructions). */
    static final long MAX_INSTRUCTIONS = 20_000_000;
    /** RAM per side: the programs use the first few MiB (paging.S's megapage target is at 4 MiB). */
    static final long RAM = 16L << 20;

    @TestFactory
    Stream<DynamicTest> everyProgramRunsAlikeOnBothEnginesAfterEveryStep() {
        TranslatorOptions configured = TranslatorOptions.fromSystemProperties();
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : ConformanceTest.PROGRAMS) {
            tests.add(dynamicTest(name + " (hot threshold " + configured.hotThreshold() + ")",
                    () -> passesInLockstep(name, configured)));
            tests.add(dynamicTest(name + " (decoded blocks only)", () -> passesInLockstep(name, DECODED_ONLY)));
        }
        TranslatorOptions defaults = TranslatorOptions.defaults();
        for (TranslatorOptions o : List.of(defaults.withHotThreshold(30), new TranslatorOptions(2, 8, 3))) {
            tests.add(dynamicTest("smc (hot threshold %d, %d blocks of at most %d instructions)"
                    .formatted(o.hotThreshold(), o.maxBlocks(), o.maxBlockInstructions()), () -> passesInLockstep("smc", o)));
        }
        return tests.stream();
    }

    /** selfcheck.S fails case 0x123 on purpose: in lockstep both engines fail it at the same step. */
    @Test
    void aDeliberatelyFailingProgramFailsAlikeOnBothEngines() throws Exception {
        try (EngineLockstep l = new EngineLockstep(ConformanceTest.build("selfcheck"), RAM,
                TranslatorOptions.fromSystemProperties(), seed("selfcheck"))) {
            EngineLockstep.Result r = l.run(MAX_INSTRUCTIONS);
            assertThat(r.exit()).isEqualTo(new ExitReason.GuestFailure(0x123));
            assertThat(r.console()).contains("FAIL case 0x0000000000000123");
        }
    }

    /** Blocks are decoded at the first jump to them and never compiled. */
    private static final TranslatorOptions DECODED_ONLY = TranslatorOptions.defaults()
            .withHotThreshold(Integer.MAX_VALUE).withWarmThreshold(1);

    private static void passesInLockstep(String name, TranslatorOptions options) throws Exception {
        try (EngineLockstep l = new EngineLockstep(ConformanceTest.build(name), RAM, options, seed(name))) {
            EngineLockstep.Result r = l.run(MAX_INSTRUCTIONS);
            System.out.printf("lockstep %s: %d instructions in %d steps, %.0f%% translated, translator %s; console: %s%n",
                    name, r.instructions(), r.steps(), 100 * r.jit().translatedShare(), r.jit(),
                    r.console().strip().replace("\n", " | "));
            assertThat(r.exit()).as("%s: exit on both engines; console:%n%s", name, r.console())
                    .isEqualTo(new ExitReason.PowerOff());
            assertThat(r.jit().compileFailures()).as("%s: blocks the translator failed to compile", name).isZero();
            if (options == DECODED_ONLY) {
                assertThat(r.jit().decodedInstructions()).as("%s: instructions run by the block interpreter", name)
                        .isPositive();
                assertThat(r.jit().blocksCompiled()).as("%s: blocks compiled", name).isZero();
            } else {
                assertThat(r.jit().translatedInstructions()).as("%s: instructions retired by translated code", name)
                        .isPositive();
            }
        }
    }

    /** A fixed seed per program, so that a divergence reproduces with the same budgets. */
    private static long seed(String name) {
        return name.hashCode();
    }
}

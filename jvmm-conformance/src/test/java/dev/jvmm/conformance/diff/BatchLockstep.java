package dev.jvmm.conformance.diff;

import dev.jvmm.conformance.diff.BatchSource.Entry;
import dev.jvmm.conformance.lockstep.EngineLockstep;
import dev.jvmm.cpu.riscv.translate.TranslatorOptions;
import dev.jvmm.machine.ExitReason;
import dev.jvmm.machine.VirtBoard;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs a built batch on jvmm's two engines in lockstep ({@link EngineLockstep}), with the
 * translator options of the system properties (as the jit runs of the batch get them) and just
 * enough RAM for its code, data region and records.
 */
final class BatchLockstep {

    /** Far above what a batch needs (the runtime's resets and hashes take about 120,000 a program). */
    static final long MAX_INSTRUCTIONS_PER_PROGRAM = 2_000_000;

    private BatchLockstep() {
    }

    /**
     * Runs {@code elf} (built from {@code entries}) in lockstep; throws an {@link AssertionError}
     * naming the batch's seeds at the first step after which the engines differ, or if the batch
     * does not reach the finisher's pass on both.
     */
    static EngineLockstep.Result run(Path elf, List<Entry> entries, long budgetSeed) throws Exception {
        long[] records = DumpRecord.addresses(entries.stream().map(Entry::prefix).toList());
        long ram = Math.max(16L << 20, (records[entries.size()] - VirtBoard.DRAM_BASE + (2L << 20)) & -(1L << 20));
        try (EngineLockstep l = new EngineLockstep(elf, ram, TranslatorOptions.fromSystemProperties(), budgetSeed)) {
            EngineLockstep.Result r;
            try {
                r = l.run(MAX_INSTRUCTIONS_PER_PROGRAM * entries.size());
            } catch (AssertionError e) {
                throw new AssertionError("batch %s (seeds %s): %s".formatted(elf, DiffHarness.seeds(entries),
                        e.getMessage()), e);
            }
            if (!(r.exit() instanceof ExitReason.PowerOff)) {
                throw new AssertionError("batch %s (seeds %s) ended with %s on both engines"
                        .formatted(elf, DiffHarness.seeds(entries), r.exit()));
            }
            return r;
        }
    }
}

package dev.jvmm.conformance.diff;

import java.util.List;

/**
 * A generated program: the set-up that gives every register, fcsr, mscratch and the hot memory
 * words a seed-derived value, then the random units. It is the same text for QEMU and jvmm.
 *
 * @param seed       the seed it was generated from
 * @param memorySeed the nonzero seed of the data region's fill (runtime.S diff_reset)
 * @param setup      assembly run after diff_reset and before the first unit
 * @param units      the random instructions
 */
record RandomProgram(long seed, long memorySeed, List<String> setup, List<Unit> units) {

    RandomProgram {
        setup = List.copyOf(setup);
        units = List.copyOf(units);
    }
}

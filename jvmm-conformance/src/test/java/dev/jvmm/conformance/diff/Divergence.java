package dev.jvmm.conformance.diff;

import dev.jvmm.cpu.riscv.Engine;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A program whose final state on one of jvmm's engines differs from QEMU's.
 *
 * @param seed        the program's seed
 * @param index       its index in the batch it ran in
 * @param length      its number of units
 * @param engine      the engine that diverged
 * @param difference  the first differing line of the whole program's state
 * @param jvmmExit    how jvmm's run ended, when not by the test finisher (else empty)
 * @param fromInterpreter for the translator: its first difference from the interpreter's state
 *                    (empty when the interpreter ended in the same state, i.e. diverged alike,
 *                    or did not run)
 * @param culprit     the first unit whose execution makes the states differ, when located
 * @param reproducer  the .S written for reproduction
 */
record Divergence(long seed, int index, int length, Engine engine, StateDump.Difference difference,
                  Optional<String> jvmmExit, Optional<StateDump.Difference> fromInterpreter,
                  Optional<Culprit> culprit, Path reproducer) {

    /**
     * The smallest prefix of the program that already diverges ends with unit {@code unit}
     * (-1: even the empty program diverges, so it is the set-up or the runtime).
     */
    record Culprit(int unit, String instruction, StateDump.Difference difference, Path reproducer) { }

    Divergence withCulprit(Culprit c) {
        return new Divergence(seed, index, length, engine, difference, jvmmExit, fromInterpreter, Optional.of(c),
                reproducer);
    }

    /** "the interpreter" or "the translator (jit)". */
    static String engineName(Engine e) {
        return e == Engine.JIT ? "the translator (jit)" : "the interpreter";
    }

    /** One paragraph naming the seed, the first differing register, both values, the culprit and the files. */
    String report() {
        StringBuilder s = new StringBuilder();
        s.append("seed ").append(seed).append(" on ").append(engineName(engine)).append(" (batch program ")
                .append(index).append(", ").append(length).append(" units): first difference at ")
                .append(describe(difference)).append('\n');
        jvmmExit.ifPresent(e -> s.append("  jvmm ended with ").append(e).append('\n'));
        if (engine == Engine.JIT) {
            s.append(fromInterpreter.map(d -> "  and from the interpreter: %s: interpreter %s, jit %s%n"
                            .formatted(abiName(d.name()), d.expected(), d.actual()))
                    .orElse("  (the interpreter's state is the same, or it did not run)\n"));
        }
        culprit.ifPresent(c -> {
            if (c.unit() < 0) {
                s.append("  even the program without random units diverges (set-up/runtime): ")
                        .append(describe(c.difference())).append('\n');
            } else {
                s.append("  first diverging unit #").append(c.unit()).append(": ").append(c.instruction())
                        .append("\n    after it: ").append(describe(c.difference())).append('\n');
            }
            s.append("  reproduce (shortest diverging prefix): ").append(c.reproducer()).append('\n');
        });
        s.append("  reproduce (whole program): ").append(reproducer).append('\n');
        return s.toString();
    }

    static String describe(StateDump.Difference d) {
        return "%s: QEMU %s, jvmm %s".formatted(abiName(d.name()), d.expected(), d.actual());
    }

    private static final String[] X_ABI = {"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1",
        "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9",
        "s10", "s11", "t3", "t4", "t5", "t6"};
    private static final String[] F_ABI = {"ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0", "fs1",
        "fa0", "fa1", "fa2", "fa3", "fa4", "fa5", "fa6", "fa7", "fs2", "fs3", "fs4", "fs5", "fs6", "fs7",
        "fs8", "fs9", "fs10", "fs11", "ft8", "ft9", "ft10", "ft11"};

    /** "x10" becomes "x10 (a0)", "f3" becomes "f3 (ft3)", "u001f" the trace of unit 31; other names stay. */
    static String abiName(String name) {
        int unit = DiffHarness.traceUnit(name);
        if (unit >= 0) {
            return "trace of unit #" + unit + " (value.fflags)";
        }
        if (name.length() >= 2 && (name.charAt(0) == 'x' || name.charAt(0) == 'f')) {
            try {
                int n = Integer.parseInt(name.substring(1));
                if (n >= 0 && n < 32) {
                    return name + " (" + (name.charAt(0) == 'x' ? X_ABI[n] : F_ABI[n]) + ")";
                }
            } catch (NumberFormatException e) {
                // not a register name
            }
        }
        return name;
    }
}

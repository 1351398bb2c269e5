package dev.jvmm.conformance.diff;

import java.util.concurrent.atomic.LongAdder;

/**
 * Where a differential run's time goes, summed over batches (the phases of different batches
 * overlap, so the sum may exceed the elapsed time): generating and rendering the programs,
 * assembling and linking, QEMU, jvmm's interpreter, jvmm's translator, parsing and comparing
 * the records, and the engine lockstep when asked for.
 */
final class PhaseTimes {

    enum Phase { GENERATE, BUILD, QEMU, INTERPRETER, JIT, COMPARE, LOCKSTEP }

    private final LongAdder[] nanos = new LongAdder[Phase.values().length];

    PhaseTimes() {
        for (int i = 0; i < nanos.length; i++) {
            nanos[i] = new LongAdder();
        }
    }

    void add(Phase phase, long startNanos) {
        nanos[phase.ordinal()].add(System.nanoTime() - startNanos);
    }

    double seconds(Phase phase) {
        return nanos[phase.ordinal()].sum() / 1e9;
    }

    /** "generate 1.2 s, build 3.4 s, qemu ..." */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (Phase p : Phase.values()) {
            s.append(s.isEmpty() ? "" : ", ").append(p.name().toLowerCase()).append(' ')
                    .append("%.1f s".formatted(seconds(p)));
        }
        return s.toString();
    }
}

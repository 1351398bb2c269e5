package dev.jvmm.conformance.diff;

import dev.jvmm.conformance.diff.BatchSource.Entry;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * A run over a range of seeds: programs are generated, grouped into batches (one QEMU and one jvmm
 * boot each), compared, and the first few divergences are narrowed to their culprit unit.
 */
final class DiffRun {

    /**
     * @param firstSeed  the first seed; programs use firstSeed, firstSeed + 1, ...
     * @param count      number of programs
     * @param length     units per program
     * @param batchSize  programs per boot
     * @param locate     how many divergences to narrow to their culprit (each costs a few boots)
     */
    record Plan(long firstSeed, long count, int length, int batchSize, int locate) {

        Plan {
            if (count < 1 || length < 1 || batchSize < 1 || locate < 0) {
                throw new IllegalArgumentException(toString());
            }
        }

        /** Keeps a batch's code well below the 2 MiB the link script allows. */
        static int defaultBatchSize(int length) {
            return Math.max(1, Math.min(50, 20_000 / length));
        }
    }

    private DiffRun() {
    }

    /** Runs the plan; {@code progress} gets one line per batch. Returns every divergence found. */
    static List<Divergence> run(DiffHarness h, Plan plan, PrintStream progress) throws Exception {
        List<Divergence> found = new ArrayList<>();
        LongFunction<RandomProgram> gen = seed -> ProgramGenerator.generate(seed, plan.length());
        long done = 0;
        long started = System.nanoTime();
        int located = 0;
        while (done < plan.count()) {
            int n = (int) Math.min(plan.batchSize(), plan.count() - done);
            long from = plan.firstSeed() + done;
            List<Entry> entries = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                entries.add(Entry.whole(gen.apply(from + i)));
            }
            DiffHarness.BatchRun r = h.run("batch-" + from, entries);
            for (Divergence d : h.compare(r)) {
                if (located < plan.locate()) {
                    d = h.locate(d, entries.get(d.index()).program());
                    located++;
                }
                found.add(d);
            }
            done += n;
            double secs = (System.nanoTime() - started) / 1e9;
            progress.printf("diff: %d/%d programs (seeds %d..%d), %d divergent, %.1f s%n",
                    done, plan.count(), plan.firstSeed(), plan.firstSeed() + done - 1, found.size(), secs);
        }
        return found;
    }

    /** A summary for a failure message: the divergent seeds, then each report. */
    static String summary(List<Divergence> found) {
        StringBuilder s = new StringBuilder();
        s.append(found.size()).append(" divergent program(s); seeds: ")
                .append(found.stream().map(d -> Long.toString(d.seed())).toList()).append('\n');
        for (Divergence d : found) {
            s.append(d.report());
        }
        return s.toString();
    }
}

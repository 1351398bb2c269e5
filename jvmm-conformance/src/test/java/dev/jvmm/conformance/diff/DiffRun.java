package dev.jvmm.conformance.diff;

import dev.jvmm.conformance.diff.BatchSource.Entry;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A run over a range of seeds: programs are generated, grouped into batches (one QEMU and one jvmm
 * boot each), compared, and the first few divergences are narrowed to their culprit unit.
 *
 * <p>Two batches are in flight: a helper thread generates, builds and runs batch k+1 on QEMU while
 * jvmm runs batch k (the two sides take similar time, and the machine has two cores).
 */
final class DiffRun {

    /**
     * @param firstSeed  the first seed; programs use firstSeed, firstSeed + 1, ...
     * @param count      number of programs
     * @param length     units per program
     * @param batchSize  programs per boot
     * @param locate     how many divergences to narrow to their culprit (each costs a few boots)
     * @param lockstep   whether each batch also runs on the two engines in lockstep ({@link BatchLockstep})
     */
    record Plan(long firstSeed, long count, int length, int batchSize, int locate, boolean lockstep) {

        Plan {
            if (count < 1 || length < 1 || batchSize < 1 || locate < 0) {
                throw new IllegalArgumentException(toString());
            }
        }

        /** A plan without the lockstep runs. */
        Plan(long firstSeed, long count, int length, int batchSize, int locate) {
            this(firstSeed, count, length, batchSize, locate, false);
        }

        /**
         * 40,000 units a boot, at most 200 programs: a batch's code stays below the 4 MiB the
         * link script allows (about 70 bytes a unit) and a boot's start-up is spread thin.
         */
        static int defaultBatchSize(int length) {
            return Math.max(1, Math.min(200, 40_000 / length));
        }
    }

    private DiffRun() {
    }

    /**
     * Runs the plan; {@code progress} gets one line per batch. Returns every divergence found. A
     * lockstep divergence (with {@link Plan#lockstep()}) ends the run at once with an
     * {@link AssertionError}, its batch's files left in place.
     */
    static List<Divergence> run(DiffHarness h, Plan plan, PrintStream progress) throws Exception {
        List<Divergence> found = new ArrayList<>();
        long done = 0;
        long started = System.nanoTime();
        int located = 0;
        ExecutorService reference = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "diff-reference");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<DiffHarness.QemuSide> next = reference.submit(() -> prepare(h, plan, 0));
            while (done < plan.count()) {
                DiffHarness.QemuSide q = next.get();
                int n = q.entries().size();
                if (done + n < plan.count()) {
                    long from = done + n;
                    next = reference.submit(() -> prepare(h, plan, from));
                }
                DiffHarness.BatchRun r = h.finish(q);
                long t = System.nanoTime();
                List<Divergence> divergent = h.compare(r);
                h.times().add(PhaseTimes.Phase.COMPARE, t);
                if (plan.lockstep()) {
                    t = System.nanoTime();
                    BatchLockstep.run(q.elf(), q.entries(), plan.firstSeed() + done);
                    h.times().add(PhaseTimes.Phase.LOCKSTEP, t);
                }
                if (divergent.isEmpty()) {
                    h.discard(q.name());
                }
                for (Divergence d : divergent) {
                    if (located < plan.locate()) {
                        d = h.locate(d, q.entries().get(d.index()).program());
                        located++;
                    }
                    found.add(d);
                }
                done += n;
                double secs = (System.nanoTime() - started) / 1e9;
                progress.printf("diff: %d/%d programs (seeds %d..%d), %d divergent, %.1f s, %.1f programs/s (%s)%n",
                        done, plan.count(), plan.firstSeed(), plan.firstSeed() + done - 1, found.size(), secs,
                        done / secs, h.times());
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        } finally {
            reference.shutdownNow();
        }
        return found;
    }

    /** Generates the batch that starts {@code offset} programs into the plan, builds it and runs it on QEMU. */
    private static DiffHarness.QemuSide prepare(DiffHarness h, Plan plan, long offset) throws Exception {
        long t = System.nanoTime();
        int n = (int) Math.min(plan.batchSize(), plan.count() - offset);
        long from = plan.firstSeed() + offset;
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            entries.add(Entry.whole(ProgramGenerator.generate(from + i, plan.length())));
        }
        h.times().add(PhaseTimes.Phase.GENERATE, t);
        return h.prepare("batch-" + from, entries);
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

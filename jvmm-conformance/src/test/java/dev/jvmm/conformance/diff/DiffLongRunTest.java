package dev.jvmm.conformance.diff;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The long mode of the differential test, off unless {@code -Ddiff.count} is given:
 * <pre>
 * ./mvnw -q -o -f jvmm-conformance/pom.xml test -Dtest=DiffLongRunTest \
 *     -Ddiff.count=100000 -Ddiff.seed=1000 -Ddiff.length=500 [-Ddiff.batch=40] [-Ddiff.locate=20] \
 *     [-Ddiff.engines=interp,jit] [-Ddiff.lockstep=true] [-Djvmm.jit.hotThreshold=1]
 * </pre>
 * It prints a progress line per batch and, at the end, the seeds and reports of all divergences
 * (the first {@code diff.locate}, default 20, narrowed to their culprit instruction). Every batch
 * runs on each engine of {@code diff.engines} (default both; the translator with the hot threshold
 * of {@code jvmm.jit.hotThreshold}, 1 in this module's build). With {@code diff.lockstep=true} each
 * batch also runs on the two engines in lockstep, and the first step where they differ stops the
 * run (the batch stays in target/diff). Reproducers are written to target/diff/divergences/.
 */
class DiffLongRunTest {

    @Test
    @EnabledIfSystemProperty(named = "diff.count", matches = "\\d+")
    void manyRandomProgramsEndInTheSameStateOnEachEngineAsOnQemu() throws Exception {
        long count = DiffSettings.longProperty("diff.count", 1000);
        long seed = DiffSettings.longProperty("diff.seed", 1);
        int length = (int) DiffSettings.longProperty("diff.length", 200);
        int batch = (int) DiffSettings.longProperty("diff.batch", DiffRun.Plan.defaultBatchSize(length));
        int locate = (int) DiffSettings.longProperty("diff.locate", 20);
        DiffHarness h = new DiffHarness(DiffSettings.workDir(), DiffSettings.engines("diff.engines"));
        boolean lockstep = Boolean.getBoolean("diff.lockstep");
        List<Divergence> found = DiffRun.run(h, new DiffRun.Plan(seed, count, length, batch, locate, lockstep),
                System.out);
        System.out.println(found.isEmpty() ? "diff: no divergence in " + count + " programs" : DiffRun.summary(found));
        if (!found.isEmpty()) {
            fail(DiffRun.summary(found));
        }
    }
}

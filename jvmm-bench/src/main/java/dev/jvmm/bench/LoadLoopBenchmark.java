package dev.jvmm.bench;

import dev.jvmm.cpu.riscv.Engine;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Data-TLB hits, measured through the guest since jvmm's Mmu is not public API: an S-mode loop
 * of eight loads from one page and a counted branch ({@link GuestPrograms#loadLoop}), with paging
 * off ("bare") or on ("sv39": an identity gigapage). Each load after the first of a run is a TLB
 * hit (the TLB caches bare translations too, after their PMP check), so the two figures should
 * be alike; a gap means the Sv39 hit path costs more. Score: ns per guest instruction, 80 % of
 * them loads.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "-XX:+UseSerialGC"})
public class LoadLoopBenchmark {

    static final int BUDGET = 100_000;
    private static final int SATP = 0x180;

    @Param({"bare", "sv39"})
    public String paging;

    @Param({"INTERPRETER", "JIT"})
    public Engine engine;

    private GuestMachine machine;
    private final RetiredCheck check = new RetiredCheck(BUDGET);

    @Setup(Level.Trial)
    public void setUp() {
        boolean sv39 = paging.equals("sv39");
        machine = new GuestMachine(engine);
        machine.writeLongs(GuestPrograms.PAGE_TABLE, GuestPrograms.identityPageTable());
        machine.startSupervisorMode(GuestPrograms.loadLoop(sv39));
        machine.hart.run(1000); // through the prologue, into the loop
        if (machine.hart.privilege() != 1 || (machine.hart.debugCsr(SATP) != 0) != sv39) {
            throw new IllegalStateException("the load loop did not start as asked: privilege "
                    + machine.hart.privilege() + ", satp " + Long.toHexString(machine.hart.debugCsr(SATP)));
        }
    }

    @Benchmark
    @OperationsPerInvocation(BUDGET)
    public long run() {
        return check.note(machine.hart.run(BUDGET));
    }

    @TearDown(Level.Iteration)
    public void checkRetired() {
        check.verify("load loop " + paging + " on " + engine);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        machine.close();
    }
}

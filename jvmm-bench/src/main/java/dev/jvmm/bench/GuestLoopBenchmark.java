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
 * A guest loop run by {@code Hart.run} through the interpreter or the translator (M-mode, bare
 * addressing). Programs ({@link GuestPrograms}): "tight" (one 8-instruction block with a load
 * and a store), "call" (a call, a return and a data-dependent branch per iteration) and
 * "straight" (1000 ALU instructions, a quarter compressed, then a jump back). Score: ns per
 * guest instruction retired (1000 / score = guest MIPS).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "-XX:+UseSerialGC"})
public class GuestLoopBenchmark {

    static final int BUDGET = 100_000;

    @Param({"tight", "call", "straight"})
    public String program;

    @Param({"INTERPRETER", "JIT"})
    public Engine engine;

    private GuestMachine machine;
    private final RetiredCheck check = new RetiredCheck(BUDGET);

    static GuestCode program(String name) {
        return switch (name) {
            case "tight" -> GuestPrograms.tightLoop();
            case "call" -> GuestPrograms.callLoop();
            case "straight" -> GuestPrograms.straightLine(1000);
            default -> throw new IllegalArgumentException("no program " + name);
        };
    }

    @Setup(Level.Trial)
    public void setUp() {
        machine = new GuestMachine(engine).startMachineMode(program(program));
    }

    @Benchmark
    @OperationsPerInvocation(BUDGET)
    public long run() {
        return check.note(machine.hart.run(BUDGET));
    }

    @TearDown(Level.Iteration)
    public void checkRetired() {
        check.verify(program + " on " + engine);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        machine.close();
    }
}

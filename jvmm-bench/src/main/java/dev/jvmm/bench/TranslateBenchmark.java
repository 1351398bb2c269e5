package dev.jvmm.bench;

import dev.jvmm.cpu.riscv.Engine;
import dev.jvmm.cpu.riscv.Hart;
import dev.jvmm.cpu.riscv.translate.BlockCompiler;
import dev.jvmm.cpu.riscv.translate.BlockDecoder;
import dev.jvmm.cpu.riscv.translate.GuestBlock;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.constant.ClassDesc;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the translator pays once per hot block: cutting the block out of guest RAM
 * ({@link BlockDecoder}) and generating its class bytes ({@link BlockCompiler}; defining the
 * hidden class is not public API and not included). The block is the tight loop's body (8
 * instructions, ending in its backward branch). Score: ns per block once warmed up; the first
 * warm-up iterations show the cold cost, which the first blocks of a boot pay.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 10, time = 1) // the class-file library takes long to warm up: ~2 ms per block at first
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "-XX:+UseSerialGC"})
public class TranslateBenchmark {

    private static final ClassDesc NAME = ClassDesc.of("dev.jvmm.cpu.riscv.BenchmarkBlock");

    private GuestMachine machine;
    private MemorySegment ram;
    private long pc;
    private GuestBlock block;
    private BlockCompiler compiler;

    @Setup
    public void setUp() {
        GuestCode code = GuestPrograms.tightLoop();
        machine = new GuestMachine(Engine.INTERPRETER).startMachineMode(code);
        ram = machine.ram.segment();
        pc = code.address("loop");
        block = BlockDecoder.decode(ram, pc, pc - GuestPrograms.RAM_BASE, 128);
        if (block.size() != 8) {
            throw new IllegalStateException("the tight loop's block has " + block.size() + " instructions, not 8");
        }
        compiler = new BlockCompiler(ClassHierarchyResolver.defaultResolver()
                .orElse(ClassHierarchyResolver.ofClassLoading(Hart.class.getClassLoader())));
    }

    @TearDown
    public void tearDown() {
        machine.close();
    }

    @Benchmark
    public GuestBlock decodeBlock() {
        return BlockDecoder.decode(ram, pc, pc - GuestPrograms.RAM_BASE, 128);
    }

    @Benchmark
    public byte[] compileBlock() {
        return compiler.compile(block, NAME);
    }
}

package dev.jvmm.bench;

import dev.jvmm.cpu.riscv.Decoder;
import dev.jvmm.memory.GuestMemory;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The interpreter's per-instruction front end, rebuilt from jvmm's public parts: fetch 32 bits
 * from the guest RAM segment at pc, expand a compressed parcel through {@link Decoder}, extract
 * the register fields and the immediate of the instruction's format. (The interpreter's own
 * loop is package-private; GuestLoopBenchmark's "straight" program times it whole.) The stream
 * is {@link GuestPrograms#decodeMix}: RV64GC with about 40 % compressed parcels. Score: ns per
 * instruction.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "-XX:+UseSerialGC"})
public class FetchDecodeBenchmark {

    static final int COUNT = 4096;

    private GuestMemory ram;
    private MemorySegment code;

    @Setup
    public void setUp() {
        ram = GuestMemory.allocate(GuestPrograms.RAM_BASE, 1 << 16);
        ram.write(GuestPrograms.RAM_BASE, GuestPrograms.decodeMix(COUNT).bytes());
        code = ram.segment();
    }

    @TearDown
    public void tearDown() {
        ram.close();
    }

    @Benchmark
    @OperationsPerInvocation(COUNT)
    public long fetchAndDecode() {
        MemorySegment seg = code;
        long acc = 0;
        long offset = 0;
        for (int k = 0; k < COUNT; k++) {
            int insn = seg.get(GuestMemory.INT, offset);
            if (Decoder.isCompressed(insn)) {
                insn = Decoder.expandCompressed(insn);
                offset += 2;
            } else {
                offset += 4;
            }
            int opcode = Decoder.opcode(insn);
            long imm = switch (opcode) {
                case 0x03, 0x07, 0x13, 0x1b, 0x67 -> Decoder.immI(insn);
                case 0x23, 0x27 -> Decoder.immS(insn);
                case 0x63 -> Decoder.immB(insn);
                case 0x37, 0x17 -> Decoder.immU(insn);
                case 0x6f -> Decoder.immJ(insn);
                default -> Decoder.funct7(insn);
            };
            acc += imm ^ (Decoder.rd(insn) | Decoder.rs1(insn) << 5 | Decoder.rs2(insn) << 10
                    | Decoder.funct3(insn) << 15 | opcode << 18);
        }
        return acc;
    }
}

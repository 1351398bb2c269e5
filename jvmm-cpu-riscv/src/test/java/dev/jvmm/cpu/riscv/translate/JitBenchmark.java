package dev.jvmm.cpu.riscv.translate;

import dev.jvmm.cpu.riscv.Engine;
import dev.jvmm.cpu.riscv.Hart;
import dev.jvmm.memory.AddressSpace;
import dev.jvmm.memory.GuestMemory;

/**
 * Not a test: prints guest MIPS of both engines on the same loops.
 * Run: {@code java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp <test+main classpath>
 * dev.jvmm.cpu.riscv.translate.JitBenchmark [seconds]}.
 */
public final class JitBenchmark {

    /** A tight counted loop: ALU, a load and a store per iteration, one backward branch. */
    static final String TIGHT_LOOP = """
                li   s0, 0
                li   s1, 0x80100000
                li   s2, 1
            outer:
                li   t0, 100000
            loop:
                add  s0, s0, t0
                xor  s3, s0, s2
                slli s4, s3, 3
                ld   t1, 0(s1)
                add  t1, t1, s4
                sd   t1, 0(s1)
                addi t0, t0, -1
                bnez t0, loop
                j    outer
            """;

    /** Calls and a data-dependent branch: several blocks per iteration, through the dispatcher. */
    static final String CALL_LOOP = """
                li   s0, 0
                li   s1, 0x80100000
            outer:
                li   t0, 100000
            loop:
                mv   a0, t0
                call work
                add  s0, s0, a0
                andi t2, t0, 3
                beqz t2, skip
                sw   s0, 8(s1)
            skip:
                addi t0, t0, -1
                bnez t0, loop
                j    outer
            work:
                slli a1, a0, 2
                mul  a0, a1, a0
                srli a0, a0, 1
                ret
            """;

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        for (String[] p : new String[][] {{"tight loop", TIGHT_LOOP}, {"call loop", CALL_LOOP}}) {
            for (Engine e : Engine.values()) {
                System.out.printf("%-10s %-12s %8.1f MIPS%n", p[0], e, mips(p[1], e, null, seconds));
            }
            TranslatorOptions regions = TranslatorOptions.fromSystemProperties().withMaxRegionInstructions(256);
            System.out.printf("%-10s %-12s %8.1f MIPS%n", p[0], "JIT regions", mips(p[1], Engine.JIT, regions, seconds));
        }
    }

    /** Guest MIPS of {@code engine} (with {@code options} if not null) on {@code source}. */
    static double mips(String source, Engine engine, TranslatorOptions options, double seconds) {
        Assembler.Program program = Assembler.assemble(source, 0x8000_0000L);
        try (GuestMemory ram = GuestMemory.allocate(0x8000_0000L, 4L << 20)) {
            ram.write(0x8000_0000L, program.image());
            Hart hart = new Hart(0, new AddressSpace(ram), Lockstep.FROZEN);
            if (options == null) {
                hart.setEngine(engine);
            } else {
                hart.setEngine(engine, options);
            }
            hart.reset(0x8000_0000L);
            long warm = System.nanoTime() + (long) (seconds * 0.3e9);
            while (System.nanoTime() < warm) {
                hart.run(1_000_000);
            }
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            long n = 0;
            long now;
            do {
                n += hart.run(1_000_000);
                now = System.nanoTime();
            } while (now < end);
            return n / ((now - start) / 1e3);
        }
    }
}

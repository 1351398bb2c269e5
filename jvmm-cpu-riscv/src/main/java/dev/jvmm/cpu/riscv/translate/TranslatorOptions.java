package dev.jvmm.cpu.riscv.translate;

/**
 * Tuning of the translator tier.
 *
 * @param hotThreshold executions of a block (by the interpreter) before it is compiled; 1 compiles at first sight
 * @param maxBlocks compiled blocks kept before the whole code cache is dropped
 * @param maxBlockInstructions the longest block translated
 */
public record TranslatorOptions(int hotThreshold, int maxBlocks, int maxBlockInstructions) {

    public TranslatorOptions {
        if (hotThreshold < 1 || maxBlocks < 1 || maxBlockInstructions < 1 || maxBlockInstructions > 1024) {
            throw new IllegalArgumentException("bad translator options");
        }
    }

    /**
     * A high hot threshold: a new hidden class runs in HotSpot's slow tiers (where its
     * MemorySegment accesses take the generic path) for thousands of calls before C2 compiles
     * it, so only blocks that will run far more often than that pay off. Measured on a Debian
     * boot: 32 is several times slower than the interpreter, 5000 a little faster, 20000-50000
     * about twice as fast. Up to 4 * maxBlocks entries (most are uncompiled stubs) fit before
     * the cache is dropped; a boot touches more than 32768 block starts.
     */
    public static TranslatorOptions defaults() {
        return new TranslatorOptions(20_000, 32_768, 128);
    }

    /**
     * The defaults, with each value overridable by a system property for tuning:
     * {@code jvmm.jit.hotThreshold}, {@code jvmm.jit.maxBlocks}, {@code jvmm.jit.maxBlockInstructions}.
     */
    public static TranslatorOptions fromSystemProperties() {
        TranslatorOptions d = defaults();
        return new TranslatorOptions(Integer.getInteger("jvmm.jit.hotThreshold", d.hotThreshold),
                Integer.getInteger("jvmm.jit.maxBlocks", d.maxBlocks),
                Integer.getInteger("jvmm.jit.maxBlockInstructions", d.maxBlockInstructions));
    }

    public TranslatorOptions withHotThreshold(int n) {
        return new TranslatorOptions(n, maxBlocks, maxBlockInstructions);
    }

    public TranslatorOptions withMaxBlocks(int n) {
        return new TranslatorOptions(hotThreshold, n, maxBlockInstructions);
    }
}

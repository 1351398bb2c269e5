package dev.jvmm.cpu.riscv.translate;

/**
 * Tuning of the translator tier.
 *
 * @param hotThreshold executions of a block (decoded or interpreted) before it is compiled, a long block's runs
 *     counting more (see {@code Translation.heatPerRun}); 1 compiles at first sight
 * @param maxBlocks compiled regions kept before the whole code cache is dropped
 * @param maxBlockInstructions the longest basic block translated
 * @param maxRegionInstructions the most instructions compiled into one region (it always holds its entry block)
 * @param warmThreshold taken jumps to a target (in the interpreter) before the block there is
 *     decoded for the block interpreter; at most {@code hotThreshold}
 * @param regionShape which code around the entry a region holds
 */
public record TranslatorOptions(int hotThreshold, int maxBlocks, int maxBlockInstructions, int maxRegionInstructions,
        int warmThreshold, RegionShape regionShape) {

    public TranslatorOptions {
        if (hotThreshold < 1 || maxBlocks < 1 || maxBlockInstructions < 1 || maxBlockInstructions > 1024
                || maxRegionInstructions < 1 || maxRegionInstructions > 4096 || warmThreshold < 1
                || warmThreshold > hotThreshold || regionShape == null) {
            throw new IllegalArgumentException("bad translator options");
        }
    }

    /** Options with the default region shape. */
    public TranslatorOptions(int hotThreshold, int maxBlocks, int maxBlockInstructions, int maxRegionInstructions,
            int warmThreshold) {
        this(hotThreshold, maxBlocks, maxBlockInstructions, maxRegionInstructions, warmThreshold, DEFAULT_REGION_SHAPE);
    }

    /** Options with the default warm threshold (or the hot one, if lower) and region shape. */
    public TranslatorOptions(int hotThreshold, int maxBlocks, int maxBlockInstructions, int maxRegionInstructions) {
        this(hotThreshold, maxBlocks, maxBlockInstructions, maxRegionInstructions, Math.min(DEFAULT_WARM_THRESHOLD, hotThreshold));
    }

    /** Options with the default region size and warm threshold. */
    public TranslatorOptions(int hotThreshold, int maxBlocks, int maxBlockInstructions) {
        this(hotThreshold, maxBlocks, maxBlockInstructions, DEFAULT_REGION_INSTRUCTIONS);
    }

    /**
     * Each decoded block is an entry in the code cache (a boot makes about 43,000, some 10 MiB
     * of heap) and a run of the block interpreter starts with a lookup, so only targets jumped
     * to repeatedly are worth it. Debian boots, 4 rounds: 4 was slowest (8.8-10.2 s), 32 and 256
     * alike (8.0-10.7 s on a busy host).
     */
    private static final int DEFAULT_WARM_THRESHOLD = 32;

    /**
     * Loops of up to 32 instructions run inside one method (cpubench in the guest, 2026-11-27,
     * 3 same-minute rounds, medians of second runs against single blocks: qsort 960 -> 650 ms,
     * string 4113 -> 2851 ms, interp 3143 -> 2979 ms, hash 834 -> 804 ms, nbody alike, matmul
     * 2569 -> 2715 ms; 48: string and interp less faster, matmul 2879 ms). Larger loop regions
     * take in nested FP loops, which HotSpot then compiles worse (128: nbody 2.2-2.3 -> 3.7 s;
     * 64 looked as bad, 3.4 s against 2.3 s at 32, but in a round disturbed by a concurrent
     * build); regions of everything reachable (try {@link RegionShape#REACHABLE} with 256)
     * make nbody, matmul and hash slower still.
     */
    private static final int DEFAULT_REGION_INSTRUCTIONS = 32;
    private static final RegionShape DEFAULT_REGION_SHAPE = RegionShape.LOOP;

    /**
     * A high hot threshold: a new hidden class runs in HotSpot's slow tiers for thousands of
     * calls before C2 compiles it, and compiling costs the JVM's compiler threads about 8 ms of
     * CPU per block, so only code that will run far more often than that pays off. Measured on
     * a Debian boot (same minute, with chaining, before RAM accesses went through DirectRam):
     * 5,000 made it 1.8x slower than the interpreter, 20,000 1.2x, 100,000 as fast. Since
     * DirectRam halved the blocks' compile cost, 10,000, 30,000 and 100,000 boot equally fast
     * (8.7-9.9 s, same-minute rounds) and cpubench's medians differ by less than the noise. With
     * the block interpreter for warm code, 100,000 and 400,000 boot alike (7.7-8.3 s and
     * 7.9-8.4 s in five rounds; 400,000 uses less CPU). Counting a long block's runs as more
     * (one more per ten instructions; 2026-11-27, with the startup cache, 3 rounds) made boots
     * 5.15-5.52 s against 5.58-6.48 s, with 305 M instructions run decoded instead of 520 M and
     * 393 blocks compiled instead of 222; then 50,000 against 100,000 (8 rounds, same minutes):
     * faster in 7, by 0.2 s (4 %) in the median, 555 blocks compiled instead of 390 and 223 M
     * instructions decoded instead of 302 M; 25,000 no faster (3 rounds, more CPU). A compiled
     * block costs about 15 KiB of the JVM's memory (code, its metadata, class data;
     * bench/memory/blocks.py), so 4096 of them are about 60 MiB and fit the launcher's 64 MiB
     * code cache; a boot or cpubench keeps about 1,200. Up to 131,072 entries (mostly
     * uncompiled stubs) fit before the cache is dropped; a boot touches more than 32768 block
     * starts.
     */
    public static TranslatorOptions defaults() {
        return new TranslatorOptions(50_000, 4_096, 128);
    }

    /**
     * The defaults, with each value overridable by a system property for tuning:
     * {@code jvmm.jit.hotThreshold}, {@code jvmm.jit.maxBlocks}, {@code jvmm.jit.maxBlockInstructions},
     * {@code jvmm.jit.maxRegionInstructions}, {@code jvmm.jit.warmThreshold} (capped at the hot threshold),
     * {@code jvmm.jit.regionShape} ({@code loop} or {@code reachable}).
     */
    public static TranslatorOptions fromSystemProperties() {
        TranslatorOptions d = defaults();
        int hot = Integer.getInteger("jvmm.jit.hotThreshold", d.hotThreshold);
        String shape = System.getProperty("jvmm.jit.regionShape");
        return new TranslatorOptions(hot,
                Integer.getInteger("jvmm.jit.maxBlocks", d.maxBlocks),
                Integer.getInteger("jvmm.jit.maxBlockInstructions", d.maxBlockInstructions),
                Integer.getInteger("jvmm.jit.maxRegionInstructions", d.maxRegionInstructions),
                Math.min(hot, Integer.getInteger("jvmm.jit.warmThreshold", d.warmThreshold)),
                shape == null ? d.regionShape : regionShape(shape));
    }

    private static RegionShape regionShape(String name) {
        for (RegionShape s : RegionShape.values()) {
            if (s.name().equalsIgnoreCase(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("jvmm.jit.regionShape is '" + name + "'; it must be loop or reachable");
    }

    /** The same options with hot threshold {@code n} (and the warm one capped at it). */
    public TranslatorOptions withHotThreshold(int n) {
        return new TranslatorOptions(n, maxBlocks, maxBlockInstructions, maxRegionInstructions, Math.min(warmThreshold, n),
                regionShape);
    }

    public TranslatorOptions withMaxBlocks(int n) {
        return new TranslatorOptions(hotThreshold, n, maxBlockInstructions, maxRegionInstructions, warmThreshold, regionShape);
    }

    /** The same options with regions of at most {@code n} instructions (1: single basic blocks). */
    public TranslatorOptions withMaxRegionInstructions(int n) {
        return new TranslatorOptions(hotThreshold, maxBlocks, maxBlockInstructions, n, warmThreshold, regionShape);
    }

    public TranslatorOptions withWarmThreshold(int n) {
        return new TranslatorOptions(hotThreshold, maxBlocks, maxBlockInstructions, maxRegionInstructions, n, regionShape);
    }

    /** The same options with regions of shape {@code shape}. */
    public TranslatorOptions withRegionShape(RegionShape shape) {
        return new TranslatorOptions(hotThreshold, maxBlocks, maxBlockInstructions, maxRegionInstructions, warmThreshold, shape);
    }
}

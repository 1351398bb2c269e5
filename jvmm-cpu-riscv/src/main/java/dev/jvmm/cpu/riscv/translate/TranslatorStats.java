package dev.jvmm.cpu.riscv.translate;

/**
 * Counters of the translator tier.
 *
 * @param blocksCompiled blocks turned into hidden classes since the tier started
 * @param compileFailures blocks whose compilation failed (they stay interpreted); should be 0
 * @param pageInvalidations RAM pages whose translations were dropped because a store hit them
 * @param flushes times every translation was dropped (reset, state restore, engine switch)
 * @param evictions times the cache was dropped because it was full
 * @param liveBlocks compiled blocks currently in the cache
 * @param translatedInstructions guest instructions retired by compiled blocks
 * @param interpretedInstructions guest instructions run by the interpreter under this engine
 * @param decodedInstructions guest instructions run by the block interpreter (decoded blocks not compiled)
 * @param fences FENCE.I and remote fences (SBI) seen
 * @param checkedFences those after which every block re-checked its bytes at its next use (the others came when
 *     nothing but this hart, which tracks its own stores into code, could have written RAM since the last check)
 * @param staleBlocks blocks found changed by that check (their page's translations were then dropped)
 * @param regionInstructions guest instructions in all regions compiled so far (over blocksCompiled: the mean region size)
 * @param translatedRuns runs of compiled code (over translatedInstructions: instructions per dispatch)
 * @param largestMethodBytes bytecode length of the largest {@code execute} method generated so far (HotSpot
 *     never JIT-compiles one over 8000 bytes, so the translator keeps them below that)
 */
public record TranslatorStats(long blocksCompiled, long compileFailures, long pageInvalidations, long flushes,
        long evictions, int liveBlocks, long translatedInstructions, long interpretedInstructions, long decodedInstructions, long fences,
        long checkedFences, long staleBlocks, long regionInstructions, long translatedRuns, int largestMethodBytes) {

    public static final TranslatorStats NONE = new TranslatorStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** Share of guest instructions retired by compiled blocks, 0..1. */
    public double translatedShare() {
        long all = translatedInstructions + interpretedInstructions + decodedInstructions;
        return all == 0 ? 0 : (double) translatedInstructions / all;
    }
}

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

    public static TranslatorOptions defaults() {
        return new TranslatorOptions(32, 8192, 128);
    }

    public TranslatorOptions withHotThreshold(int n) {
        return new TranslatorOptions(n, maxBlocks, maxBlockInstructions);
    }

    public TranslatorOptions withMaxBlocks(int n) {
        return new TranslatorOptions(hotThreshold, n, maxBlockInstructions);
    }
}

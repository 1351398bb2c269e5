package dev.jvmm.cpu.riscv.translate;

/**
 * The MMU side of code invalidation: pages (indexed from RAM base) marked as holding
 * translated code must route every CPU store through the slow path, which reports it back so
 * the translations can be dropped before the bytes change.
 */
public interface CodePageTracker {

    void markCodePage(long pageIndex);

    void unmarkCodePage(long pageIndex);

    void unmarkAllCodePages();
}

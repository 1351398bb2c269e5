package dev.jvmm.cpu.riscv.translate;

/** A guest region (one or more basic blocks of a page) compiled to bytecode; implementations are generated hidden classes. */
public interface TranslatedBlock {

    /**
     * Runs the region on the hart behind {@code runtime} (the hart's JIT runtime object) and
     * returns the number of guest instructions retired. Control continues inside the region
     * only while the total stays within {@code budget}: the caller must allow at least the
     * entry's {@link Translation#entryRun()}, which one run retires before its first check.
     * Leaves the next pc and the registers in the hart; a guest exception propagates as the
     * interpreter's trap, after the runtime recorded the faulting pc and retired count.
     */
    int execute(Object runtime, int budget);
}

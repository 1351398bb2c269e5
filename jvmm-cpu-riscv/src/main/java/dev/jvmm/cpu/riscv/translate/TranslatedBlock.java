package dev.jvmm.cpu.riscv.translate;

/** A guest basic block compiled to bytecode; implementations are generated hidden classes. */
public interface TranslatedBlock {

    /**
     * Runs the block on the hart behind {@code runtime} (the hart's JIT runtime object) and
     * returns the number of guest instructions retired. A block that loops on itself repeats
     * only while the total stays within {@code budget} (at least one pass always runs). Leaves
     * the next pc and the registers in the hart; a guest exception propagates as the
     * interpreter's trap, after the runtime recorded the faulting pc and retired count.
     */
    int execute(Object runtime, int budget);
}

package dev.jvmm.cpu.riscv.translate;

import dev.jvmm.memory.DirectRam;
import java.util.List;

/**
 * The hart's objects that a generated class holds as constants (its class data), so that
 * HotSpot folds them into the compiled code instead of loading them at every block entry and
 * keeping them in registers: the translator's runtime and the interpreter (for pc), RAM, the
 * register files, the CSRs and FPU (as {@code Object}: their classes are the hart package's own),
 * the MMU, and the data TLB arrays (tags and adds side by side, see {@code Mmu.slot}) of the
 * privilege in effect when the block was compiled. Those arrays belong to one privilege's TLB set
 * (loads and stores under MPRV, or code run at two privileges, use another): a compiled block
 * first checks that the MMU's current load TLB is its own, and otherwise returns before its first
 * instruction, so that the interpreter runs it with the right set.
 */
public record HartConstants(Object runtime, Object interpreter, DirectRam ram, long[] x, long[] f, Object csrs,
        Object fpu, Object mmu, long[] loadTlb, long[] storeTlb) {

    /** The class data list, indexed by {@link RuntimeLinkage}'s {@code CLASS_DATA_*}. */
    List<Object> classData() {
        return List.of(runtime, interpreter, ram, x, f, csrs, fpu, mmu, loadTlb, storeTlb);
    }
}

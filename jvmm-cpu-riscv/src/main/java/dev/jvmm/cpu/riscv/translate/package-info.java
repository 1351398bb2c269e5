/**
 * The translator tier: hot guest code becomes JVM bytecode (built with
 * {@code java.lang.classfile}), defined as hidden classes that HotSpot compiles and that can
 * be unloaded once the code cache forgets them.
 *
 * <h3>Shape</h3>
 * {@link dev.jvmm.cpu.riscv.translate.BlockDecoder} cuts a {@link dev.jvmm.cpu.riscv.translate.GuestBlock}
 * out of guest RAM (straight-line code ending at a branch or jump, before any instruction the
 * tier does not translate, at a page end, or at a maximum length). Uncompiled entries hold
 * the extended block there (on past conditional branches to the first jump) in
 * {@link dev.jvmm.cpu.riscv.translate.DecodedBlock}'s form, which the runtime's block
 * interpreter runs (the warm tier). When an entry is hot,
 * {@link dev.jvmm.cpu.riscv.translate.RegionDecoder} grows a
 * {@link dev.jvmm.cpu.riscv.translate.GuestRegion} from it: the blocks of the same 4 KiB page
 * reachable through direct branches, JAL, fall-through and predicted returns (not other
 * JALRs), up to a size bound, and by default ({@link dev.jvmm.cpu.riscv.translate.RegionShape#LOOP})
 * keeps only the loop through the entry, or the entry's basic block where there is none.
 * {@link dev.jvmm.cpu.riscv.translate.BlockCompiler} turns the region
 * into one method of a class implementing {@link dev.jvmm.cpu.riscv.translate.TranslatedBlock}:
 * block starts are labels, jumps inside the region are gotos, so HotSpot sees whole guest loops;
 * the budget is checked on backward edges (sizes and shapes: {@code -Djvmm.jit.maxRegionInstructions},
 * {@code -Djvmm.jit.regionShape}; see {@link dev.jvmm.cpu.riscv.translate.TranslatorOptions}).
 * Because a region never leaves its page, page-granular
 * invalidation covers it. {@link dev.jvmm.cpu.riscv.translate.Translator}
 * is the code cache: translations keyed by (virtual pc, physical RAM offset), a jump cache,
 * per-page invalidation on this hart's stores, re-checking of each entry's bytes (a region's
 * whole covered range) after FENCE.I and remote fences when RAM may have been written behind the
 * hart (so fences and mapping changes keep valid code, and writes by other harts or DMA are seen
 * after a fence), hotness counting, and eviction
 * by forgetting everything. {@code -Djvmm.jit.stats=true} prints each hart's counters at JVM exit.
 *
 * <h3>Contract with the hart</h3>
 * The dispatcher lives next to the interpreter (package {@code dev.jvmm.cpu.riscv}, class
 * {@code JitRuntime}); generated classes are defined through its lookup, so they are in that
 * package and reach the register file, the TLB arrays and the memory slow paths directly
 * (the names are collected in {@link dev.jvmm.cpu.riscv.translate.RuntimeLinkage}). Guest
 * registers (x and f) live in JVM locals inside a region and are written back at every exit (those
 * some path to it may have written) and before every slow-path call, so a trap leaves exactly the
 * interpreter's state. F and D are translated by {@link dev.jvmm.cpu.riscv.translate.FloatEmitter}
 * (calls into the hart's {@code Fpu}); guards on mstatus.FS and frm before the first FP instruction
 * that needs them on every path send the trapping cases to the interpreter. AMOs and LR/SC call the
 * runtime, which runs the interpreter's implementation (one LR reservation for both engines).
 * Anything not translated (CSR accesses other than to fflags and reads of frm/fcsr, system
 * instructions, FENCE.I) ends the block or region and runs in the interpreter.
 */
package dev.jvmm.cpu.riscv.translate;

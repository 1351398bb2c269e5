package dev.jvmm.cpu.riscv.translate;

import java.util.Arrays;

/**
 * A guest region (one or more basic blocks of a page) compiled to bytecode; subclasses are
 * generated hidden classes. A class rather than an interface: the dispatcher's call site sees
 * thousands of receiver classes, and a megamorphic virtual call is one vtable load where an
 * interface call searches the itable.
 *
 * <p>Chaining: each exit to a constant pc in the block's page has a link slot
 * ({@link #linkTargets()}). An exit without a usable link asks the runtime for the compiled
 * block at its target (through the fetch TLB and the jump cache) and links what it finds;
 * later runs leave through the link by calling that block directly (up to
 * {@link #MAX_CHAIN_DEPTH} calls deep, while the budget allows its entry run), so a hot path
 * stays in compiled code instead of returning to the dispatcher after every block. Links are
 * valid only in the runtime's link epoch in which they were made; the runtime starts a new
 * epoch whenever translations may have become stale (a fence, a dropped page, a flush), and
 * a link to the same page needs no other check: the caller's own lookup proved the page's
 * mapping.
 */
public abstract class TranslatedBlock {

    /** Nested direct calls one dispatch may make through links. */
    public static final int MAX_CHAIN_DEPTH = 32;

    /** The linked successor of each exit slot, or null (read by generated code). */
    protected TranslatedBlock[] links;
    /** The runtime's link epoch in which {@link #links} were made (read by generated code). */
    protected int linkEpoch;
    private int entryRun;
    private long pc;
    private long[] targets;

    protected TranslatedBlock() {
    }

    /**
     * Runs the region on the hart behind {@code runtime} (the hart's JIT runtime object) and
     * returns the number of guest instructions retired (those of blocks it chained to
     * included; those of its callers were added to the runtime's chained count before the
     * call). Control continues inside the region only while the total stays within
     * {@code budget}: the caller must allow at least the entry's {@link Translation#entryRun()},
     * which one run retires before its first check. Leaves the next pc and the registers in
     * the hart; a guest exception propagates as the interpreter's trap, after the runtime
     * recorded the faulting pc and retired count. {@code depth} counts the chained calls above.
     */
    public abstract int execute(Object runtime, int budget, int depth);

    /** The constant pcs this block's exits may leave to, one per link slot. */
    protected abstract long[] linkTargets();

    /** Called once by the translator after construction. */
    final void initialize(long pc, int entryRun) {
        this.pc = pc;
        this.entryRun = entryRun;
        this.targets = linkTargets();
        this.links = new TranslatedBlock[targets.length];
    }

    /** The most instructions a run retires before its first budget check (called by generated code). */
    public final int entryRun() {
        return entryRun;
    }

    /** The guest pc the block is entered at. */
    public final long pc() {
        return pc;
    }

    /**
     * Links the exit to {@code target} to {@code next} (a compiled block entered there), if
     * this block has such an exit and both are in one page; links of an older epoch are dropped.
     */
    public final void link(long target, TranslatedBlock next, int epoch) {
        if (((target ^ pc) >>> 12) != 0) {
            return;
        }
        if (linkEpoch != epoch) {
            Arrays.fill(links, null);
            linkEpoch = epoch;
        }
        for (int k = 0; k < targets.length; k++) {
            if (targets[k] == target) {
                links[k] = next;
                return;
            }
        }
    }
}

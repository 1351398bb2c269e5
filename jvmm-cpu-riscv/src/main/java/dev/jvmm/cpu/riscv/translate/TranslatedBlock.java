package dev.jvmm.cpu.riscv.translate;

import java.util.Arrays;

/**
 * A guest region (one or more basic blocks of a page) compiled to bytecode; subclasses are
 * generated hidden classes. A class rather than an interface: the dispatcher's call site sees
 * thousands of receiver classes, and a megamorphic virtual call is one vtable load where an
 * interface call searches the itable.
 *
 * <p>Chaining: each exit to a constant pc in the block's page has a link slot
 * ({@link #linkTargets()}), holding the compiled block entered there or {@link #NONE}; an exit
 * to any other pc asks the runtime for the compiled block at its target (through the fetch TLB
 * and the jump cache), or {@code NONE}. The exit calls that block directly (up to
 * {@link #MAX_CHAIN_DEPTH} calls deep, while the budget allows its entry run), so a hot path
 * stays in compiled code instead of returning to the dispatcher after every block; else it
 * returns to the dispatcher, naming itself and its slot, and the dispatcher links the slot to
 * the block it finds next if that one is compiled. Whether to call is one branch over one sum
 * ({@code NONE}'s entry run exceeds every budget), so fewer branches than conditions can be
 * ones that only later runs take (HotSpot throws the compiled code away and recompiles when
 * one is); a block that only ever went one way while HotSpot profiled it still is (64 of 256
 * block deoptimisations in a boot, 2026-11-27; sharing the check among all blocks removed them
 * but lost more, see docs/performance.md). A link to the same page needs no check of its own:
 * the caller's lookup proved the page's mapping; whenever translations may have gone stale (a
 * fence, a dropped page, a flush) the translator resets every link to {@code NONE}.
 */
public abstract class TranslatedBlock {

    /** Nested direct calls one dispatch may make through links. */
    public static final int MAX_CHAIN_DEPTH = 32;

    /** No block: what an unlinked slot holds and a failed lookup gives; no chain ever calls it. */
    public static final TranslatedBlock NONE = new Unlinked();

    /** The linked successor of each exit slot, or {@link #NONE} (read by generated code). */
    protected TranslatedBlock[] links;
    /** Whether a slot holds a link (then the translator has this block on its list to reset). */
    boolean linked;
    private int entryRun;
    private long pc;
    private long[] targets;

    protected TranslatedBlock() {
    }

    /**
     * Runs the region on its hart (whose objects the class holds as constants, see
     * {@link HartConstants}) and returns the number of guest instructions retired (those of
     * blocks it chained to included; those of its callers were added to the runtime's chained
     * count before the call). Control continues inside the region only while the total stays within
     * {@code budget}: the caller must allow at least the entry's {@link Translation#entryRun()},
     * which one run retires before its first check. Leaves the next pc and the registers in
     * the hart; a guest exception propagates as the interpreter's trap, after the runtime
     * recorded the faulting pc and retired count. {@code depth} counts the chained calls above.
     */
    public abstract int execute(int budget, int depth);

    /** The constant pcs this block's exits may leave to, one per link slot. */
    protected abstract long[] linkTargets();

    /** Called once by the translator after construction. */
    final void initialize(long pc, int entryRun) {
        this.pc = pc;
        this.entryRun = entryRun;
        this.targets = linkTargets();
        this.links = new TranslatedBlock[targets.length];
        Arrays.fill(links, NONE);
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
     * Links exit slot {@code slot} to {@code next}, if that slot's exit leads to {@code target}
     * and {@code next} is entered there; returns whether it did.
     */
    final boolean link(int slot, long target, TranslatedBlock next) {
        if (slot < 0 || slot >= targets.length || targets[slot] != target || next.pc != target) {
            return false;
        }
        links[slot] = next;
        return true;
    }

    /** Resets every slot to {@link #NONE}. */
    final void unlink() {
        Arrays.fill(links, NONE);
        linked = false;
    }

    /** {@link #NONE}'s class: an entry run no budget covers, no exits. */
    private static final class Unlinked extends TranslatedBlock {
        Unlinked() {
            initialize(-1, Integer.MAX_VALUE);
        }

        @Override
        public int execute(int budget, int depth) {
            return 0; // never called: a chain's check fails first; harmless if it were
        }

        @Override
        protected long[] linkTargets() {
            return new long[0];
        }
    }
}

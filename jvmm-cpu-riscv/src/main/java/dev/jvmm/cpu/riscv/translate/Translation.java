package dev.jvmm.cpu.riscv.translate;

/**
 * The code cache's entry for one block start: virtual pc and RAM offset (the key), the length
 * of its basic block in instructions, its extended block (on past conditional branches, to the
 * first jump) decoded once for the block interpreter (in {@link DecodedBlock}'s form, held here
 * so a chain of blocks loads one object per block), and its compiled form once it is hot: a
 * region entered here (see {@link GuestRegion}), which then replaces the decoded form. Until
 * then the runtime runs the decoded block, so the dispatcher keeps meeting block starts. It also
 * keeps the bytes it was decoded from (the extended block's, then the whole region's) and the
 * fence epoch in which they were last known to match RAM. Owned by one hart's thread.
 */
public final class Translation {

    /** Instructions of a run that count as one more run toward the hot threshold (see {@link #heatPerRun}). */
    static final int INSTRUCTIONS_PER_HEAT = 10;

    final long pc;
    final long offset;
    int length;
    TranslatedBlock block;
    /** The extended block's dense form for the block interpreter; null when it does not start with an instruction that form covers. */
    private final long[] decoded;
    /** The pc after the decoded instructions. */
    private final long decodedEnd;
    /** Runs so far, each counting {@link #heatPerRun}; a long, so no threshold near the int's maximum overflows it. */
    long heat;
    /**
     * What one run adds to {@link #heat}: 1, and 1 more per {@link #INSTRUCTIONS_PER_HEAT}
     * instructions a run may retire (the decoded block's, else the basic block's). A run of a
     * long block costs the block interpreter many short blocks' runs, and compiling it pays off
     * as much sooner: counting runs alone, a Debian boot ran its busiest blocks (128
     * instructions) decoded for all of their 100,000 runs, 13 million instructions each.
     */
    final int heatPerRun;
    boolean failed;
    /** The bytes as decoded, found in RAM at {@link #codeOffset} (a plain array: a boot keeps tens of thousands of entries). */
    byte[] code;
    long codeOffset;
    /** Once compiled: the most instructions the region retires before its first budget check. */
    int entryRun;
    /** The translator's fence epoch in which {@link #code} last matched RAM. */
    long epoch;
    /** Next entry in the same hash bucket. */
    Translation next;
    /**
     * The decoded successor last found after each of this block's exits (slot 0: its end; see
     * {@link DecodedBlock#EXIT_SHIFT}), valid in the runtime's link epoch {@link #linksEpoch};
     * made at the first link.
     */
    private Translation[] links;
    private int linksEpoch;
    /**
     * Distinct targets in this block's page that its final computed jump (a JR that is not a
     * return) was seen to go to while the block interpreter ran it (up to
     * {@link #MAX_JUMP_TARGETS}); null while none was. A region compiled over this page predicts
     * that jump to them.
     */
    private long[] jumpTargets;
    private int jumpTargetCount;

    /** The most distinct computed-jump targets kept per block (a switch's cases, say). */
    static final int MAX_JUMP_TARGETS = 16;

    /** An entry for {@code block}, an extended block: the block interpreter runs all of it, the compiler its basic block. */
    Translation(long pc, long offset, GuestBlock block, long epoch) {
        this.pc = pc;
        this.offset = offset;
        this.length = block.basicBlockSize();
        this.decoded = DecodedBlock.encode(block);
        this.decodedEnd = decoded == null ? pc : DecodedBlock.pcOf(pc, decoded, decoded.length);
        this.heatPerRun = 1 + (decoded == null ? length : decoded.length) / INSTRUCTIONS_PER_HEAT;
        this.code = block.code();
        this.codeOffset = offset;
        this.epoch = epoch;
    }

    public long pc() {
        return pc;
    }

    public long offset() {
        return offset;
    }

    /** Instructions in the block; 0 when the first instruction is not translated. */
    public int length() {
        return length;
    }

    /**
     * The budget a run of the compiled region needs at least: it may retire this many
     * instructions before it checks the budget.
     */
    public int entryRun() {
        return entryRun;
    }

    /**
     * The extended block's instructions in {@link DecodedBlock}'s form for the block
     * interpreter (not to be modified), or null (then the interpreter runs it).
     */
    public long[] decoded() {
        return decoded;
    }

    /** The pc after the decoded instructions: the fall-through and the link value of a final jump. */
    public long decodedEnd() {
        return decodedEnd;
    }

    /**
     * The entry linked (by {@link #link}) as where exit {@code slot} of this block led, if it is
     * at {@code pc}, RAM offset {@code offset}, and the link was made in the runtime's link
     * epoch {@code epoch}; else null.
     */
    public Translation linked(int slot, long pc, long offset, int epoch) {
        if (linksEpoch != epoch || links == null) {
            return null;
        }
        Translation s = links[slot];
        return s != null && s.pc == pc && s.offset == offset ? s : null;
    }

    /**
     * Remembers {@code successor} (an entry found through the code cache) as where exit
     * {@code slot} of this decoded block led, for the link epoch {@code epoch}; the links of an
     * older epoch are forgotten. A computed jump's slot keeps the last target only.
     */
    public void link(int slot, Translation successor, int epoch) {
        if (links == null) {
            links = new Translation[DecodedBlock.exitSlots(decoded)];
        } else if (linksEpoch != epoch) {
            java.util.Arrays.fill(links, null);
        }
        linksEpoch = epoch;
        links[slot] = successor;
    }

    /**
     * Notes that this block's final computed jump went to {@code target} (called when the
     * block interpreter's link for it missed, so a target seen once before costs nothing).
     */
    public void noteJumpTarget(long target) {
        if (((target ^ pc) >>> 12) != 0) {
            return; // regions are one page
        }
        if (jumpTargets == null) {
            jumpTargets = new long[4];
        }
        for (int k = 0; k < jumpTargetCount; k++) {
            if (jumpTargets[k] == target) {
                return;
            }
        }
        if (jumpTargetCount == MAX_JUMP_TARGETS) {
            return;
        }
        if (jumpTargetCount == jumpTargets.length) {
            jumpTargets = java.util.Arrays.copyOf(jumpTargets, MAX_JUMP_TARGETS);
        }
        jumpTargets[jumpTargetCount++] = target;
    }

    /** The targets noted by {@link #noteJumpTarget}, in the order first seen (empty if none). */
    long[] jumpTargets() {
        return jumpTargets == null ? new long[0] : java.util.Arrays.copyOf(jumpTargets, jumpTargetCount);
    }

    /** The compiled region, or null while it is not (yet) compiled. */
    public TranslatedBlock block() {
        return block;
    }
}

package dev.jvmm.cpu.riscv.translate;

import java.lang.foreign.MemorySegment;

/**
 * The code cache's entry for one block start: virtual pc and RAM offset (the key), the length
 * of its basic block in instructions, and its compiled form once it is hot: a region entered
 * here (see {@link GuestRegion}). Until then the runtime interprets exactly {@link #length()}
 * instructions for it, so the dispatcher keeps meeting block starts. It also keeps the bytes
 * it was decoded from (the block's, then the whole region's) and the fence epoch in which they
 * were last known to match RAM. Owned by one hart's thread.
 */
public final class Translation {

    final long pc;
    final long offset;
    int length;
    TranslatedBlock block;
    int heat;
    boolean failed;
    /** The bytes as decoded (heap segment), found in RAM at {@link #codeOffset}. */
    MemorySegment code;
    long codeOffset;
    /** Once compiled: the most instructions the region retires before its first budget check. */
    int entryRun;
    /** The translator's fence epoch in which {@link #code} last matched RAM. */
    long epoch;
    /** Next entry in the same hash bucket. */
    Translation next;

    Translation(long pc, long offset, GuestBlock decoded, long epoch) {
        this.pc = pc;
        this.offset = offset;
        this.length = decoded.size();
        this.code = MemorySegment.ofArray(decoded.code());
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

    /** The compiled region, or null while it is not (yet) compiled. */
    public TranslatedBlock block() {
        return block;
    }
}

package dev.jvmm.cpu.riscv.translate;

import java.lang.foreign.MemorySegment;

/**
 * The code cache's entry for one block start: virtual pc and RAM offset (the key), its length
 * in instructions, and its compiled form once it is hot. Until then the runtime interprets
 * exactly {@link #length()} instructions for it, so the dispatcher keeps meeting block starts.
 * It also keeps the bytes it was decoded from and the fence epoch in which they were last
 * known to match RAM. Owned by one hart's thread.
 */
public final class Translation {

    final long pc;
    final long offset;
    int length;
    TranslatedBlock block;
    int heat;
    boolean failed;
    /** The block's bytes as decoded (heap segment). */
    MemorySegment code;
    /** The translator's fence epoch in which {@link #code} last matched RAM. */
    long epoch;
    /** Next entry in the same hash bucket. */
    Translation next;

    Translation(long pc, long offset, GuestBlock decoded, long epoch) {
        this.pc = pc;
        this.offset = offset;
        this.length = decoded.size();
        this.code = MemorySegment.ofArray(decoded.code());
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

    /** The compiled block, or null while it is not (yet) compiled. */
    public TranslatedBlock block() {
        return block;
    }
}

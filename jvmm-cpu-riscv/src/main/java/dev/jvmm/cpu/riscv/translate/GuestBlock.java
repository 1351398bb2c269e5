package dev.jvmm.cpu.riscv.translate;

import java.util.List;

/**
 * Straight-line guest code starting at virtual {@code pc} (RAM offset {@code offset}); only the
 * last instruction may transfer control, except in an extended block, where conditional
 * branches may come earlier too (see {@link BlockDecoder#decode(java.lang.foreign.MemorySegment,
 * long, long, int, boolean)}). {@code nextPc} is the pc after the last instruction; {@code code}
 * holds the instructions' bytes as they were decoded (not to be modified).
 */
public record GuestBlock(long pc, long offset, List<Instruction> instructions, long nextPc, byte[] code) {

    /**
     * One instruction: its pc, its 32-bit form (compressed ones expanded) and its length in bytes.
     */
    public record Instruction(long pc, int insn, int length) {
        public long nextPc() {
            return pc + length;
        }
    }

    public int size() {
        return instructions.size();
    }

    /** Instructions up to and including the first branch or jump: the basic block at the start of an extended block. */
    public int basicBlockSize() {
        for (int k = 0; k < instructions.size(); k++) {
            if (BlockDecoder.isControlTransfer(instructions.get(k).insn())) {
                return k + 1;
            }
        }
        return instructions.size();
    }

    /** Whether the block ends with a branch or jump (otherwise it falls through to {@code nextPc}). */
    public boolean endsWithControlTransfer() {
        return !instructions.isEmpty() && BlockDecoder.isControlTransfer(instructions.getLast().insn());
    }
}

package dev.jvmm.cpu.riscv.translate;

import java.util.List;

/**
 * Straight-line guest code starting at virtual {@code pc} (RAM offset {@code offset}); only the
 * last instruction may transfer control. {@code nextPc} is the pc after the last instruction;
 * {@code code} holds the instructions' bytes as they were decoded (not to be modified).
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

    /** Whether the block ends with a branch or jump (otherwise it falls through to {@code nextPc}). */
    public boolean endsWithControlTransfer() {
        return !instructions.isEmpty() && BlockDecoder.isControlTransfer(instructions.getLast().insn());
    }
}

package dev.jvmm.cpu.riscv.translate;

import java.lang.classfile.CodeBuilder;

/**
 * What an instruction-family emitter (such as {@link FloatEmitter}) needs from the emitter of
 * the block or region it is part of: the code being built, the integer registers (held in
 * locals), its exits and its inline memory accesses with their slow paths.
 */
interface BlockContext {

    CodeBuilder code();

    /** Pushes integer register {@code reg} (0 for x0) as a long. */
    void pushX(int reg);

    /** Pops a long into integer register {@code rd} (discarded for x0). */
    void popX(int rd);

    /**
     * Leaves the compiled code to {@code pc}: writes back the registers it may have written, sets
     * the pc and returns the running retired count plus {@code count}.
     */
    void exit(long pc, int count);

    /**
     * Loads {@code size} bytes at {@code x[rs1] + imm} for instruction {@code k} (at
     * {@code pc}, next {@code npc}) and runs {@code complete}, which consumes the long whose low
     * {@code size} bytes are the data and finishes the instruction. It may be emitted twice: a
     * slow path whose page walk wrote translated code completes the instruction and leaves.
     */
    void loadRaw(int k, long pc, long npc, int rs1, long imm, int size, Runnable complete);

    /**
     * Stores the low {@code size} bytes of the long {@code value} pushes at {@code x[rs1] + imm}
     * for instruction {@code k} (at {@code pc}, next {@code npc}).
     */
    void storeRaw(int k, long pc, long npc, int rs1, long imm, int size, Runnable value);
}

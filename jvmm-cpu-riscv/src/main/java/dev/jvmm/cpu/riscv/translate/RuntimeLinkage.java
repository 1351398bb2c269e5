package dev.jvmm.cpu.riscv.translate;

import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.DynamicConstantDesc;
import java.lang.constant.MethodTypeDesc;

/**
 * The members of the hart's package that generated code touches, in one place. They are
 * package-private there; generated classes are defined in that package and so may use them.
 */
final class RuntimeLinkage {

    private RuntimeLinkage() {
    }

    static final String PACKAGE = "dev.jvmm.cpu.riscv";

    static final ClassDesc RUNTIME = ClassDesc.of(PACKAGE, "JitRuntime");
    static final ClassDesc MMU = ClassDesc.of(PACKAGE, "Mmu");
    static final ClassDesc INTERPRETER = ClassDesc.of(PACKAGE, "Interpreter");

    static final ClassDesc LONG_ARRAY = ConstantDescs.CD_long.arrayType();
    static final ClassDesc DIRECT_RAM = ClassDesc.of("dev.jvmm.memory.DirectRam");
    static final ClassDesc ARITHMETIC = ClassDesc.of(GuestArithmetic.class.getName());
    static final ClassDesc TRANSLATED_BLOCK = ClassDesc.of(TranslatedBlock.class.getName());

    // Every generated class's class data: a list of the hart's constants, by index (see HartConstants).
    /** The hart's {@code JitRuntime}: slow paths, chaining fields. */
    static final int CLASS_DATA_RUNTIME = 0;
    /** The hart's {@code Interpreter}: the pc. */
    static final int CLASS_DATA_INTERPRETER = 1;
    /** Guest RAM, as the {@code DirectRam} that loads and stores (which mark dirty pages) go through. */
    static final int CLASS_DATA_RAM = 2;
    /** The x register file (long[32]). */
    static final int CLASS_DATA_X = 3;
    /** The f register file (long[32]). */
    static final int CLASS_DATA_F = 4;
    static final int CLASS_DATA_CSRS = 5;
    static final int CLASS_DATA_FPU = 6;
    static final int CLASS_DATA_MMU = 7;
    /** The data TLB arrays of the privilege the block was compiled in (tag and add per entry side by side). */
    static final int CLASS_DATA_LOAD_TLB = 8;
    static final int CLASS_DATA_STORE_TLB = 9;

    /** Element {@code index} of the class data, of type {@code type}, as a constant. */
    static DynamicConstantDesc<Object> classData(int index, ClassDesc type) {
        return DynamicConstantDesc.ofNamed(ConstantDescs.BSM_CLASS_DATA_AT, ConstantDescs.DEFAULT_NAME, type, index);
    }

    // Chaining (see TranslatedBlock): the count retired by the callers of the running block;
    // the block and link slot of the exit that returns to the dispatcher.
    static final String CHAINED = "chained";
    static final String EXIT_BLOCK = "exitBlock";
    static final String EXIT_SLOT = "exitSlot";

    // Mmu: the current (privilege-selected) load TLB, which a block compares with its own.
    static final String CURRENT_LOAD_TLB = "loadTlb";

    static final String PC = "pc";

    /** long loadSlow(long va, int size, long pc, int retired): zero-extended value. */
    static final MethodTypeDesc LOAD_SLOW = MethodTypeDesc.of(ConstantDescs.CD_long, ConstantDescs.CD_long,
            ConstantDescs.CD_int, ConstantDescs.CD_long, ConstantDescs.CD_int);
    /** void storeSlow(long va, int size, long value, long pc, int retired). */
    static final MethodTypeDesc STORE_SLOW = MethodTypeDesc.of(ConstantDescs.CD_void, ConstantDescs.CD_long,
            ConstantDescs.CD_int, ConstantDescs.CD_long, ConstantDescs.CD_long, ConstantDescs.CD_int);
    /** long atomic(int insn, long va, long src, long pc, int retired): rd's value; then field codeWritten. */
    static final MethodTypeDesc ATOMIC = MethodTypeDesc.of(ConstantDescs.CD_long, ConstantDescs.CD_int,
            ConstantDescs.CD_long, ConstantDescs.CD_long, ConstantDescs.CD_long, ConstantDescs.CD_int);
    static final String CODE_WRITTEN = "codeWritten";
    /** TranslatedBlock chainTarget(long pc): the compiled block to call at a target without a link slot, or NONE. */
    static final MethodTypeDesc CHAIN_TARGET = MethodTypeDesc.of(TRANSLATED_BLOCK, ConstantDescs.CD_long);
    /** static long Interpreter.multiplyDivide(int funct3, long a, long b). */
    static final MethodTypeDesc MULTIPLY_DIVIDE = MethodTypeDesc.of(ConstantDescs.CD_long, ConstantDescs.CD_int,
            ConstantDescs.CD_long, ConstantDescs.CD_long);

    // F and D: the hart's Csrs (mstatus, frm) and Fpu instance (class data), and FloatUnit's
    // static NaN-boxing helpers.
    static final ClassDesc CSRS = ClassDesc.of(PACKAGE, "Csrs");
    static final ClassDesc FPU = ClassDesc.of(PACKAGE, "Fpu");
    static final ClassDesc FLOAT_UNIT = ClassDesc.of(PACKAGE, "FloatUnit");
    static final String MSTATUS = "mstatus";
    static final String FRM = "frm";
    static final String FLAGS = "flags";
}

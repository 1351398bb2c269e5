package dev.jvmm.cpu.riscv;

/** How a {@link Hart} executes guest code. */
public enum Engine {
    /** Decode and execute one instruction at a time: the reference. */
    INTERPRETER,
    /** Translate hot basic blocks to JVM bytecode (see {@link dev.jvmm.cpu.riscv.translate}); the interpreter runs the rest. */
    JIT
}

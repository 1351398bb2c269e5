package dev.jvmm.cpu.riscv.translate;

/**
 * RV64M word division as the interpreter defines it (division by zero and overflow give the
 * ISA's results, never an exception); called by generated code.
 */
public final class GuestArithmetic {

    private GuestArithmetic() {
    }

    public static int divw(int a, int b) {
        return b == 0 ? -1 : a / b;
    }

    public static int divuw(int a, int b) {
        return b == 0 ? -1 : Integer.divideUnsigned(a, b);
    }

    public static int remw(int a, int b) {
        return b == 0 ? a : a % b;
    }

    public static int remuw(int a, int b) {
        return b == 0 ? a : Integer.remainderUnsigned(a, b);
    }
}

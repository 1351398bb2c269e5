package dev.jvmm.machine.firmware;

/** An SBI call's result: {@code error} goes to a0, {@code value} to a1. */
public record SbiRet(long error, long value) {

    public static SbiRet success(long value) {
        return new SbiRet(Sbi.SUCCESS, value);
    }

    public static SbiRet error(long error) {
        return new SbiRet(error, 0);
    }
}

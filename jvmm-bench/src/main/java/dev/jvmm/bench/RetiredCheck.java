package dev.jvmm.bench;

/**
 * Guards a score in ns per guest instruction: the benchmark divides by the budget it asked
 * for, so every {@code Hart.run(budget)} must have retired (about) that many instructions.
 */
final class RetiredCheck {

    private final long budget;
    private long calls;
    private long retired;

    RetiredCheck(long budget) {
        this.budget = budget;
    }

    long note(long n) {
        calls++;
        retired += n;
        return n;
    }

    /** Throws if this iteration's runs retired more than 1 % fewer or more instructions than asked. */
    void verify(String what) {
        long asked = calls * budget;
        if (calls > 0 && Math.abs(retired - asked) > asked / 100) {
            throw new IllegalStateException(what + ": " + calls + " runs of " + budget + " retired " + retired
                    + " instructions: the score per instruction would be wrong");
        }
        calls = 0;
        retired = 0;
    }
}

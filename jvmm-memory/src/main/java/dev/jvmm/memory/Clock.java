package dev.jvmm.memory;

/**
 * The machine's timebase: {@code mtime} in the CLINT and the {@code time} CSR of every hart
 * read the same clock, so they can never disagree.
 */
public interface Clock {

    /** The {@code virt} board's timebase: 10 MHz, as QEMU's. */
    long VIRT_FREQUENCY = 10_000_000L;

    /** Ticks per second. */
    long frequency();

    /** The current time in ticks; monotonic. */
    long ticks();

    /**
     * Host nanoseconds from now until the clock reads {@code ticks} (0 if it already has).
     * Timers use this to sleep until a deadline.
     */
    long nanosUntil(long ticks);
}

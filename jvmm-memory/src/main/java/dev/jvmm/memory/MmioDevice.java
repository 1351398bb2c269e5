package dev.jvmm.memory;

/**
 * A device register window on the physical bus.
 *
 * <p>Offsets are relative to the start of the device's region and sizes are 1, 2, 4 or 8
 * bytes. A device must tolerate any offset and size the guest chooses: reads of
 * unimplemented registers return 0 and writes to them are ignored. Accesses may arrive
 * from several hart threads at once, so a device synchronises its own state.
 */
public interface MmioDevice {

    /** Reads {@code size} bytes at {@code offset}, zero-extended into the returned value. */
    long read(long offset, int size);

    /** Writes the low {@code size} bytes of {@code value} at {@code offset}. */
    void write(long offset, int size, long value);
}

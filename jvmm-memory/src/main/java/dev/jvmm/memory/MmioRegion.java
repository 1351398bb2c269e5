package dev.jvmm.memory;

/** One device's window on the physical bus: {@code [base, base + size)}. */
public record MmioRegion(long base, long size, MmioDevice device) {

    public MmioRegion {
        if (size <= 0 || base + size < base) {
            throw new IllegalArgumentException("bad MMIO region at 0x%x size 0x%x".formatted(base, size));
        }
    }

    /** Whether the whole access {@code [address, address + length)} lies in this region. */
    public boolean contains(long address, long length) {
        return address >= base && length >= 0 && address - base <= size - length;
    }
}

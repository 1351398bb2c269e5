package dev.jvmm.machine.boot;

/**
 * Bytes to place at a guest physical address: {@code data} first, then zeros up to
 * {@code memorySize} (an ELF segment's BSS, a kernel image's uninitialised tail).
 */
public record Segment(long address, byte[] data, long memorySize) {

    public Segment {
        if (memorySize < data.length) {
            throw new IllegalArgumentException("segment memory size smaller than its data");
        }
        if (Long.compareUnsigned(address + memorySize, address) < 0) {
            throw new IllegalArgumentException("segment wraps around the address space");
        }
    }

    /** The same address and size without the bytes. */
    public Segment placementOnly() {
        return new Segment(address, new byte[0], memorySize);
    }

    /** One past the last byte the segment occupies. */
    public long end() {
        return address + memorySize;
    }
}

package dev.jvmm.machine.boot;

import java.lang.foreign.MemorySegment;

/**
 * Bytes to place at a guest physical address: {@code data} first, then zeros up to
 * {@code memorySize} (an ELF segment's BSS, a kernel image's uninitialised tail). The data
 * may be a mapped file, valid while the arena it was read in is open.
 */
public record Segment(long address, MemorySegment data, long memorySize) {

    public Segment {
        if (memorySize < data.byteSize()) {
            throw new IllegalArgumentException("segment memory size smaller than its data");
        }
        if (Long.compareUnsigned(address + memorySize, address) < 0) {
            throw new IllegalArgumentException("segment wraps around the address space");
        }
    }

    /** Bytes held in the heap. */
    public Segment(long address, byte[] data, long memorySize) {
        this(address, MemorySegment.ofArray(data), memorySize);
    }

    /** The same address and size without the bytes. */
    public Segment placementOnly() {
        return new Segment(address, MemorySegment.NULL, memorySize);
    }

    /** One past the last byte the segment occupies. */
    public long end() {
        return address + memorySize;
    }
}

package dev.jvmm.machine.fdt;

/** One entry of the DTB's memory reservation block: physical memory the OS must not use. */
public record MemoryReservation(long address, long size) {

    public MemoryReservation {
        if (size == 0) {
            throw new IllegalArgumentException("a memory reservation of size 0 would end the reservation map");
        }
    }
}

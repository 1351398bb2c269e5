package dev.jvmm.cpu.riscv;

import dev.jvmm.memory.GuestMemory;

/** Writes Sv39/Sv48 page tables into guest RAM for MMU tests. */
final class PageTableBuilder {

    static final long V = 1;
    static final long R = 2;
    static final long W = 4;
    static final long X = 8;
    static final long U = 16;
    static final long G = 32;
    static final long A = 64;
    static final long D = 128;

    private final GuestMemory ram;
    private final int levels;
    private final long root;
    private long next;

    PageTableBuilder(GuestMemory ram, int levels, long tableArea) {
        this.ram = ram;
        this.levels = levels;
        this.next = tableArea;
        this.root = allocate();
    }

    private long allocate() {
        long page = next;
        next += GuestMemory.PAGE_SIZE;
        ram.zero(page, GuestMemory.PAGE_SIZE);
        return page;
    }

    /** Maps {@code va} to {@code pa} with a leaf at {@code leafLevel} (0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB ...). */
    PageTableBuilder map(long va, long pa, long flags, int leafLevel) {
        ram.writeLong(pteAddress(va, leafLevel), ((pa >>> 12) << 10) | flags | V);
        return this;
    }

    long pteAddress(long va, int leafLevel) {
        long table = root;
        for (int level = levels - 1; level > leafLevel; level--) {
            long entry = table + index(va, level) * 8;
            long pte = ram.readLong(entry);
            if ((pte & V) == 0) {
                long t = allocate();
                ram.writeLong(entry, ((t >>> 12) << 10) | V);
                table = t;
            } else {
                table = (pte >>> 10) << 12;
            }
        }
        return table + index(va, leafLevel) * 8;
    }

    long pte(long va, int leafLevel) {
        return ram.readLong(pteAddress(va, leafLevel));
    }

    private static long index(long va, int level) {
        return (va >>> (12 + 9 * level)) & 0x1ff;
    }

    long satp() {
        long mode = levels == 3 ? 8 : 9;
        return (mode << 60) | (root >>> 12);
    }
}

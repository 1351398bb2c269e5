package dev.jvmm.cpu.riscv.translate;

/**
 * What the translator tests share to run guest code in S-mode under Sv39: the machine-mode
 * prologue and page-table entries (written with {@link Lockstep#writeLong}).
 */
final class Sv39Setup {

    /** Valid, readable, writable, executable, accessed, dirty (a supervisor leaf). */
    static final int LEAF = 0xcf;
    /** Valid, pointing to the next level. */
    static final int POINTER = 0x01;
    /** Where the tests keep their Sv39 root table. */
    static final long ROOT = 0x8020_0000L;

    private Sv39Setup() {
    }

    /**
     * Machine-mode code: traps go to label {@code handler}, PMP opens all memory, satp = Sv39
     * rooted at {@code root}, MPP = S and the mstatus bits {@code mstatusBits} (0x800 for MPP = S,
     * plus e.g. FS), mepc = label {@code supervisor} + {@code offset}. The caller adds the mret
     * (after any further machine-mode setup).
     */
    static String machineSetup(long root, long mstatusBits, long offset) {
        String mepc = offset == 0 ? "" : """
                li   t1, %d
                add  t0, t0, t1
            """.formatted(offset);
        return """
                la   t0, handler
                csrw mtvec, t0
                li   t0, -1
                csrw pmpaddr0, t0
                li   t0, 0x1f
                csrw pmpcfg0, t0
                li   t0, (8 << 60) | (%d >> 12)
                csrw satp, t0
                li   t0, 0x1800
                csrc mstatus, t0
                li   t0, %d
                csrs mstatus, t0
                la   t0, supervisor
            """.formatted(root, mstatusBits) + mepc + """
                csrw mepc, t0
            """;
    }

    /** {@link #machineSetup} with the root at {@link #ROOT}, plain S-mode and no offset, then mret. */
    static String enterSupervisor() {
        return machineSetup(ROOT, 0x800, 0) + "    mret\n";
    }

    /** A PTE for physical address {@code pa} with the low flag bits {@code flags}. */
    static long pte(long pa, int flags) {
        return ((pa >>> 12) << 10) | flags;
    }

    /** Maps the 1 GiB page {@code index} of the root table at {@link #ROOT} to {@code pa} as a {@link #LEAF}. */
    static void mapGigapage(Lockstep l, int index, long pa) {
        l.writeLong(ROOT + 8L * index, pte(pa, LEAF));
    }
}

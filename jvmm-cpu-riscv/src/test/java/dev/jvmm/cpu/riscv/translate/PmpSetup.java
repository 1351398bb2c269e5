package dev.jvmm.cpu.riscv.translate;

/**
 * Machine-mode code the translator tests share to run guest code where PMP denies S- and U-mode
 * one page (M-mode, which no lock applies to, may still use it).
 */
final class PmpSetup {

    private PmpSetup() {
    }

    /**
     * Traps go to label {@code handler}; PMP entry 0 covers the 4 KiB page at {@code page} with no
     * permissions, entry 1 all memory with every permission.
     */
    static String denyPageBelowMachineMode(long page) {
        return """
                la   t0, handler
                csrw mtvec, t0
                li   t0, %d
                csrw pmpaddr0, t0
                li   t0, -1
                csrw pmpaddr1, t0
                li   t0, 0x1f18
                csrw pmpcfg0, t0
            """.formatted((page >>> 2) | 0x1ff);
    }

    /** Enters S-mode at label {@code supervisor}, leaving satp as it is (bare after reset). */
    static String enterSupervisor() {
        return """
                li   t0, 0x1800
                csrc mstatus, t0
                li   t0, 0x800
                csrs mstatus, t0
                la   t0, supervisor
                csrw mepc, t0
                mret
            """;
    }
}

package dev.jvmm.cpu.riscv;

/**
 * Firmware written in Java that answers S-mode ECALLs (the SBI) in place of M-mode code.
 * Called on the hart's own thread with the hart stopped at the ECALL; the handler reads
 * arguments from a0..a7 and writes results to a0/a1. The hart then resumes at pc + 4.
 */
@FunctionalInterface
public interface SupervisorCallHandler {

    void onSupervisorCall(Hart hart);
}

package dev.jvmm.machine.firmware;

import dev.jvmm.machine.ExitReason;
import dev.jvmm.memory.GuestMemory;

/**
 * What the built-in SBI needs from the board. The machine implements it with its harts,
 * CLINT and console; tests implement it with fakes.
 */
public interface SbiPlatform {

    /** Guest RAM, for the debug console's buffers. */
    GuestMemory memory();

    /** Programs hart {@code hart}'s timer compare value (the CLINT's mtimecmp, wired to STIP). */
    void setTimer(int hart, long stimeValue);

    /** Makes a supervisor software interrupt pending on {@code hart} (an IPI). */
    void sendSupervisorSoftwareInterrupt(int hart);

    /** Drops {@code hart}'s cached translations and decoded instructions (remote FENCE.I / SFENCE.VMA). */
    void remoteFence(int hart);

    /** Makes {@code hart}'s current run slice end after this call, so its loop sees a new HSM state. */
    void leaveRun(int hart);

    /** Ends the machine with {@code reason} (first reason wins). */
    void systemReset(ExitReason reason);

    /** Writes to the console the UART also writes to. */
    void consoleWrite(byte[] data, int offset, int length);

    /** A byte typed on the console, or -1 if there is none. */
    int consoleRead();
}

package dev.jvmm.machine;

import java.io.OutputStream;

/** STUB: QEMU's {@code virt} board in jvmm. The implementation replaces the bodies. */
public final class VirtMachine implements AutoCloseable {

    /**
     * Builds the board: RAM, devices, device tree, images loaded. The guest's serial output
     * goes to {@code consoleOutput}. Throws with a one-line message for bad input (missing
     * or non-RISC-V kernel, memory too small for the images, ...).
     */
    public static VirtMachine create(MachineConfig config, OutputStream consoleOutput) throws MachineException {
        throw new UnsupportedOperationException("stub");
    }

    /** Bytes typed by the user, for the guest's serial console; blocks while the console's input buffer is full. */
    public void sendConsoleInput(byte[] data, int offset, int length) throws InterruptedException {
        throw new UnsupportedOperationException("stub");
    }

    /** Runs the guest on this and the harts' threads until it stops; returns why. */
    public ExitReason run() throws InterruptedException {
        throw new UnsupportedOperationException("stub");
    }

    /** Asks a running machine to stop; {@link #run()} then returns {@link ExitReason.Stopped}. */
    public void requestStop(String why) {
        throw new UnsupportedOperationException("stub");
    }

    @Override
    public void close() {
    }
}

package dev.jvmm.cli;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import dev.jvmm.cli.control.ControlledMachine;
import dev.jvmm.machine.MachineException;
import dev.jvmm.machine.RunStatus;
import dev.jvmm.machine.VirtMachine;
import dev.jvmm.machine.migration.Migration;

/**
 * The control socket's view of whichever {@link VirtMachine} the {@link GuestRunner} runs now
 * (a reboot brings a new one; while none exists, it reports {@code prelaunch} and refuses the rest).
 */
final class VirtMachineControl implements ControlledMachine {

    private final AtomicReference<VirtMachine> current;
    private final Runnable quit;

    VirtMachineControl(AtomicReference<VirtMachine> current, Runnable quit) {
        this.current = current;
        this.quit = quit;
    }

    private VirtMachine machine() throws MachineException {
        VirtMachine m = current.get();
        if (m == null) {
            throw new MachineException("there is no machine at the moment (it is starting, restarting or arriving)");
        }
        return m;
    }

    @Override
    public RunStatus status() {
        VirtMachine m = current.get();
        return m == null ? RunStatus.PRELAUNCH : m.status();
    }

    @Override
    public void pause() throws MachineException, InterruptedException {
        machine().pause();
    }

    @Override
    public void resume() throws MachineException {
        machine().resume();
    }

    @Override
    public void saveSnapshot(Path dir, boolean stayPaused) throws MachineException, InterruptedException {
        machine().saveSnapshot(dir, stayPaused);
    }

    @Override
    public Migration migrate(String host, int port) throws MachineException {
        return machine().migrate(host, port);
    }

    @Override
    public Optional<Migration> migration() {
        VirtMachine m = current.get();
        return m == null ? Optional.empty() : m.migration();
    }

    /** QEMU's {@code virt} board has no power button, and {@link VirtMachine} offers no other polite request. */
    @Override
    public boolean powerDown() {
        return false;
    }

    @Override
    public void quit() {
        quit.run();
    }
}

package dev.jvmm.cli;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import dev.jvmm.cli.control.TcpUri;
import dev.jvmm.machine.MachineConfig;
import dev.jvmm.machine.RestoreOptions;
import dev.jvmm.machine.VirtMachine;

/** Where the {@link GuestRunner}'s machines come from: booted, restored from a snapshot, or arriving by migration. */
interface MachineSource {

    /**
     * The machine to run first. May block (an incoming migration); the runner interrupts the
     * thread if the user quits meanwhile.
     */
    VirtMachine first(OutputStream console, Messages messages) throws Exception;

    /** A fresh machine after the guest rebooted, or empty if there is nothing to boot again (then jvmm stops). */
    Optional<VirtMachine> afterReboot(OutputStream console) throws Exception;

    /** Boots {@code config}, and boots it again after every guest reboot ({@code jvmm run}). */
    static MachineSource boot(MachineConfig config) {
        return new MachineSource() {
            @Override
            public VirtMachine first(OutputStream console, Messages messages) throws Exception {
                return VirtMachine.create(config, console);
            }

            @Override
            public Optional<VirtMachine> afterReboot(OutputStream console) throws Exception {
                return Optional.of(VirtMachine.create(config, console));
            }
        };
    }

    /**
     * Restores the snapshot in {@code dir} ({@code jvmm restore}) and reports how long it took
     * from {@code commandStart} until the guest can run. A restored machine has no boot
     * configuration, so a guest reboot ends it.
     */
    static MachineSource restore(Path dir, RestoreOptions options, Instant commandStart) {
        return new MachineSource() {
            @Override
            public VirtMachine first(OutputStream console, Messages messages) throws Exception {
                VirtMachine machine = VirtMachine.restore(dir, options, console);
                messages.line("restored in " + Duration.between(commandStart, Instant.now()).toMillis() + " ms");
                return machine;
            }

            @Override
            public Optional<VirtMachine> afterReboot(OutputStream console) {
                return Optional.empty();
            }
        };
    }

    /** Waits for a migration on {@code listen} ({@code jvmm run --incoming}); as for restore, a reboot ends it. */
    static MachineSource incoming(TcpUri uri, InetSocketAddress listen) {
        return new MachineSource() {
            @Override
            public VirtMachine first(OutputStream console, Messages messages) throws Exception {
                // VirtMachine.incoming says "waiting for a migration on ..." once it listens.
                return VirtMachine.incoming(listen, console, messages::line);
            }

            @Override
            public Optional<VirtMachine> afterReboot(OutputStream console) {
                return Optional.empty();
            }
        };
    }
}

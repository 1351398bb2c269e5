package dev.jvmm.cli;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import dev.jvmm.cli.control.QmpServer;
import dev.jvmm.machine.ExitReason;
import dev.jvmm.machine.VirtMachine;

/**
 * Runs one guest until jvmm should exit, the same way for {@code run}, {@code run --incoming} and
 * {@code restore}: the console (raw terminal and Ctrl-A escapes when the guest reads the
 * keyboard), the control socket if asked for, a fresh machine after a guest reboot when the
 * {@link MachineSource} can make one, and the exit status from {@link ExitStatus}.
 *
 * <p>Quitting (Ctrl-A x, or {@code quit} on the control socket) stops the running machine, or
 * interrupts the wait for the first one (an incoming migration; the terminal is not raw yet then,
 * so Ctrl-C ends that wait too).
 */
final class GuestRunner {

    /** Something to do with a machine after it ran and before it is closed. */
    interface AfterRun {
        void accept(VirtMachine machine) throws Exception;
    }

    /** How long a machine that migrated away waits for control clients to read the outcome and leave. */
    static final Duration MIGRATED_LINGER = Duration.ofSeconds(3);

    private final MachineSource source;
    private final GuestConsole console;
    private final Optional<Path> control;
    private final PrintStream err;
    private final Messages messages;
    private final QmpServer.Version version;
    private AfterRun afterRun = m -> { };
    private Optional<QmpServer> server = Optional.empty();

    private final AtomicReference<VirtMachine> current = new AtomicReference<>();
    private final AtomicBoolean quit = new AtomicBoolean();
    private final AtomicReference<String> quitBy = new AtomicReference<>();
    private final Object acquiring = new Object();
    private Thread acquiringThread;

    /** {@code label}: empty, or {@code "[clone N] "} to mark this guest's messages. */
    GuestRunner(MachineSource source, GuestConsole console, Optional<Path> control, PrintStream err, String label) {
        this.source = source;
        this.console = console;
        this.control = control;
        this.err = err;
        this.messages = new Messages(err, label);
        this.version = QmpServer.Version.of(Jvmm.class.getPackage().getImplementationVersion());
    }

    GuestRunner afterRun(AfterRun action) {
        this.afterRun = action;
        return this;
    }

    /**
     * Opens the control socket now, if one was asked for, so that a bad path is reported before
     * any guest starts; {@link #run()} otherwise opens it first thing. {@link #closeControl()}
     * undoes it for a runner that will not run.
     */
    void openControl() throws UsageException {
        if (control.isEmpty() || server.isPresent()) {
            return;
        }
        try {
            server = Optional.of(QmpServer.start(control.get(),
                    new VirtMachineControl(current, () -> quit("host-qmp-quit")), version));
        } catch (IOException e) {
            throw new UsageException("--control " + e.getMessage());
        }
    }

    /** Stops listening on the control socket and removes it. */
    void closeControl() {
        server.ifPresent(QmpServer::close);
    }

    /** Runs the guest (and its successors after reboots); prints the closing message; returns the exit status. */
    int run() throws Exception {
        openControl();
        try {
            // The terminal stays as it is until a machine exists: Ctrl-C still ends a long wait
            // for an incoming migration, and no keystroke is read for a machine that fails to start.
            VirtMachine first = acquireFirst();
            Optional<TerminalMode> raw = Optional.empty();
            ExitStatus.Exit exit;
            try {
                if (first != null && console.readsStdin()) {
                    raw = TerminalMode.enterRawIfTerminal();
                    messages.raw(raw.isPresent());
                    new ConsoleInput(new FileInputStream(FileDescriptor.in), raw.isPresent(), current,
                            () -> quit("host-ui"), err).start();
                }
                exit = runMachines(first);
            } finally {
                raw.ifPresent(TerminalMode::restore);
            }
            messages.raw(false);
            if (raw.isPresent() && exit.message().isPresent()) {
                err.println(); // the guest's last line may not have ended
            }
            exit.message().ifPresent(messages::message);
            return exit.status();
        } finally {
            closeControl();
        }
    }

    /** Runs {@code first} (none if the user quit before it existed) and the machines that follow reboots. */
    private ExitStatus.Exit runMachines(VirtMachine first) throws Exception {
        VirtMachine machine = first;
        while (machine != null) {
            ExitReason reason;
            current.set(machine);
            try {
                reason = quit.get() ? new ExitReason.Stopped("terminated") : machine.run();
                if (reason instanceof ExitReason.Migrated && server.isPresent()) {
                    // The source's last word: let `jvmm migrate` read "completed" before the socket goes.
                    server.get().awaitNoClients(MIGRATED_LINGER);
                }
                afterRun.accept(machine);
            } finally {
                current.set(null);
                machine.close();
            }
            switch (ExitStatus.of(reason, quit.get())) {
                case ExitStatus.Reboot r -> {
                    server.ifPresent(s -> s.emit("RESET", event(true, "guest-reset")));
                    machine = source.afterReboot(console.output()).orElse(null);
                    if (machine == null) {
                        return new ExitStatus.Exit(0, Optional.of("jvmm: the guest rebooted; a restored or migrated"
                                + " machine has no boot configuration to boot again, so jvmm stops"));
                    }
                }
                case ExitStatus.Exit exit -> {
                    shutdownEvent(reason).ifPresent(data -> server.ifPresent(s -> s.emit("SHUTDOWN", data)));
                    return exit;
                }
            }
        }
        return new ExitStatus.Exit(0, Optional.of("jvmm: terminated"));
    }

    /** The first machine, or null if the user quit while it was being made. */
    private VirtMachine acquireFirst() throws Exception {
        synchronized (acquiring) {
            if (quit.get()) {
                return null;
            }
            acquiringThread = Thread.currentThread();
        }
        try {
            return source.first(console.output(), messages);
        } catch (InterruptedException e) {
            if (quit.get()) {
                return null;
            }
            throw e;
        } finally {
            synchronized (acquiring) {
                acquiringThread = null;
                if (quit.get()) {
                    Thread.interrupted(); // a quit's interrupt that came too late must not hit run()
                }
            }
        }
    }

    /** Stops the guest and ends the run; {@code by} is the QMP shutdown reason. */
    private void quit(String by) {
        quitBy.compareAndSet(null, by);
        quit.set(true);
        VirtMachine m = current.get();
        if (m != null) {
            m.requestStop("terminated");
        }
        synchronized (acquiring) {
            if (acquiringThread != null) {
                acquiringThread.interrupt();
            }
        }
    }

    /** QMP's SHUTDOWN event data for why the machine stopped; none for a guest that migrated away. */
    private Optional<Map<String, Object>> shutdownEvent(ExitReason reason) {
        if (quit.get()) {
            return Optional.of(event(false, quitBy.get()));
        }
        return switch (reason) {
            case ExitReason.PowerOff p -> Optional.of(event(true, "guest-shutdown"));
            case ExitReason.GuestFailure f -> Optional.of(event(true, "guest-panic"));
            case ExitReason.Reboot r -> Optional.of(event(true, "guest-reset"));
            case ExitReason.Stopped s -> Optional.of(event(false, "host-error"));
            case ExitReason.Migrated m -> Optional.empty();
        };
    }

    private static Map<String, Object> event(boolean guest, String reason) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("guest", guest);
        data.put("reason", reason);
        return data;
    }
}

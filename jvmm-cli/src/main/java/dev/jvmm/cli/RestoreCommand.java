package dev.jvmm.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;

import dev.jvmm.machine.MachineException;
import dev.jvmm.machine.RestoreOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jvmm restore}: continues the guest saved in a snapshot directory, as {@code run} runs a
 * booted one; or, with {@code --clone N}, starts N clones of it in this one process.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Restore the snapshot in DIR (written by 'jvmm snapshot') and run the guest on from where it was saved;"
                + " the console and Ctrl-A escapes are as for 'jvmm run'. Prints how long it took from the start of the"
                + " command until the guest runs again.",
                "With --clone N, starts N clones of the saved guest in this process, each on its own machine with its own"
                + " MAC address and copy-on-write disks. Their console output is on this terminal, each line prefixed"
                + " [clone i], and keystrokes go to none of them (or with --console file:PATH clone i writes PATH.i);"
                + " with --control PATH clone i listens on PATH.i. jvmm exits when every clone has stopped, with the"
                + " highest of their exit statuses."})
final class RestoreCommand implements Callable<Integer> {

    static final int MAX_CLONES = 0x10000;

    @Parameters(index = "0", paramLabel = "DIR", description = "The snapshot directory.")
    Path dir;

    @Option(names = "--console", paramLabel = "stdio|file:PATH", defaultValue = "stdio",
            description = "Where the guest's serial console goes: this terminal (stdio), or appended to PATH"
                    + " (then standard input is not read) (default: ${DEFAULT-VALUE}).")
    String console;

    @Option(names = "--control", paramLabel = "PATH",
            description = "Listen for QMP-style control commands on a new owner-only Unix socket at PATH, as 'jvmm run --control'.")
    Path control;

    @Option(names = "--clone", paramLabel = "N",
            description = "Start N clones of the saved guest instead of the guest itself (1 to " + MAX_CLONES
                    + "); keystrokes then go to none of them.")
    Integer clones;

    private final PrintStream err;
    private final Instant commandStart;

    /** {@code commandStart}: when the jvmm command started, for the "restored in" time. */
    RestoreCommand(PrintStream err, Instant commandStart) {
        this.err = err;
        this.commandStart = commandStart;
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(dir)) {
            throw new UsageException(dir + (Files.exists(dir) ? ": not a directory" : ": no such snapshot directory"));
        }
        ConsoleOption consoleOption = ConsoleOption.parse(console);
        OutputStream stdout = new FileOutputStream(FileDescriptor.out);
        if (clones == null) {
            try (GuestConsole guestConsole = GuestConsole.open(consoleOption, stdout)) {
                return new GuestRunner(MachineSource.restore(dir, RestoreOptions.ORIGINAL, commandStart), guestConsole,
                        Optional.ofNullable(control), err, "").run();
            }
        }
        if (clones < 1 || clones > MAX_CLONES) {
            throw new UsageException("--clone: " + clones + " is out of range (1 to " + MAX_CLONES + ")");
        }
        return runClones(consoleOption, stdout);
    }

    /** Each clone on a thread of its own; returns the highest exit status. */
    private int runClones(ConsoleOption consoleOption, OutputStream stdout) throws UsageException, InterruptedException {
        Object stdoutLock = new Object();
        List<GuestConsole> consoles = new ArrayList<>();
        List<GuestRunner> runners = new ArrayList<>();
        try {
            // Every console and control socket first, so bad input stops jvmm with one line before any clone starts.
            for (int i = 0; i < clones; i++) {
                GuestConsole guestConsole = GuestConsole.openClone(consoleOption, i, stdout, stdoutLock);
                consoles.add(guestConsole);
                Optional<Path> cloneControl = Optional.ofNullable(control).map(forClone(i));
                GuestRunner runner = new GuestRunner(MachineSource.restore(dir, new RestoreOptions(i), commandStart),
                        guestConsole, cloneControl, err, label(i));
                runner.openControl();
                runners.add(runner);
            }
            int[] statuses = new int[clones];
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < clones; i++) {
                int clone = i;
                threads.add(Thread.ofPlatform().name("jvmm-clone-" + i).start(() ->
                        statuses[clone] = runClone(clone, runners.get(clone))));
            }
            for (Thread t : threads) {
                t.join();
            }
            int worst = 0;
            for (int status : statuses) {
                worst = Math.max(worst, status);
            }
            return worst;
        } finally {
            runners.forEach(GuestRunner::closeControl);
            for (GuestConsole c : consoles) {
                try {
                    c.close();
                } catch (IOException e) {
                    // a console file that cannot be closed has already lost what it lost
                }
            }
        }
    }

    /** Clone {@code i}'s control socket: PATH.i. */
    private static Function<Path, Path> forClone(int i) {
        return p -> p.resolveSibling(p.getFileName() + "." + i);
    }

    private static String label(int clone) {
        return "[clone " + clone + "] ";
    }

    /** Runs one clone to its end; its errors are its own line, and its exit status. */
    private int runClone(int clone, GuestRunner runner) {
        Messages messages = new Messages(err, label(clone));
        try {
            return runner.run();
        } catch (UsageException | MachineException e) {
            messages.line(oneLine(e.getMessage()));
            return Jvmm.USAGE;
        } catch (InterruptedException e) {
            messages.line("interrupted");
            return Jvmm.FAILURE;
        } catch (Exception | Error e) {
            messages.line("internal error: " + oneLine(String.valueOf(e)));
            return Jvmm.FAILURE;
        }
    }

    private static String oneLine(String message) {
        return message == null ? "unknown error" : message.strip().replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}

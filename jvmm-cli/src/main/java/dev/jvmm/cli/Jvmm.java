package dev.jvmm.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.concurrent.Callable;

import dev.jvmm.image.ImageException;
import dev.jvmm.machine.MachineException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code jvmm} command. Errors are one line, {@code jvmm: <what is wrong>}, on stderr: bad
 * input (options, files, sizes, a machine that cannot be built) exits with status 2; a guest
 * image that cannot be fetched, or an internal error, with status 1. Set {@code JVMM_DEBUG=1} to
 * get stack traces of internal errors.
 */
@Command(name = "jvmm", mixinStandardHelpOptions = true, versionProvider = Jvmm.Version.class,
        description = "A virtual machine monitor for RISC-V guests, in Java.")
public final class Jvmm implements Callable<Integer> {

    static final int USAGE = 2;
    static final int FAILURE = 1;

    public static void main(String[] args) {
        // The JVM's start, not main's: "jvmm restore" reports the time the user waited. (The
        // process handle's start instant is derived from boot time in whole seconds on Linux.)
        Instant start = Instant.ofEpochMilli(java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime());
        System.exit(execute(args, System.out, System.err, start));
    }

    /** Runs the command line; returns the exit status. */
    static int execute(String[] args, PrintStream out, PrintStream err) {
        return execute(args, out, err, Instant.now());
    }

    /** {@code start}: when the command started, for the times it reports. */
    static int execute(String[] args, PrintStream out, PrintStream err, Instant start) {
        CommandLine cli = commandLine(out, err, start);
        return cli.execute(args);
    }

    static CommandLine commandLine(PrintStream out, PrintStream err, Instant start) {
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                if (cls == RunCommand.class) {
                    return cls.cast(new RunCommand(err));
                }
                if (cls == RestoreCommand.class) {
                    return cls.cast(new RestoreCommand(err, start));
                }
                if (cls == SnapshotCommand.class) {
                    return cls.cast(new SnapshotCommand(out));
                }
                if (cls == MigrateCommand.class) {
                    return cls.cast(new MigrateCommand(out, err));
                }
                if (cls == ImageCommand.Fetch.class) {
                    return cls.cast(new ImageCommand.Fetch(out, err));
                }
                return CommandLine.defaultFactory().create(cls);
            }
        };
        CommandLine cli = new CommandLine(new Jvmm(), factory);
        cli.addSubcommand("run", RunCommand.class);
        cli.addSubcommand("snapshot", SnapshotCommand.class);
        cli.addSubcommand("restore", RestoreCommand.class);
        cli.addSubcommand("migrate", MigrateCommand.class);
        cli.addSubcommand("image", ImageCommand.class);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setParameterExceptionHandler((ex, args) -> {
            err.println("jvmm: " + oneLine(ex.getMessage()));
            return USAGE;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            switch (ex) {
                case UsageException u -> err.println("jvmm: " + oneLine(u.getMessage()));
                case MachineException m -> err.println("jvmm: " + oneLine(m.getMessage()));
                case ImageException i -> {
                    err.println("jvmm: " + oneLine(i.getMessage()));
                    return FAILURE;
                }
                default -> {
                    err.println("jvmm: internal error: " + oneLine(String.valueOf(ex)));
                    if ("1".equals(System.getenv("JVMM_DEBUG"))) {
                        ex.printStackTrace(err);
                    }
                    return FAILURE;
                }
            }
            return USAGE;
        });
        return cli;
    }

    private static String oneLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        String line = message.strip();
        int nl = line.indexOf('\n');
        return nl < 0 ? line : line.substring(0, nl).strip();
    }

    @Override
    public Integer call() throws UsageException {
        throw new UsageException("missing command (try 'jvmm --help')");
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Jvmm.class.getPackage().getImplementationVersion();
            return new String[] {"jvmm " + (v == null ? "(development build)" : v)};
        }
    }
}

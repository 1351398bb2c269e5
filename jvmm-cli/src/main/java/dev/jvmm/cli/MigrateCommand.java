package dev.jvmm.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.jvmm.cli.control.MigrationInfo;
import dev.jvmm.cli.control.QmpClient;
import dev.jvmm.cli.control.QmpError;
import dev.jvmm.cli.control.TcpUri;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jvmm migrate}: tells a running jvmm, through its control socket, to send its guest live to
 * another jvmm (started with {@code run --incoming}), and follows the migration to its end.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = "Migrate the guest of a running 'jvmm run --control PATH' live to the jvmm waiting with"
                + " 'jvmm run --incoming tcp:ADDR:PORT'. Shows progress on stderr until the migration completes"
                + " (exit status 0, printing its total time and the guest's downtime) or fails (exit status 1).")
final class MigrateCommand implements Callable<Integer> {

    /** How often the migration's state is asked for. */
    static final long POLL_MILLIS = 200;

    @Option(names = "--control", paramLabel = "PATH", required = true, description = "The source jvmm's control socket.")
    Path control;

    @Parameters(index = "0", paramLabel = "tcp:ADDR:PORT", description = "Where the destination jvmm listens.")
    String destination;

    private final PrintStream out;
    private final PrintStream err;

    MigrateCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws UsageException, InterruptedException {
        TcpUri uri;
        try {
            uri = TcpUri.parse(destination);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        if (uri.anyHost()) {
            throw new UsageException("bad address '" + destination + "': name the destination's host (tcp:HOST:PORT)");
        }
        QmpClient client;
        try {
            client = QmpClient.connect(control);
        } catch (IOException e) {
            throw new UsageException(e.getMessage());
        }
        try (client) {
            try {
                client.execute("migrate", Map.of("uri", uri.toString()));
            } catch (QmpError e) {
                throw new UsageException("migrate: " + e.desc());
            } catch (IOException e) {
                throw new UsageException(e.getMessage());
            }
            return follow(client);
        }
    }

    /** Polls {@code query-migrate} until the migration ends; returns the exit status. */
    private int follow(QmpClient client) throws InterruptedException {
        MigrationProgress progress = new MigrationProgress(err, Tty.stderrIsTerminal());
        while (true) {
            MigrationInfo info;
            try {
                info = MigrationInfo.fromQmp(client.executeForObject("query-migrate", Map.of()));
            } catch (IOException | QmpError e) {
                progress.finish();
                err.println("jvmm: " + e.getMessage() + "; the migration's outcome is unknown");
                return Jvmm.FAILURE;
            }
            progress.update(info, System.nanoTime());
            if (info.completed()) {
                progress.finish();
                out.println(String.format(Locale.ROOT, "migration to %s completed in %.1f s (downtime %d ms)",
                        destination, info.totalTime() / 1000.0, info.downtime()));
                return 0;
            }
            if (info.failed()) {
                progress.finish();
                String why = info.error().orElse("no reason given");
                // The machine keeps the guest running when a migration fails; say so unless it did.
                String note = why.contains("runs on") ? "" : "; the guest runs on here, in the source jvmm";
                err.println("jvmm: migration failed: " + why + note);
                return Jvmm.FAILURE;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}

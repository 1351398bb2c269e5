package dev.jvmm.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import dev.jvmm.cli.control.QmpClient;
import dev.jvmm.cli.control.QmpError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jvmm snapshot}: asks a running jvmm, through its control socket, to save its guest into a new directory. */
@Command(name = "snapshot", mixinStandardHelpOptions = true,
        description = "Save a snapshot of the guest of a running 'jvmm run --control PATH' into DIR, a new directory;"
                + " the guest runs on (or stays paused with --stop). Prints how long it took. 'jvmm restore DIR' restores it.")
final class SnapshotCommand implements Callable<Integer> {

    @Option(names = "--control", paramLabel = "PATH", required = true, description = "The running jvmm's control socket.")
    Path control;

    @Option(names = "--stop", description = "Leave the guest paused after the snapshot ('cont' on the control socket resumes it).")
    boolean stop;

    @Parameters(index = "0", paramLabel = "DIR", description = "The snapshot directory to create.")
    Path dir;

    private final PrintStream out;

    SnapshotCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws UsageException {
        // The running jvmm may have another working directory: send it an absolute path.
        Path target = dir.toAbsolutePath().normalize();
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new UsageException(dir + ": already exists (a snapshot goes into a new directory)");
        }
        Path parent = target.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new UsageException(dir + ": no such directory " + parent);
        }
        long start = System.nanoTime();
        try (QmpClient client = QmpClient.connect(control)) {
            Map<String, Object> arguments = new LinkedHashMap<>();
            arguments.put("dir", target.toString());
            arguments.put("stop", stop);
            client.execute("snapshot-save", arguments);
        } catch (IOException e) {
            throw new UsageException(e.getMessage());
        } catch (QmpError e) {
            throw new UsageException("snapshot failed: " + e.desc());
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        out.println("snapshot written to " + dir + " in " + millis + " ms" + (stop ? "; the guest stays paused" : ""));
        return 0;
    }
}

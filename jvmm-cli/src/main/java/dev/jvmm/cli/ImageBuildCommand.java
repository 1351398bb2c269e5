package dev.jvmm.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import dev.jvmm.image.DebianGuestImages;
import dev.jvmm.image.DebianRootfsBuilder;
import dev.jvmm.image.GuestImage;
import dev.jvmm.image.ImageException;
import dev.jvmm.image.SecondStageScript;
import dev.jvmm.machine.DriveConfig;
import dev.jvmm.machine.ExitReason;
import dev.jvmm.machine.MachineConfig;
import dev.jvmm.machine.VirtMachine;
import dev.jvmm.storage.ImageFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jvmm image build debian [--size SIZE] FILE}: a bootable qcow2 disk with a minimal
 * Debian made from Debian's packages. Three steps: debootstrap's first stage on the host
 * (download and unpack), an ext4 image of the result ({@code mkfs.ext4 -d}), then the second
 * stage inside jvmm: the disk boots under jvmm's kernel and initramfs with
 * {@code init=}{@link SecondStageScript#PATH}, configures its packages and powers off. The raw
 * filesystem is then copied into FILE as qcow2. Work files live in {@code FILE.build/} next to
 * FILE and are removed at the end (kept with {@code --keep-work}, or after a failure).
 */
@Command(name = "build", mixinStandardHelpOptions = true,
        description = "Build a bootable qcow2 disk with a minimal Debian (riscv64) from Debian's packages. Needs root,"
                + " debootstrap and mkfs.ext4. Boot it with: jvmm run --drive FILE --net user"
                + " (root logs in without a password).")
final class ImageBuildCommand implements Callable<Integer> {

    /** The kernel command line of the second stage. */
    static final String SECOND_STAGE_APPEND = "console=ttyS0 root=/dev/vda rw init=" + SecondStageScript.PATH + " quiet";

    static final String DEFAULT_SIZE = "2G";
    static final long MIN_SIZE = 512L << 20;

    @Parameters(index = "0", paramLabel = "DISTRIBUTION", description = "What to build: debian.")
    String distribution;

    @Parameters(index = "1", paramLabel = "FILE", description = "The qcow2 image to create (never overwritten).")
    Path file;

    @Option(names = "--size", paramLabel = "SIZE", defaultValue = DEFAULT_SIZE,
            description = "Virtual disk size, at least 512M (default: ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--suite", paramLabel = "NAME", defaultValue = DebianGuestImages.DEFAULT_SUITE,
            description = "Debian suite (default: ${DEFAULT-VALUE}).")
    String suite;

    @Option(names = "--hostname", paramLabel = "NAME", defaultValue = "debian",
            description = "The guest's host name (default: ${DEFAULT-VALUE}).")
    String hostname;

    @Option(names = "--memory", paramLabel = "SIZE", defaultValue = "1G",
            description = "Guest RAM for the second stage (default: ${DEFAULT-VALUE}).")
    String memory;

    @Option(names = "--engine", paramLabel = "interp|jit", defaultValue = "jit",
            description = "CPU engine for the second stage (default: ${DEFAULT-VALUE}; about 20 minutes on 2 cores).")
    String engine;

    @Option(names = "--keep-work", description = "Keep the work directory FILE.build/ (the unpacked tree and raw image).")
    boolean keepWork;

    private final PrintStream err;

    /** Progress goes to the process's stderr. */
    ImageBuildCommand() {
        this(System.err);
    }

    ImageBuildCommand(PrintStream err) {
        this.err = err;
    }

    /** The checked options. */
    record Plan(Path file, long sizeBytes, String suite, String hostname, long memoryBytes,
                dev.jvmm.cpu.riscv.Engine engine, Path workDir) {
    }

    Plan plan() throws UsageException {
        if (!distribution.equals("debian")) {
            throw new UsageException("image build: unknown distribution '" + distribution + "' (only debian)");
        }
        long bytes = DiskSize.parse(size);
        if (bytes < MIN_SIZE) {
            throw new UsageException("--size " + size + ": too small for Debian (at least 512M)");
        }
        if (!suite.matches("[a-z][a-z0-9.-]*")) {
            throw new UsageException("bad suite name '" + suite + "'");
        }
        if (!hostname.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
            throw new UsageException("--hostname: bad host name '" + hostname + "' (lower-case letters, digits, '-')");
        }
        long mem = MemorySize.parse(memory);
        var eng = RunCommand.engine(engine);
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new UsageException(file + ": already exists (jvmm image build never overwrites)");
        }
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new UsageException(file + ": no such directory " + dir);
        }
        Path work = dir.resolve(file.getFileName() + ".build");
        if (Files.exists(work, LinkOption.NOFOLLOW_LINKS)) {
            throw new UsageException(work + ": already exists (left by an earlier build? remove it)");
        }
        return new Plan(file, bytes, suite, hostname, mem, eng, work);
    }

    @Override
    public Integer call() throws Exception {
        Plan plan = plan();
        if (!isRoot()) {
            throw new UsageException("image build must run as root (debootstrap and mkfs.ext4 keep files' owners)");
        }
        List<String> missing = DebianRootfsBuilder.missingTools();
        if (!missing.isEmpty()) {
            throw new UsageException("image build needs " + String.join(" and ", missing));
        }
        GuestImage kernel = DebianGuestImages.forUser(err::println).get(plan.suite(), false);
        DebianRootfsBuilder builder = new DebianRootfsBuilder(Path.of("/etc/apt"), err::println);
        Path root = plan.workDir().resolve("root");
        Path raw = plan.workDir().resolve("root.ext4");
        Files.createDirectories(plan.workDir());
        long t0 = System.nanoTime();
        builder.firstStage(plan.suite(), root);
        builder.prepareSecondStage(root, plan.hostname(), kernel);
        long t1 = System.nanoTime();
        err.printf("jvmm: first stage done in %s%n", seconds(t1 - t0));
        builder.makeExt4(root, raw, plan.sizeBytes());
        long t2 = System.nanoTime();
        err.printf("jvmm: filesystem made in %s%n", seconds(t2 - t1));
        secondStage(plan, kernel, raw);
        long t3 = System.nanoTime();
        err.printf("jvmm: second stage done in %s%n", seconds(t3 - t2));
        err.println("jvmm: writing " + plan.file() + " (qcow2)");
        Path partial = plan.workDir().resolve("disk.qcow2");
        Qcow2Conversion.convert(raw, partial);
        Files.move(partial, plan.file());
        long t4 = System.nanoTime();
        if (!keepWork) {
            deleteTree(plan.workDir());
        }
        err.printf("jvmm: %s is ready (%s in all). Boot it with:%n  jvmm run --drive %s --net user%n"
                + "and log in as root (no password).%n", plan.file(), seconds(t4 - t0), plan.file());
        return 0;
    }

    /** Boots the raw filesystem with the second-stage init; fails unless the script reported success. */
    private void secondStage(Plan plan, GuestImage kernel, Path raw) throws Exception {
        err.println("jvmm: second stage: booting the new system in jvmm to configure its packages;"
                + " the guest's console follows");
        MachineConfig config = new MachineConfig(kernel.kernel(), Optional.of(kernel.initramfs()), SECOND_STAGE_APPEND,
                plan.memoryBytes(), Optional.empty(), 1,
                List.of(new DriveConfig(raw, Optional.of(ImageFormat.RAW), false)), plan.engine());
        LineWatcher console = new LineWatcher(err, SecondStageScript.SUCCESS);
        ExitReason reason;
        try (VirtMachine machine = VirtMachine.create(config, console)) {
            reason = machine.run();
        }
        if (!console.seen()) {
            throw new ImageException("the second stage did not complete (" + describe(reason) + "); the work files are in "
                    + plan.workDir());
        }
    }

    private static boolean isRoot() {
        try {
            // /proc/self belongs to the process's effective user.
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static String describe(ExitReason reason) {
        return switch (reason) {
            case ExitReason.PowerOff p -> "the guest powered off";
            case ExitReason.Reboot r -> "the guest rebooted";
            case ExitReason.GuestFailure f -> "the guest failed with code " + f.code();
            case ExitReason.Stopped s -> "stopped: " + s.message();
            case ExitReason.Migrated m -> "migrated to " + m.destination();
        };
    }

    private static String seconds(long nanos) {
        long s = nanos / 1_000_000_000L;
        return s >= 60 ? "%d min %02d s".formatted(s / 60, s % 60) : s + " s";
    }

    private static void deleteTree(Path root) throws IOException {
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Passes the guest's console through and notes whether a line starting with {@code marker} went by. */
    static final class LineWatcher extends OutputStream {
        private final OutputStream out;
        private final byte[] marker;
        private final StringBuilder line = new StringBuilder();
        private volatile boolean seen;

        LineWatcher(OutputStream out, String marker) {
            this.out = out;
            this.marker = marker.getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            if (b == '\n' || b == '\r') {
                if (line.toString().startsWith(new String(marker, StandardCharsets.US_ASCII))) {
                    seen = true;
                }
                line.setLength(0);
            } else if (line.length() < 256) {
                line.append((char) (b & 0xff));
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            for (int i = 0; i < len; i++) {
                write(b[off + i]);
            }
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        boolean seen() {
            return seen;
        }
    }
}

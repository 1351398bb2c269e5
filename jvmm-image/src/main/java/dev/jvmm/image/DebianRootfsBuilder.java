package dev.jvmm.image;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The host's part of {@code jvmm image build debian}: debootstrap's first stage (download and
 * unpack Debian's riscv64 packages into a directory, from the archive the host's own apt
 * sources name), then an ext4 filesystem image made from that directory by {@code mkfs.ext4 -d},
 * without mounting anything. The second stage, which runs the packages' maintainer scripts, can
 * only run on riscv64: the guest does it on its first boot ({@link SecondStageScript}).
 *
 * <p>Both tools must run as root so that the files keep their owners, modes and device nodes.
 */
public final class DebianRootfsBuilder {

    /** The packages added to debootstrap's minbase: an init, udev, and what a serial login needs. */
    public static final List<String> EXTRA_PACKAGES = List.of("systemd-sysv", "udev");

    private static final String KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";

    private final Path aptEtc;
    private final Consumer<String> progress;

    public DebianRootfsBuilder(Path aptEtc, Consumer<String> progress) {
        this.aptEtc = aptEtc;
        this.progress = progress;
    }

    /** What is missing on this host to build, as one line; empty if nothing. */
    public static List<String> missingTools() {
        List<String> missing = new ArrayList<>();
        if (HostApt.findOnPath("debootstrap").isEmpty() && !Files.isExecutable(Path.of("/usr/sbin/debootstrap"))) {
            missing.add("debootstrap (apt-get install debootstrap)");
        }
        if (HostApt.findOnPath("mkfs.ext4").isEmpty() && !Files.isExecutable(Path.of("/usr/sbin/mkfs.ext4"))
                && !Files.isExecutable(Path.of("/sbin/mkfs.ext4"))) {
            missing.add("mkfs.ext4 (apt-get install e2fsprogs)");
        }
        return missing;
    }

    /** The archive URI debootstrap downloads from: the host's Debian source. */
    public AptSource archive() throws ImageException {
        try {
            return HostPackageSources.read(aptEtc).debianArchive()
                    .orElseThrow(() -> new ImageException("this host has no Debian package source in " + aptEtc));
        } catch (IOException e) {
            throw new ImageException("cannot read the host's apt sources in " + aptEtc + ": " + e.getMessage(), e);
        }
    }

    /** debootstrap's command line for the first stage of {@code suite} into {@code root}. */
    List<String> firstStageCommand(String suite, Path root, AptSource archive) {
        List<String> command = new ArrayList<>(List.of(debootstrap(), "--foreign", "--arch=riscv64",
                "--variant=minbase", "--include=" + String.join(",", EXTRA_PACKAGES)));
        String keyring = archive.signedBy().filter(k -> Files.isRegularFile(Path.of(k))).orElse(KEYRING);
        if (Files.isRegularFile(Path.of(keyring))) {
            command.add("--keyring=" + keyring);
        }
        command.addAll(List.of(suite, root.toString(), archive.uri()));
        return command;
    }

    /** Downloads and unpacks the packages into {@code root} (which must not exist yet or be empty). */
    public void firstStage(String suite, Path root) throws ImageException {
        AptSource archive = archive();
        progress.accept("jvmm: first stage: debootstrap " + suite + " riscv64 from " + archive.uri() + " into " + root);
        run(firstStageCommand(suite, root, archive), "debootstrap");
    }

    /**
     * Prepares {@code root} for its first boot: the second-stage script as {@link SecondStageScript#PATH},
     * and the guest kernel's modules (the ones jvmm's initramfs carries) under {@code /usr/lib/modules}.
     */
    public void prepareSecondStage(Path root, String hostname, GuestImage kernel) throws ImageException {
        try {
            // debootstrap may leave /proc as a link to the host's /proc; the guest mounts its own there.
            for (String mountPoint : List.of("proc", "sys", "dev", "run")) {
                Path p = root.resolve(mountPoint);
                if (Files.isSymbolicLink(p)) {
                    Files.delete(p);
                }
                if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectory(p);
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("r-xr-xr-x"));
                }
            }
            Path script = root.resolve(SecondStageScript.PATH.substring(1));
            Files.writeString(script, SecondStageScript.text(hostname), StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path from = kernel.modules();
            if (Files.isDirectory(from)) {
                Path to = root.resolve("usr/lib/modules").resolve(kernel.kernelVersion());
                try (Stream<Path> files = Files.walk(from)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        Path target = to.resolve(from.relativize(f).toString());
                        if (Files.isDirectory(f)) {
                            Files.createDirectories(target);
                        } else {
                            Files.copy(f, target);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new ImageException("cannot prepare " + root + ": " + e.getMessage(), e);
        }
    }

    /** Writes a sparse {@code image} of {@code size} bytes holding an ext4 filesystem with the contents of {@code root}. */
    public void makeExt4(Path root, Path image, long size) throws ImageException {
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(size);
        } catch (IOException e) {
            throw new ImageException("cannot create " + image + ": " + e.getMessage(), e);
        }
        progress.accept("jvmm: making the ext4 filesystem (" + (size >> 20) + " MiB)");
        run(List.of(mkfsExt4(), "-q", "-F", "-L", "debian", "-d", root.toString(), image.toString()), "mkfs.ext4");
    }

    private static String debootstrap() {
        return HostApt.findOnPath("debootstrap").map(Path::toString).orElse("/usr/sbin/debootstrap");
    }

    private static String mkfsExt4() {
        return HostApt.findOnPath("mkfs.ext4").map(Path::toString)
                .orElse(Files.isExecutable(Path.of("/usr/sbin/mkfs.ext4")) ? "/usr/sbin/mkfs.ext4" : "/sbin/mkfs.ext4");
    }

    /** Runs a tool with its output as progress lines; fails with its last line. */
    private void run(List<String> command, String name) throws ImageException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        pb.environment().putIfAbsent("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        String last = "";
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (!line.isBlank()) {
                        last = line.strip();
                        progress.accept("  " + last);
                    }
                }
            }
            int status = p.waitFor();
            if (status != 0) {
                throw new ImageException(name + " failed (exit status " + status + "): " + last);
            }
        } catch (IOException e) {
            throw new ImageException("cannot run " + name + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException("interrupted while running " + name, e);
        }
    }
}

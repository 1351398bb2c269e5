package dev.jvmm.image;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Downloads riscv64 packages with the host's own {@code apt-get}/{@code apt-cache}, pointed at
 * the host's own Debian archive but with a private configuration and state directory: the
 * host's package lists, dpkg status and preferences are neither read nor changed, and no root
 * is needed.
 */
public final class HostApt implements PackageDownloader {

    /** Said when this host cannot fetch guest packages; names the way around it. */
    public static final String WORKAROUND = "pass --kernel FILE --initrd FILE instead";

    private static final String DEFAULT_KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";
    private static final Pattern KERNEL_DEPENDENCY = Pattern.compile("Depends:\\s*(linux-image-[0-9]\\S*)");

    private final Path stateDir;
    private final Consumer<String> progress;
    private final List<String> options;
    private boolean updated;

    private HostApt(Path stateDir, Consumer<String> progress, List<String> options) {
        this.stateDir = stateDir;
        this.progress = progress;
        this.options = options;
    }

    /** A factory that reads the host's sources from {@code aptEtc} (normally {@code /etc/apt}). */
    public static PackageDownloader.Factory factory(Path aptEtc, Consumer<String> progress) {
        return (suite, stateDir) -> create(aptEtc, suite, stateDir, progress);
    }

    static HostApt create(Path aptEtc, String suite, Path stateDir, Consumer<String> progress) throws ImageException {
        if (findOnPath("apt-get").isEmpty() || findOnPath("apt-cache").isEmpty()) {
            throw new ImageException("this host has no apt-get to fetch the Debian guest kernel; " + WORKAROUND);
        }
        AptSource archive;
        try {
            archive = HostPackageSources.read(aptEtc).debianArchive()
                    .orElseThrow(() -> new ImageException("this host has no Debian package source in "
                            + aptEtc + "; " + WORKAROUND));
        } catch (IOException e) {
            throw new ImageException("cannot read the host's apt sources in " + aptEtc + ": " + e.getMessage()
                    + "; " + WORKAROUND, e);
        }
        try {
            Path lists = stateDir.resolve("lists");
            Files.createDirectories(lists.resolve("partial"));
            Files.createDirectories(stateDir.resolve("cache/archives/partial"));
            Files.createDirectories(stateDir.resolve("sources.list.d"));
            Files.createDirectories(stateDir.resolve("preferences.d"));
            Path status = stateDir.resolve("status");
            if (!Files.exists(status)) {
                Files.createFile(status);
            }
            String keyring = archive.signedBy().filter(k -> Files.isRegularFile(Path.of(k)))
                    .or(() -> Optional.of(DEFAULT_KEYRING).filter(k -> Files.isRegularFile(Path.of(k))))
                    .map(k -> "[signed-by=" + k + "] ").orElse("");
            Path sourceList = stateDir.resolve("sources.list");
            Files.writeString(sourceList, "deb " + keyring + archive.uri() + " " + suite + " main\n",
                    StandardCharsets.UTF_8);
            List<String> options = List.of(
                    "-o", "APT::Architecture=riscv64",
                    "-o", "APT::Architectures=riscv64",
                    "-o", "Dir::State=" + stateDir,
                    "-o", "Dir::State::Lists=" + lists,
                    "-o", "Dir::State::status=" + status,
                    "-o", "Dir::Cache=" + stateDir.resolve("cache"),
                    "-o", "Dir::Etc::SourceList=" + sourceList,
                    "-o", "Dir::Etc::SourceParts=" + stateDir.resolve("sources.list.d"),
                    "-o", "Dir::Etc::Preferences=" + stateDir.resolve("preferences"),
                    "-o", "Dir::Etc::PreferencesParts=" + stateDir.resolve("preferences.d"),
                    "-o", "Debug::NoLocking=1",
                    // As root, apt would hand downloads to the _apt user, who cannot write into a user's cache.
                    "-o", "APT::Sandbox::User=" + System.getProperty("user.name", "root"));
            return new HostApt(stateDir, progress, options);
        } catch (IOException e) {
            throw new ImageException("cannot prepare apt state in " + stateDir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String kernelPackage() throws ImageException {
        update();
        List<String> out = run(stateDir, false, "apt-cache", "depends", "linux-image-riscv64");
        for (String line : out) {
            Matcher m = KERNEL_DEPENDENCY.matcher(line);
            if (m.find()) {
                return m.group(1);
            }
        }
        throw new ImageException("the Debian archive has no riscv64 kernel (linux-image-riscv64 names no kernel package)");
    }

    @Override
    public List<Path> download(List<String> packages, Path dir) throws ImageException {
        update();
        List<String> args = new ArrayList<>(List.of("apt-get", "-q", "download"));
        args.addAll(packages);
        run(dir, true, args.toArray(String[]::new));
        List<Path> debs = new ArrayList<>();
        for (String p : packages) {
            debs.add(findDeb(dir, p));
        }
        return debs;
    }

    private void update() throws ImageException {
        if (!updated) {
            progress.accept("jvmm: reading the package lists (riscv64)");
            run(stateDir, false, "apt-get", "-qq", "update");
            updated = true;
        }
    }

    private static Path findDeb(Path dir, String pkg) throws ImageException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, pkg + "_*.deb")) {
            for (Path f : files) {
                return f;
            }
        } catch (IOException e) {
            throw new ImageException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        throw new ImageException("apt-get did not download " + pkg);
    }

    /** Runs an apt command; progress lines go to the progress sink when {@code showOutput}; fails with apt's last error. */
    private List<String> run(Path workDir, boolean showOutput, String... command) throws ImageException {
        List<String> args = new ArrayList<>();
        args.add(command[0]);
        args.addAll(options);
        args.addAll(List.of(command).subList(1, command.length));
        ProcessBuilder pb = new ProcessBuilder(args).directory(workDir.toFile()).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        List<String> lines = new ArrayList<>();
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                    if (showOutput && !line.isBlank()) {
                        progress.accept("  " + line.strip());
                    }
                }
            }
            int status = p.waitFor();
            if (status != 0) {
                String error = lines.stream().filter(l -> l.startsWith("E:")).reduce((a, b) -> b)
                        .or(() -> lines.stream().filter(l -> !l.isBlank()).reduce((a, b) -> b))
                        .orElse("exit status " + status);
                throw new ImageException(command[0] + " " + command[command.length - 1] + " failed: " + error.strip());
            }
            return lines;
        } catch (IOException e) {
            throw new ImageException("cannot run " + command[0] + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException("interrupted while running " + command[0], e);
        }
    }

    static Optional<Path> findOnPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(":")) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}

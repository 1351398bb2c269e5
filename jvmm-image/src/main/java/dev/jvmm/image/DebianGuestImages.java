package dev.jvmm.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The Debian riscv64 guest images in the user cache: one directory per suite
 * ({@code debian-trixie-riscv64/}) holding {@code Image}, {@code initramfs.cpio.gz},
 * {@code busybox}, {@code modules/VERSION/...} and {@code SHA256SUMS}.
 *
 * <p>An image is built in a sibling {@code .partial} directory and renamed into place once
 * complete, with {@code SHA256SUMS} written last, so a crash never leaves a directory that
 * verifies. {@link #get} verifies every file before handing the image out; nothing is downloaded
 * while a verified image is there.
 */
public final class DebianGuestImages {

    public static final String DEFAULT_SUITE = "trixie";

    /**
     * The modules the guest needs for virtio devices and ext4. virtio_console may be built in
     * (then it is skipped). ext4 asks for crc32c only as a soft dependency, which
     * {@code depends=} does not list, so its generic implementation is named here.
     */
    static final List<String> GUEST_MODULES = List.of(
            "virtio_mmio", "virtio_blk", "virtio_net", "virtio_console", "virtio_rng", "crc32c_generic", "ext4");

    static final String KERNEL_FILE = "Image";
    static final String INITRAMFS_FILE = "initramfs.cpio.gz";
    static final String BUSYBOX_FILE = "busybox";

    /**
     * Names what jvmm builds into an image directory; change it whenever the initramfs or the
     * layout changes, so caches built by an older jvmm are rebuilt rather than used.
     */
    static final String FORMAT_FILE = "FORMAT";
    static final String FORMAT = "jvmm-debian-guest 5\n";

    private static final Pattern MODULE_DIR = Pattern.compile("(?:usr/)?lib/modules/([^/]+)/(.+)");
    private static final Pattern KERNEL_PATH = Pattern.compile("boot/vmlinu[xz]-(.+)");

    private final Path cacheRoot;
    private final PackageDownloader.Factory downloaders;
    private final Consumer<String> progress;

    public DebianGuestImages(Path cacheRoot, PackageDownloader.Factory downloaders, Consumer<String> progress) {
        this.cacheRoot = cacheRoot;
        this.downloaders = downloaders;
        this.progress = progress;
    }

    /** Images in the user's cache, fetched with the host's apt; progress lines go to {@code progress}. */
    public static DebianGuestImages forUser(Consumer<String> progress) {
        return new DebianGuestImages(defaultCacheRoot(), HostApt.factory(Path.of("/etc/apt"), progress), progress);
    }

    /** {@code $XDG_CACHE_HOME/jvmm}, or {@code ~/.cache/jvmm}. */
    public static Path defaultCacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
                ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("jvmm");
    }

    public Path directory(String suite) {
        return cacheRoot.resolve("debian-" + checkSuite(suite) + "-riscv64");
    }

    /** The cached image if it is complete and every file matches its checksum. */
    public Optional<GuestImage> cached(String suite) {
        Path dir = directory(suite);
        Optional<ChecksumManifest> manifest = ChecksumManifest.read(dir);
        if (manifest.isEmpty() || !manifest.get().files().containsAll(List.of(KERNEL_FILE, INITRAMFS_FILE, FORMAT_FILE))
                || !manifest.get().mismatches(dir).isEmpty() || !FORMAT.equals(readQuietly(dir.resolve(FORMAT_FILE)))) {
            return Optional.empty();
        }
        return kernelVersionIn(dir).map(v -> new GuestImage(dir, dir.resolve(KERNEL_FILE), dir.resolve(INITRAMFS_FILE), v));
    }

    /**
     * The verified cached image, fetched and built first if it is missing, incomplete or damaged (or if {@code force}).
     * Processes that need the image at the same moment take turns through a lock file beside it: the
     * first builds it, the others then find it built.
     */
    public GuestImage get(String suite, boolean force) throws ImageException {
        Path dir = directory(suite);
        if (!force) {
            Optional<GuestImage> image = cached(suite);
            if (image.isPresent()) {
                return image.get();
            }
        }
        Path lockFile = cacheRoot.resolve("." + dir.getFileName() + ".lock");
        // The file lock keeps other processes out; threads of this one take turns on the class
        // (a second lock on the same file from this process would be refused, not awaited).
        synchronized (DebianGuestImages.class) {
            return getLocked(suite, dir, force, lockFile);
        }
    }

    private GuestImage getLocked(String suite, Path dir, boolean force, Path lockFile) throws ImageException {
        try {
            Files.createDirectories(cacheRoot);
            try (java.nio.channels.FileChannel lock = java.nio.channels.FileChannel.open(lockFile,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                 java.nio.channels.FileLock held = lock.lock()) {
                return fetchUnlessCached(suite, dir, force);
            }
        } catch (IOException e) {
            throw new ImageException("cannot write the guest image in " + cacheRoot + ": " + e.getMessage(), e);
        }
    }

    private GuestImage fetchUnlessCached(String suite, Path dir, boolean force) throws ImageException {
        if (!force) {
            Optional<GuestImage> image = cached(suite);
            if (image.isPresent()) {
                return image.get();
            }
            if (Files.exists(dir.resolve(ChecksumManifest.FILE_NAME))) {
                progress.accept("jvmm: the cached image in " + dir + " is damaged or from an older jvmm; fetching it again");
            }
        }
        progress.accept("jvmm: fetching Debian " + suite + " riscv64 kernel and busybox into " + dir);
        Path partial = cacheRoot.resolve("." + dir.getFileName() + ".partial");
        try {
            deleteTree(partial);
            Files.createDirectories(partial.resolve("debs"));
            Path out = partial.resolve("image");
            Files.createDirectories(out);
            PackageDownloader downloader = downloaders.forSuite(suite, cacheRoot.resolve(".apt").resolve(suite));
            String kernelPackage = downloader.kernelPackage();
            progress.accept("jvmm: downloading " + kernelPackage + " and busybox-static (about 100 MB)");
            List<Path> debs = downloader.download(List.of(kernelPackage, "busybox-static"), partial.resolve("debs"));
            GuestImage built = build(debs.get(0), debs.get(1), partial.resolve("unpacked"), out);
            deleteTree(dir);
            Files.move(out, dir, StandardCopyOption.ATOMIC_MOVE);
            deleteTree(partial);
            progress.accept("jvmm: guest image ready (Linux " + built.kernelVersion() + ")");
            return new GuestImage(dir, dir.resolve(KERNEL_FILE), dir.resolve(INITRAMFS_FILE), built.kernelVersion());
        } catch (IOException e) {
            throw new ImageException("cannot write the guest image in " + cacheRoot + ": " + e.getMessage(), e);
        }
    }

    /** Unpacks the two packages and writes the image files and their checksums into {@code out}. */
    GuestImage build(Path kernelDeb, Path busyboxDeb, Path unpacked, Path out) throws ImageException, IOException {
        new DebArchive(kernelDeb).extract(unpacked, p -> KERNEL_PATH.matcher(p).matches()
                || (MODULE_DIR.matcher(p).matches() && (KernelModuleTree.isModuleFile(p)
                || p.endsWith("/modules.dep") || p.endsWith("/modules.builtin"))));
        new DebArchive(busyboxDeb).extract(unpacked, p -> p.equals("usr/bin/busybox") || p.equals("bin/busybox"));

        String version = kernelVersion(unpacked);
        byte[] kernel = readKernel(unpacked, version);
        Files.write(out.resolve(KERNEL_FILE), kernel);

        Path busyboxFile = Files.isRegularFile(unpacked.resolve("usr/bin/busybox"))
                ? unpacked.resolve("usr/bin/busybox") : unpacked.resolve("bin/busybox");
        if (!Files.isRegularFile(busyboxFile)) {
            throw new ImageException("busybox-static has no busybox binary");
        }
        byte[] busybox = Files.readAllBytes(busyboxFile);
        Files.write(out.resolve(BUSYBOX_FILE), busybox);

        Path moduleRoot = Files.isDirectory(unpacked.resolve("usr/lib/modules/" + version))
                ? unpacked.resolve("usr/lib/modules/" + version) : unpacked.resolve("lib/modules/" + version);
        List<InitramfsBuilder.ModuleFile> modules = new ArrayList<>();
        if (Files.isDirectory(moduleRoot)) {
            KernelModuleTree tree = KernelModuleTree.open(moduleRoot);
            List<ModuleDependencies.Module> order = ModuleDependencies.loadOrder(GUEST_MODULES, tree);
            Path moduleOut = out.resolve("modules").resolve(version);
            List<String> depLines = new ArrayList<>();
            // modules.dep lists every module a module needs, directly or not, the last to load first.
            Map<String, Set<String>> needs = new HashMap<>();
            for (ModuleDependencies.Module m : order) {
                String path = KernelModuleTree.uncompressedPath(m.path());
                byte[] contents = tree.decompressed(m.path());
                Path file = moduleOut.resolve(path);
                Files.createDirectories(file.getParent());
                Files.write(file, contents);
                Set<String> all = new HashSet<>();
                for (String d : tree.dependenciesOf(m.name())) {
                    String dep = ModuleDependencies.canonicalName(d);
                    all.add(dep);
                    all.addAll(needs.getOrDefault(dep, Set.of()));
                }
                needs.put(m.name(), all);
                List<String> deps = new ArrayList<>();
                for (ModuleDependencies.Module earlier : order.reversed()) {
                    if (all.contains(earlier.name())) {
                        deps.add(KernelModuleTree.uncompressedPath(earlier.path()));
                    }
                }
                modules.add(new InitramfsBuilder.ModuleFile(path, deps, contents));
                depLines.add(path + ":" + (deps.isEmpty() ? "" : " " + String.join(" ", deps)));
            }
            Files.createDirectories(moduleOut);
            Files.writeString(moduleOut.resolve("modules.dep"), String.join("\n", depLines) + "\n");
        }
        new InitramfsBuilder(busybox, version, modules).writeTo(out.resolve(INITRAMFS_FILE));
        Files.writeString(out.resolve(FORMAT_FILE), FORMAT);

        List<String> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(out)) {
            walk.filter(Files::isRegularFile).map(p -> out.relativize(p).toString()).sorted().forEach(files::add);
        }
        ChecksumManifest.compute(out, files).write(out);
        return new GuestImage(out, out.resolve(KERNEL_FILE), out.resolve(INITRAMFS_FILE), version);
    }

    /** The release of the single kernel in the package ({@code boot/vmlinux-VERSION}). */
    private static String kernelVersion(Path unpacked) throws ImageException, IOException {
        Path boot = unpacked.resolve("boot");
        List<String> versions = new ArrayList<>();
        if (Files.isDirectory(boot)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(boot)) {
                for (Path f : files) {
                    Matcher m = KERNEL_PATH.matcher("boot/" + f.getFileName());
                    if (m.matches()) {
                        versions.add(m.group(1));
                    }
                }
            }
        }
        if (versions.size() != 1) {
            throw new ImageException("the kernel package has " + versions.size() + " kernels in /boot, expected one");
        }
        return versions.getFirst();
    }

    private static byte[] readKernel(Path unpacked, String version) throws ImageException, IOException {
        Path file = Files.isRegularFile(unpacked.resolve("boot/vmlinux-" + version))
                ? unpacked.resolve("boot/vmlinux-" + version) : unpacked.resolve("boot/vmlinuz-" + version);
        byte[] kernel = Files.readAllBytes(file);
        if (kernel.length > 2 && (kernel[0] & 0xff) == 0x1f && (kernel[1] & 0xff) == 0x8b) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
                kernel = in.readAllBytes();
            }
        }
        if (!KernelImage.isRiscvImage(kernel)) {
            throw new ImageException(file.getFileName() + " is not a RISC-V Linux Image (no RISC-V magic in its header)");
        }
        return kernel;
    }

    private static Optional<String> kernelVersionIn(Path dir) {
        try (DirectoryStream<Path> versions = Files.newDirectoryStream(dir.resolve("modules"))) {
            for (Path v : versions) {
                return Optional.of(v.getFileName().toString());
            }
        } catch (IOException e) {
            // no modules directory: an image without modules
        }
        return Optional.of("unknown");
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    private static String checkSuite(String suite) {
        if (!suite.matches("[a-z][a-z0-9.-]*")) {
            throw new IllegalArgumentException("bad suite name: " + suite);
        }
        return suite;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}

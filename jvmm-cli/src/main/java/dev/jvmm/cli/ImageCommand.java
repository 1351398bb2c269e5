package dev.jvmm.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import dev.jvmm.image.DebianGuestImages;
import dev.jvmm.image.GuestImage;
import dev.jvmm.storage.DiskImages;
import dev.jvmm.storage.ImageFormat;
import dev.jvmm.storage.Qcow2Creator;
import dev.jvmm.storage.Qcow2Image;
import dev.jvmm.storage.RawImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code jvmm image}: guest images in the user cache. */
@Command(name = "image", description = "Manage guest images in the user cache.", mixinStandardHelpOptions = true,
        subcommands = {ImageCommand.Fetch.class, ImageCommand.Create.class, ImageBuildCommand.class})
final class ImageCommand implements Callable<Integer> {

    @Override
    public Integer call() throws UsageException {
        throw new UsageException("missing image command (try 'jvmm image --help')");
    }

    /** {@code jvmm image fetch}: gets Debian's riscv64 kernel and busybox and builds the initramfs. */
    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = "Fetch Debian's riscv64 kernel and busybox from this host's Debian package sources and build jvmm's initramfs.")
    static final class Fetch implements Callable<Integer> {

        @Option(names = "--suite", paramLabel = "NAME", defaultValue = DebianGuestImages.DEFAULT_SUITE,
                description = "Debian suite (default: ${DEFAULT-VALUE}).")
        String suite;

        @Option(names = "--force", description = "Fetch and build again even if the cache is complete.")
        boolean force;

        private final PrintStream out;
        private final PrintStream err;

        Fetch(PrintStream out, PrintStream err) {
            this.out = out;
            this.err = err;
        }

        @Override
        public Integer call() throws Exception {
            if (!suite.matches("[a-z][a-z0-9.-]*")) {
                throw new UsageException("bad suite name '" + suite + "'");
            }
            GuestImage image = DebianGuestImages.forUser(err::println).get(suite, force);
            out.println("kernel:    " + image.kernel());
            out.println("initramfs: " + image.initramfs());
            out.println("modules:   " + image.modules());
            out.println("(Linux " + image.kernelVersion() + ", checksums in " + image.directory().resolve("SHA256SUMS") + ")");
            return 0;
        }
    }

    /** {@code jvmm image create}: a new, empty disk image (sparse raw, or qcow2 with an optional backing file). */
    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create a disk image. Refuses to overwrite an existing file.")
    static final class Create implements Callable<Integer> {

        @Option(names = "--format", paramLabel = "qcow2|raw", required = true,
                description = "Image format: qcow2 (grows as written, may have a backing file) or raw (a sparse file).")
        String format;

        @Option(names = "--backing", paramLabel = "FILE",
                description = "qcow2 only: unwritten clusters read from FILE, which is never written. Stored relative"
                        + " to the new image's directory; SIZE defaults to FILE's size.")
        Path backing;

        @Option(names = "--backing-format", paramLabel = "raw|qcow2",
                description = "Format of the backing file (default: probed now and recorded in the image).")
        String backingFormat;

        @Parameters(index = "0", paramLabel = "FILE", description = "The image to create.")
        Path file;

        @Parameters(index = "1", paramLabel = "SIZE", arity = "0..1",
                description = "Virtual size: bytes or with K/M/G/T suffix, a multiple of 512 (e.g. 1G).")
        String size;

        @Override
        public Integer call() throws UsageException {
            ImageFormat f = format(format, "--format");
            if (Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new UsageException(file + ": already exists (jvmm image create never overwrites)");
            }
            Path dir = file.toAbsolutePath().getParent();
            if (dir == null || !Files.isDirectory(dir)) {
                throw new UsageException(file + ": no such directory " + dir);
            }
            if (backingFormat != null && backing == null) {
                throw new UsageException("--backing-format needs --backing");
            }
            try {
                if (f == ImageFormat.RAW) {
                    if (backing != null) {
                        throw new UsageException("--backing: a raw image cannot have a backing file (use --format qcow2)");
                    }
                    RawImage.create(file, requiredSize());
                    return 0;
                }
                long bytes = size == null ? -1 : DiskSize.parse(size);
                if (bytes < 0 && backing == null) {
                    requiredSize();
                }
                String backingName = null;
                ImageFormat backingFmt = null;
                if (backing != null) {
                    Path b = RunCommand.readableFile("--backing", backing).toAbsolutePath().normalize();
                    if (b.equals(file.toAbsolutePath().normalize())) {
                        throw new UsageException("--backing: an image cannot be its own backing file");
                    }
                    backingFmt = backingFormat != null ? format(backingFormat, "--backing-format") : DiskImages.probe(b);
                    // Relative to the new image's directory, so the pair can move together.
                    backingName = dir.normalize().relativize(b).toString();
                }
                Qcow2Image.create(file, bytes, Qcow2Creator.DEFAULT_CLUSTER_SIZE, backingName, backingFmt);
                return 0;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                throw new UsageException(file + ": already exists (jvmm image create never overwrites)");
            } catch (java.nio.file.AccessDeniedException e) {
                throw new UsageException(file + ": permission denied");
            } catch (IOException e) {
                throw new UsageException("cannot create " + file + ": " + e.getMessage());
            }
        }

        private long requiredSize() throws UsageException {
            if (size == null) {
                throw new UsageException("missing SIZE (e.g. jvmm image create --format " + format + " " + file + " 1G)");
            }
            return DiskSize.parse(size);
        }

        private static ImageFormat format(String name, String option) throws UsageException {
            return switch (name) {
                case "raw" -> ImageFormat.RAW;
                case "qcow2" -> ImageFormat.QCOW2;
                default -> throw new UsageException(option + ": unknown format '" + name + "' (qcow2 or raw)");
            };
        }
    }
}

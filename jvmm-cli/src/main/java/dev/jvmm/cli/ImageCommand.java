package dev.jvmm.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;

import dev.jvmm.image.DebianGuestImages;
import dev.jvmm.image.GuestImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jvmm image}: guest images in the user cache. */
@Command(name = "image", description = "Manage guest images in the user cache.", mixinStandardHelpOptions = true,
        subcommands = ImageCommand.Fetch.class)
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
}

package dev.jvmm.it;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where {@code ./jvmm image fetch} (run by run-tests before the suite) keeps the default guest. */
final class GuestImages {

    private GuestImages() {
    }

    static Path debian() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path cache = (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache"))
                .resolve("jvmm").resolve("debian-trixie-riscv64");
        for (String file : new String[] {"Image", "busybox", "initramfs.cpio.gz"}) {
            if (!Files.isRegularFile(cache.resolve(file))) {
                throw new IllegalStateException("the default guest is not in " + cache
                        + ": run ./jvmm image fetch (run-tests does)");
            }
        }
        return cache;
    }
}

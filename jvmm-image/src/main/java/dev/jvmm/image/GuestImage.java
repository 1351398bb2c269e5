package dev.jvmm.image;

import java.nio.file.Path;

/**
 * A verified guest image in the cache.
 *
 * @param directory     the cache directory ({@code ~/.cache/jvmm/debian-trixie-riscv64})
 * @param kernel        the flat RISC-V {@code Image}
 * @param initramfs     the gzip'ed newc initramfs
 * @param kernelVersion the kernel's release ({@code uname -r}), also the name of {@code modules/VERSION}
 */
public record GuestImage(Path directory, Path kernel, Path initramfs, String kernelVersion) {

    public Path modules() {
        return directory.resolve("modules").resolve(kernelVersion);
    }
}

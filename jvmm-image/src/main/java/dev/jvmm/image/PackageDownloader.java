package dev.jvmm.image;

import java.nio.file.Path;
import java.util.List;

/** Gets Debian binary packages for riscv64 from some archive. */
public interface PackageDownloader {

    /** The versioned kernel package that {@code linux-image-riscv64} depends on ({@code linux-image-6.12.x-riscv64}). */
    String kernelPackage() throws ImageException;

    /** Downloads the named packages' {@code .deb} files into {@code dir}; returns them in the order asked. */
    List<Path> download(List<String> packages, Path dir) throws ImageException;

    /** Makes a downloader for a suite, keeping its state (package lists) in {@code stateDir}. */
    interface Factory {
        PackageDownloader forSuite(String suite, Path stateDir) throws ImageException;
    }
}

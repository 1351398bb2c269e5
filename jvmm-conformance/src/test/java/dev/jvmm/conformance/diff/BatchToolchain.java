package dev.jvmm.conformance.diff;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds batch ELFs with the cross assembler and linker directly: runtime.S (which needs the C
 * preprocessor) is compiled once by gcc, and each batch, plain assembly, goes through
 * {@code riscv64-linux-gnu-as} and {@code ld} only, which skips gcc's driver and preprocessor
 * (about half of gcc's time on a batch). The flags are those gcc passes for
 * {@code -march=rv64gc -mabi=lp64d -Wl,--no-relax}.
 */
final class BatchToolchain {

    static final String GCC = "riscv64-linux-gnu-gcc";
    static final String AS = "riscv64-linux-gnu-as";
    static final String LD = "riscv64-linux-gnu-ld";
    private static final long TIMEOUT_SECONDS = 120;

    private final Path sources;
    private final Path runtimeObject;

    /** {@code sources} holds runtime.S, diff.h and link.ld; runtime.S is compiled here, once. */
    BatchToolchain(Path sources) throws IOException, InterruptedException {
        this.sources = sources;
        this.runtimeObject = sources.resolve("runtime.o");
        exec("compiling runtime.S", List.of(GCC, "-c", "-fno-pic", "-march=rv64gc", "-mabi=lp64d", "-I", sources.toString(),
                "-o", runtimeObject.toString(), sources.resolve("runtime.S").toString()));
    }

    /** Assembles {@code source} and links it with the runtime into {@code elf}; the object goes next to the ELF. */
    void build(Path source, Path elf) throws IOException, InterruptedException {
        Path object = elf.resolveSibling(elf.getFileName() + ".o");
        exec("assembling " + source, List.of(AS, "-march=rv64gc", "-mabi=lp64d", "-o", object.toString(),
                source.toString()));
        exec("linking " + elf, List.of(LD, "--build-id=none", "--no-relax", "--no-warn-rwx-segments",
                "-T", sources.resolve("link.ld").toString(), "-o", elf.toString(),
                runtimeObject.toString(), object.toString()));
        Files.deleteIfExists(object);
    }

    private static void exec(String what, List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(what + " timed out");
        }
        if (p.exitValue() != 0) {
            throw new IOException(what + " failed:\n" + output);
        }
    }
}

package dev.jvmm.conformance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Assembles and links one conformance program with Debian's riscv64 cross gcc, and disassembles it. */
public final class CrossToolchain {

    public static final String GCC = "riscv64-linux-gnu-gcc";
    public static final String OBJDUMP = "riscv64-linux-gnu-objdump";
    private static final long TIMEOUT_SECONDS = 60;

    private final Path sources;

    /** {@code sources} holds runtime.S, link.ld, the headers and the programs. */
    public CrossToolchain(Path sources) {
        this.sources = sources;
    }

    /** Whether the cross compiler can be started at all. */
    public static boolean available() {
        try {
            Process p = new ProcessBuilder(GCC, "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Builds {@code <name>.S} together with runtime.S into {@code out/<name>.elf}; throws with gcc's output on failure. */
    public Path build(String name, Path out) throws IOException, InterruptedException {
        Files.createDirectories(out);
        Path elf = out.resolve(name + ".elf");
        List<String> cmd = new ArrayList<>(List.of(GCC,
                "-nostdlib", "-nostartfiles", "-static", "-no-pie", "-fno-pic",
                "-march=rv64gc", "-mabi=lp64d",
                "-Wl,--build-id=none", "-Wl,--no-relax", "-Wl,--no-warn-rwx-segments",
                "-T", sources.resolve("link.ld").toString(),
                "-I", sources.toString(),
                "-o", elf.toString(),
                sources.resolve("runtime.S").toString(),
                sources.resolve(name + ".S").toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("building " + name + " timed out");
        }
        if (p.exitValue() != 0) {
            throw new IOException("building " + name + " failed:\n" + output);
        }
        return elf;
    }

    /**
     * The disassembly of {@code elf}'s code ({@code objdump -d -M no-aliases}: canonical mnemonics,
     * so {@code csrr} shows as {@code csrrs} and compressed instructions keep their {@code c.} names).
     */
    public static String disassemble(Path elf) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(OBJDUMP, "-d", "-M", "no-aliases", elf.toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("disassembling " + elf + " timed out");
        }
        if (p.exitValue() != 0) {
            throw new IOException("disassembling " + elf + " failed:\n" + output);
        }
        return output;
    }
}

package dev.jvmm.cpu.riscv.translate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Assembles RV64GC snippets with the installed riscv64-linux-gnu binutils, linked at a given address. */
final class Assembler {

    record Program(byte[] image, Map<String, Long> symbols) {
        long symbol(String name) {
            Long v = symbols.get(name);
            if (v == null) {
                throw new IllegalArgumentException("no symbol " + name);
            }
            return v;
        }
    }

    private static final Map<String, Program> CACHE = new ConcurrentHashMap<>();

    private Assembler() {
    }

    /** {@code source} after a {@code _start} label, linked with .text at {@code base}. */
    static Program assemble(String source, long base) {
        return CACHE.computeIfAbsent(base + "\n" + source, k -> assembleUncached(source, base));
    }

    private static Program assembleUncached(String source, long base) {
        try {
            Path dir = Files.createTempDirectory("jittest");
            try {
                Files.writeString(dir.resolve("t.s"),
                        "    .option norelax\n    .text\n    .globl _start\n_start:\n" + source + "\n");
                exec(dir, "riscv64-linux-gnu-as", "-march=rv64gc", "-mabi=lp64d", "-o", "t.o", "t.s");
                exec(dir, "riscv64-linux-gnu-ld", "-nostdlib", "-Ttext=0x" + Long.toHexString(base), "-e", "_start",
                        "-o", "t.elf", "t.o");
                exec(dir, "riscv64-linux-gnu-objcopy", "-O", "binary", "-j", ".text", "t.elf", "t.bin");
                String nm = exec(dir, "riscv64-linux-gnu-nm", "t.elf");
                Map<String, Long> symbols = new HashMap<>();
                for (String line : nm.split("\n")) {
                    String[] parts = line.trim().split("\\s+");
                    if (parts.length == 3) {
                        symbols.put(parts[2], Long.parseUnsignedLong(parts[0], 16));
                    }
                }
                return new Program(Files.readAllBytes(dir.resolve("t.bin")), symbols);
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path p : files.toList()) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String exec(Path dir, String... command) throws IOException {
        Process p = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return out;
    }
}

package dev.jvmm.conformance.diff;

import dev.jvmm.cpu.riscv.Engine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Where the differential tests work, and the system properties that drive the long mode. */
final class DiffSettings {

    private DiffSettings() {
    }

    /** target/diff (next to the conformance suite's target/conformance). */
    static Path workDir() {
        return Path.of(System.getProperty("jvmm.conformance.out", "target/conformance")).toAbsolutePath()
                .resolveSibling("diff");
    }

    /**
     * The engines named by system property {@code name}, a comma-separated list of {@code interp}
     * and {@code jit} (as the CLI's {@code --engine}); both when it is not given.
     */
    static List<Engine> engines(String name) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank()) {
            return List.of(Engine.INTERPRETER, Engine.JIT);
        }
        List<Engine> out = new ArrayList<>();
        for (String part : v.split(",")) {
            Engine e = switch (part.strip()) {
                case "interp" -> Engine.INTERPRETER;
                case "jit" -> Engine.JIT;
                default -> throw new IllegalArgumentException("-D" + name + "=" + v + ": engines are interp and jit");
            };
            if (!out.contains(e)) {
                out.add(e);
            }
        }
        return out;
    }

    static long longProperty(String name, long fallback) {
        String v = System.getProperty(name);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + name + "=" + v + " is not a number", e);
        }
    }
}

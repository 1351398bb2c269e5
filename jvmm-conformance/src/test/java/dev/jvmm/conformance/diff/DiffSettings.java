package dev.jvmm.conformance.diff;

import java.nio.file.Path;

/** Where the differential tests work, and the system properties that drive the long mode. */
final class DiffSettings {

    private DiffSettings() {
    }

    /** target/diff (next to the conformance suite's target/conformance). */
    static Path workDir() {
        return Path.of(System.getProperty("jvmm.conformance.out", "target/conformance")).toAbsolutePath()
                .resolveSibling("diff");
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

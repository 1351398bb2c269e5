package dev.jvmm.storage;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs Debian's qemu-img / qemu-io (package qemu-utils). Missing tools fail the test loudly. */
final class QemuTools {

    record Result(int exitCode, String output) {
    }

    private QemuTools() {
    }

    static Result run(String... command) throws IOException, InterruptedException {
        String tool = command[0];
        if (!Files.isExecutable(Path.of("/usr/bin", tool))) {
            fail("/usr/bin/" + tool + " is missing: install Debian package qemu-utils (this test must not be skipped)");
        }
        List<String> cmd = new ArrayList<>(List.of(command));
        cmd.set(0, "/usr/bin/" + tool);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " timed out");
        }
        return new Result(p.exitValue(), out);
    }

    /** Runs a command and fails unless it exits 0. */
    static String ok(String... command) throws IOException, InterruptedException {
        Result r = run(command);
        if (r.exitCode() != 0) {
            fail(String.join(" ", command) + " exited " + r.exitCode() + ":\n" + r.output());
        }
        return r.output();
    }

    /** qemu-img check: exit 0 means clean, 3 means only leaked clusters, 2 means corruption. */
    static Result check(Path image) throws IOException, InterruptedException {
        return run("qemu-img", "check", "-f", "qcow2", image.toString());
    }

    static void assertCheckClean(Path image) throws IOException, InterruptedException {
        Result r = check(image);
        if (r.exitCode() != 0) {
            fail("qemu-img check " + image + " exited " + r.exitCode() + ":\n" + r.output());
        }
    }

    static void assertSameContents(Path qcow2, Path raw) throws IOException, InterruptedException {
        ok("qemu-img", "compare", "-f", "qcow2", "-F", "raw", qcow2.toString(), raw.toString());
    }
}

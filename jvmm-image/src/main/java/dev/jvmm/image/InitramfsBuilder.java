package dev.jvmm.image;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Builds jvmm's gzip'ed newc initramfs: a static busybox as {@code /bin/busybox}, the
 * {@link InitScript} as {@code /init} (with udhcpc's event script), the kernel modules (decompressed, with a matching
 * {@code modules.dep}) under {@code /lib/modules/VERSION}, and the usual directories and
 * device nodes. Needs no privileges: the archive is written directly.
 */
public final class InitramfsBuilder {

    /** A module to include: where it goes under the module directory, its direct dependencies' paths, its bytes. */
    public record ModuleFile(String path, List<String> dependencyPaths, byte[] contents) {
    }

    private final byte[] busybox;
    private final String kernelVersion;
    private final List<ModuleFile> modules;

    /** {@code modules} in load order. */
    public InitramfsBuilder(byte[] busybox, String kernelVersion, List<ModuleFile> modules) {
        this.busybox = busybox.clone();
        this.kernelVersion = kernelVersion;
        this.modules = List.copyOf(modules);
    }

    public void writeTo(Path file) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            writeTo(out);
        }
    }

    /** Writes the gzip'ed archive; closes {@code out}. */
    public void writeTo(OutputStream out) throws IOException {
        try (NewcArchiveWriter cpio = new NewcArchiveWriter(
                new GZIPOutputStream(new BufferedOutputStream(out, 1 << 16), 1 << 16))) {
            for (String dir : List.of("bin", "sbin", "usr/bin", "usr/sbin", "etc", "proc", "sys", "dev", "run",
                    "mnt", "var", "lib")) {
                cpio.addDirectory(dir, 0755);
            }
            cpio.addDirectory("root", 0700);
            cpio.addDirectory("tmp", 01777);
            cpio.addCharDevice("dev/console", 0600, 5, 1);
            cpio.addCharDevice("dev/null", 0666, 1, 3);
            cpio.addFile("bin/busybox", 0755, busybox);
            cpio.addSymlink("bin/sh", "busybox");
            cpio.addFile("init", 0755, utf8(InitScript.init(kernelVersion,
                    modules.stream().map(ModuleFile::path).toList())));
            cpio.addFile("etc/inittab", 0644, utf8(InitScript.inittab()));
            cpio.addFile("etc/profile", 0644, utf8(InitScript.profile()));
            cpio.addFile("etc/passwd", 0644, utf8("root:x:0:0:root:/root:/bin/sh\n"));
            cpio.addFile("etc/group", 0644, utf8("root:x:0:\n"));
            cpio.addFile("etc/hostname", 0644, utf8("jvmm\n"));
            cpio.addFile(InitScript.UDHCPC_SCRIPT.substring(1), 0755, utf8(InitScript.udhcpcScript()));
            String moduleDir = "lib/modules/" + kernelVersion;
            cpio.addDirectory(moduleDir, 0755);
            List<String> depLines = new ArrayList<>();
            for (ModuleFile m : modules) {
                cpio.addFile(moduleDir + "/" + m.path(), 0644, m.contents());
                depLines.add(m.path() + ":" + (m.dependencyPaths().isEmpty() ? "" : " " + String.join(" ", m.dependencyPaths())));
            }
            cpio.addFile(moduleDir + "/modules.dep", 0644, utf8(String.join("\n", depLines) + (depLines.isEmpty() ? "" : "\n")));
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

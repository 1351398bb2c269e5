package dev.jvmm.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Builds small Debian packages with {@code dpkg-deb --build} and fake kernel files for tests. */
final class TestPackages {

    private TestPackages() {
    }

    /** Builds {@code name_1.0_riscv64.deb} in {@code outDir} holding {@code files} (path -> contents). */
    static Path buildDeb(Path work, Path outDir, String name, String compression, Map<String, byte[]> files)
            throws Exception {
        Path root = work.resolve("pkg-" + name);
        Files.createDirectories(root.resolve("DEBIAN"));
        Files.writeString(root.resolve("DEBIAN/control"), """
                Package: %s
                Version: 1.0
                Architecture: riscv64
                Maintainer: jvmm tests <tests@invalid>
                Description: a test package
                """.formatted(name));
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path file = root.resolve(f.getKey());
            Files.createDirectories(file.getParent());
            Files.write(file, f.getValue());
        }
        Path deb = outDir.resolve(name + "_1.0_riscv64.deb");
        Process p = new ProcessBuilder("dpkg-deb", "--root-owner-group", "-Z" + compression, "--build",
                root.toString(), deb.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return deb;
    }

    /** A fake flat RISC-V Image: "MZ", then both magics in the header. */
    static byte[] fakeKernel() {
        byte[] k = new byte[4096];
        k[0] = 'M';
        k[1] = 'Z';
        System.arraycopy("RISCV\0\0\0".getBytes(StandardCharsets.US_ASCII), 0, k, 0x30, 8);
        System.arraycopy(new byte[] {'R', 'S', 'C', 0x05}, 0, k, 0x38, 4);
        return k;
    }

    /** A minimal ELF64 relocatable object whose only content is a {@code .modinfo} section. */
    static byte[] fakeModule(String... modinfo) {
        StringBuilder info = new StringBuilder();
        for (String s : modinfo) {
            info.append(s).append('\0');
        }
        byte[] infoBytes = info.toString().getBytes(StandardCharsets.UTF_8);
        byte[] names = "\0.shstrtab\0.modinfo\0".getBytes(StandardCharsets.US_ASCII);
        int namesOff = 64;
        int infoOff = namesOff + names.length;
        int shoff = (infoOff + infoBytes.length + 7) & ~7;
        ByteBuffer b = ByteBuffer.allocate(shoff + 3 * 64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        b.putShort(16, (short) 1); // ET_REL
        b.putShort(18, (short) 0xf3); // EM_RISCV
        b.putInt(20, 1);
        b.putLong(0x28, shoff);
        b.putShort(0x34, (short) 64);
        b.putShort(0x3a, (short) 64);
        b.putShort(0x3c, (short) 3);
        b.putShort(0x3e, (short) 1);
        b.put(namesOff, names);
        b.put(infoOff, infoBytes);
        section(b, shoff + 64, 1, 3, namesOff, names.length);
        section(b, shoff + 128, 11, 1, infoOff, infoBytes.length);
        return b.array();
    }

    private static void section(ByteBuffer b, int at, int name, int type, long offset, long size) {
        b.putInt(at, name);
        b.putInt(at + 4, type);
        b.putLong(at + 0x18, offset);
        b.putLong(at + 0x20, size);
    }

    static byte[] xz(byte[] data) throws IOException {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var out = new org.tukaani.xz.XZOutputStream(bytes, new org.tukaani.xz.LZMA2Options())) {
            out.write(data);
        }
        return bytes.toByteArray();
    }
}

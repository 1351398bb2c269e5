package dev.jvmm.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DebianGuestImagesTest {

    private static final String VERSION = "6.0.0-test-riscv64";

    @TempDir
    Path tmp;

    private final List<String> downloads = new ArrayList<>();
    private final List<String> progress = new ArrayList<>();
    private Path packages;
    private DebianGuestImages images;

    /** Serves two packages built with dpkg-deb; records each download. */
    private final class FakeDownloader implements PackageDownloader {
        @Override
        public String kernelPackage() {
            return "linux-image-" + VERSION;
        }

        @Override
        public List<Path> download(List<String> names, Path dir) throws ImageException {
            downloads.addAll(names);
            try {
                List<Path> debs = new ArrayList<>();
                for (String n : names) {
                    Path src = packages.resolve(n + "_1.0_riscv64.deb");
                    debs.add(Files.copy(src, dir.resolve(src.getFileName())));
                }
                return debs;
            } catch (IOException e) {
                throw new ImageException(e.getMessage(), e);
            }
        }
    }

    @BeforeEach
    void buildPackages() throws Exception {
        packages = Files.createDirectory(tmp.resolve("packages"));
        String mods = "usr/lib/modules/" + VERSION + "/";
        Map<String, byte[]> kernel = new LinkedHashMap<>();
        kernel.put("boot/vmlinux-" + VERSION, TestPackages.fakeKernel());
        kernel.put(mods + "kernel/fs/ext4/ext4.ko.xz",
                TestPackages.xz(TestPackages.fakeModule("depends=jbd2,mbcache", "name=ext4")));
        kernel.put(mods + "kernel/fs/jbd2/jbd2.ko.xz", TestPackages.xz(TestPackages.fakeModule("depends=", "name=jbd2")));
        kernel.put(mods + "kernel/fs/mbcache.ko.xz", TestPackages.xz(TestPackages.fakeModule("depends=", "name=mbcache")));
        kernel.put(mods + "kernel/drivers/virtio/virtio_mmio.ko.xz",
                TestPackages.xz(TestPackages.fakeModule("depends=", "name=virtio_mmio")));
        kernel.put(mods + "kernel/drivers/char/hw_random/virtio-rng.ko.xz",
                TestPackages.xz(TestPackages.fakeModule("depends=", "name=virtio_rng")));
        kernel.put(mods + "kernel/sound/unrelated.ko.xz", TestPackages.xz(TestPackages.fakeModule("depends=")));
        kernel.put(mods + "modules.builtin", "kernel/drivers/char/virtio_console.ko\n".getBytes(StandardCharsets.UTF_8));
        TestPackages.buildDeb(tmp, packages, "linux-image-" + VERSION, "xz", kernel);
        TestPackages.buildDeb(tmp, packages, "busybox-static", "xz",
                Map.of("usr/bin/busybox", "fake static busybox".getBytes(StandardCharsets.UTF_8)));
        images = new DebianGuestImages(tmp.resolve("cache"), (suite, state) -> new FakeDownloader(), progress::add);
    }

    private static String cpio(byte[] stdin, Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("cpio", "--quiet"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().write(stdin);
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static byte[] gunzip(Path file) throws IOException {
        try (var in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }

    @Test
    void fetchBuildsKernelModulesAndInitramfsInTheSuiteDirectory() throws Exception {
        GuestImage image = images.get("trixie", false);

        assertThat(image.directory()).isEqualTo(tmp.resolve("cache/debian-trixie-riscv64"));
        assertThat(image.kernelVersion()).isEqualTo(VERSION);
        assertThat(Files.readAllBytes(image.kernel())).isEqualTo(TestPackages.fakeKernel());
        assertThat(image.modules().resolve("kernel/fs/ext4/ext4.ko")).exists();
        assertThat(image.modules().resolve("kernel/sound/unrelated.ko")).doesNotExist();
        assertThat(Files.readString(image.modules().resolve("modules.dep")))
                .contains("kernel/fs/ext4/ext4.ko: kernel/fs/mbcache.ko kernel/fs/jbd2/jbd2.ko");
        assertThat(ChecksumManifest.read(image.directory()).orElseThrow().files())
                .contains("Image", "initramfs.cpio.gz", "busybox", "modules/" + VERSION + "/kernel/fs/ext4/ext4.ko");

        byte[] archive = gunzip(image.initramfs());
        List<String> names = cpio(archive, tmp, "-t").lines().toList();
        assertThat(names).contains("init", "bin/busybox", "bin/sh", "dev/console", "etc/inittab", "proc", "sys",
                "lib/modules/" + VERSION + "/kernel/fs/ext4/ext4.ko", "lib/modules/" + VERSION + "/modules.dep");
        assertThat(cpio(archive, tmp, "-tv")).containsPattern("(?m)^crw------- .* 5, +1 .* dev/console$");

        Path root = Files.createDirectory(tmp.resolve("root"));
        cpio(archive, root, "-i", "-d", "--no-absolute-filenames", "init", "bin/busybox", "lib/*");
        String init = Files.readString(root.resolve("init"));
        assertThat(init).startsWith("#!/bin/busybox sh\n");
        List<String> insmods = init.lines().filter(l -> l.startsWith("insmod ")).toList();
        assertThat(insmods).containsExactly(
                "insmod $modules/kernel/drivers/virtio/virtio_mmio.ko 2>/dev/null",
                "insmod $modules/kernel/drivers/char/hw_random/virtio-rng.ko 2>/dev/null",
                "insmod $modules/kernel/fs/jbd2/jbd2.ko 2>/dev/null",
                "insmod $modules/kernel/fs/mbcache.ko 2>/dev/null",
                "insmod $modules/kernel/fs/ext4/ext4.ko 2>/dev/null");
        assertThat(Files.readString(root.resolve("bin/busybox"))).isEqualTo("fake static busybox");
        assertThat(Files.readAllBytes(root.resolve("lib/modules/" + VERSION + "/kernel/fs/ext4/ext4.ko")))
                .isEqualTo(TestPackages.fakeModule("depends=jbd2,mbcache", "name=ext4"));
        assertThat(downloads).containsExactly("linux-image-" + VERSION, "busybox-static");
        assertThat(tmp.resolve("cache/.debian-trixie-riscv64.partial")).doesNotExist();
    }

    @Test
    void aSecondFetchWithAVerifiedCacheDownloadsNothing() throws Exception {
        images.get("trixie", false);
        downloads.clear();
        GuestImage again = images.get("trixie", false);
        assertThat(downloads).isEmpty();
        assertThat(again.kernel()).exists();
    }

    @Test
    void twoFetchesAtOnceDownloadOnceAndBothGetTheImage() throws Exception {
        var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> fetch(), r -> Thread.ofPlatform().start(r));
        var second = java.util.concurrent.CompletableFuture.supplyAsync(() -> fetch(), r -> Thread.ofPlatform().start(r));
        assertThat(first.get().kernel()).exists();
        assertThat(second.get().kernel()).isEqualTo(first.get().kernel());
        assertThat(downloads).containsExactly("linux-image-" + VERSION, "busybox-static");
    }

    private GuestImage fetch() {
        try {
            return images.get("trixie", false);
        } catch (ImageException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aDamagedCacheFileFailsVerificationAndIsFetchedAgain() throws Exception {
        GuestImage image = images.get("trixie", false);
        Files.write(image.kernel(), new byte[] {1, 2, 3});
        assertThat(images.cached("trixie")).isEmpty();
        downloads.clear();
        GuestImage fixed = images.get("trixie", false);
        assertThat(downloads).isNotEmpty();
        assertThat(Files.readAllBytes(fixed.kernel())).isEqualTo(TestPackages.fakeKernel());
    }

    @Test
    void anImageBuiltByAnOlderJvmmIsRebuilt() throws Exception {
        GuestImage image = images.get("trixie", false);
        Path format = image.directory().resolve(DebianGuestImages.FORMAT_FILE);
        Files.writeString(format, "jvmm-debian-guest 1\n");
        ChecksumManifest manifest = ChecksumManifest.read(image.directory()).orElseThrow();
        ChecksumManifest.compute(image.directory(), manifest.files()).write(image.directory());
        assertThat(images.cached("trixie")).isEmpty();
        downloads.clear();
        images.get("trixie", false);
        assertThat(downloads).isNotEmpty();
        assertThat(Files.readString(format)).isEqualTo(DebianGuestImages.FORMAT);
    }

    @Test
    void forceFetchesEvenWhenTheCacheIsComplete() throws Exception {
        images.get("trixie", false);
        downloads.clear();
        images.get("trixie", true);
        assertThat(downloads).containsExactly("linux-image-" + VERSION, "busybox-static");
    }

    @Test
    void aKernelWithoutTheRiscvMagicIsRejected() throws Exception {
        Files.delete(packages.resolve("linux-image-" + VERSION + "_1.0_riscv64.deb"));
        TestPackages.buildDeb(tmp.resolve("other"), packages, "linux-image-" + VERSION, "xz",
                Map.of("boot/vmlinux-" + VERSION, new byte[4096]));
        assertThatThrownBy(() -> images.get("trixie", false))
                .isInstanceOf(ImageException.class).hasMessageContaining("not a RISC-V Linux Image");
        assertThat(images.cached("trixie")).isEmpty();
    }

    @Test
    void cacheRootFollowsXdgCacheHome() {
        assertThat(DebianGuestImages.defaultCacheRoot().getFileName().toString()).isEqualTo("jvmm");
    }
}

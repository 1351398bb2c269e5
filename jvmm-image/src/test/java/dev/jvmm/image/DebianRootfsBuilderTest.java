package dev.jvmm.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DebianRootfsBuilderTest {

    @TempDir
    Path tmp;

    private final List<String> progress = new ArrayList<>();

    @Test
    void firstStageIsForeignRiscv64MinbaseFromTheHostArchive() {
        DebianRootfsBuilder builder = new DebianRootfsBuilder(tmp, progress::add);
        AptSource archive = new AptSource("http://mirror.example/debian", "bookworm", List.of("main"), Optional.empty());
        List<String> command = builder.firstStageCommand("trixie", tmp.resolve("root"), archive);
        assertThat(command.getFirst()).endsWith("debootstrap");
        assertThat(command).contains("--foreign", "--arch=riscv64", "--variant=minbase", "--include=systemd-sysv,udev");
        assertThat(command.subList(command.size() - 3, command.size()))
                .containsExactly("trixie", tmp.resolve("root").toString(), "http://mirror.example/debian");
    }

    @Test
    void archiveIsTheHostsDebianSource() throws Exception {
        Files.writeString(tmp.resolve("sources.list"), "deb http://mirror.example/debian bookworm main\n");
        assertThat(new DebianRootfsBuilder(tmp, progress::add).archive().uri()).isEqualTo("http://mirror.example/debian");
    }

    @Test
    void secondStagePreparationInstallsTheScriptAndTheKernelModules() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.createSymbolicLink(root.resolve("proc"), Path.of("/proc"));
        Path image = tmp.resolve("image");
        Path module = image.resolve("modules/6.12.0-t/kernel/fs/ext4/ext4.ko");
        Files.createDirectories(module.getParent());
        Files.write(module, new byte[] {7});
        new DebianRootfsBuilder(tmp, progress::add).prepareSecondStage(root, "debian",
                new GuestImage(image, image.resolve("Image"), image.resolve("initramfs.cpio.gz"), "6.12.0-t"));
        Path script = root.resolve("jvmm-second-stage");
        assertThat(Files.readString(script)).isEqualTo(SecondStageScript.text("debian"));
        assertThat(Files.isExecutable(script)).isTrue();
        assertThat(root.resolve("proc")).isDirectory().isNotEqualTo(Path.of("/proc"));
        assertThat(Files.isSymbolicLink(root.resolve("proc"))).isFalse();
        assertThat(root.resolve("sys")).isDirectory();
        assertThat(Files.readAllBytes(root.resolve("usr/lib/modules/6.12.0-t/kernel/fs/ext4/ext4.ko")))
                .containsExactly(7);
    }

    @Test
    void ext4ImageHoldsTheDirectoryContents() throws Exception {
        assumeThat(DebianRootfsBuilder.missingTools()).isEmpty();
        assumeThat(Path.of("/sbin/debugfs")).exists();
        Path root = Files.createDirectories(tmp.resolve("root/etc"));
        Files.writeString(root.resolve("hostname"), "jvmm-test\n");
        Path image = tmp.resolve("fs.img");
        new DebianRootfsBuilder(tmp, progress::add).makeExt4(tmp.resolve("root"), image, 16L << 20);
        assertThat(Files.size(image)).isEqualTo(16L << 20);
        Process p = new ProcessBuilder("/sbin/debugfs", "-R", "cat /etc/hostname", image.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(out).isEqualTo("jvmm-test\n");
    }
}

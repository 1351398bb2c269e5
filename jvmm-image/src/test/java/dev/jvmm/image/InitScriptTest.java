package dev.jvmm.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InitScriptTest {

    @TempDir
    Path tmp;

    /** Runs a script with the host's sh; returns its output (stdout and stderr). */
    private static String sh(String script) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private String selectRoot(String cmdline) throws Exception {
        Path file = Files.writeString(tmp.resolve("cmdline"), cmdline + "\n");
        String selection = InitScript.ROOT_SELECTION.replace("/proc/cmdline", file.toString());
        return sh(selection + "echo \"root=[$root] mode=$rootmode type=$rootfstype init=$rootinit\"").strip();
    }

    @Test
    void rootSelectionTakesRootModeTypeAndInitFromTheCommandLine() throws Exception {
        assertThat(selectRoot("console=ttyS0 root=/dev/vda rw rootfstype=ext2 init=/jvmm-second-stage quiet"))
                .isEqualTo("root=[/dev/vda] mode=rw type=ext2 init=/jvmm-second-stage");
    }

    @Test
    void rootSelectionDefaultsToReadOnlyExt4AndSbinInit() throws Exception {
        assertThat(selectRoot("console=ttyS0 root=/dev/vdb"))
                .isEqualTo("root=[/dev/vdb] mode=ro type=ext4 init=/sbin/init");
    }

    @Test
    void withoutRootOnTheCommandLineNoRootIsSelected() throws Exception {
        assertThat(selectRoot("console=ttyS0 rw")).startsWith("root=[] ");
    }

    @Test
    void unmountableRootIsReportedAndInitGoesOnToTheShell() throws Exception {
        String out = sh("""
                root=/dev/jvmm-test-missing rootmode=rw rootfstype=ext4 rootinit=/sbin/init
                sleep() { :; }
                mkdir() { :; }
                mount() { echo "mount $*"; return 1; }
                switch_root() { echo "switch_root $*"; }
                """ + InitScript.SWITCH_ROOT + "echo fell-through\n");
        assertThat(out.lines().toList()).containsExactly(
                "mount -t ext4 -o rw /dev/jvmm-test-missing /newroot",
                "jvmm: cannot mount root=/dev/jvmm-test-missing (ext4, rw); staying in the initramfs",
                "fell-through");
    }

    @Test
    void rootWithoutItsInitIsUnmountedAndInitGoesOnToTheShell() throws Exception {
        String out = sh("""
                root=/dev/jvmm-test-missing rootmode=ro rootfstype=ext4 rootinit=/jvmm-test-no-such-init
                sleep() { :; }
                mkdir() { :; }
                mount() { echo "mount $*"; }
                umount() { echo "umount $*"; }
                switch_root() { echo "switch_root $*"; }
                """ + InitScript.SWITCH_ROOT + "echo fell-through\n");
        assertThat(out.lines().toList()).containsExactly(
                "mount -t ext4 -o ro /dev/jvmm-test-missing /newroot",
                "jvmm: /dev/jvmm-test-missing has no /jvmm-test-no-such-init; staying in the initramfs",
                "umount /newroot",
                "fell-through");
    }

    @Test
    void initramfsInitLoadsModulesBeforeSwitchingRootAndIsValidShell() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        new InitramfsBuilder("busybox".getBytes(StandardCharsets.UTF_8), "6.12.0-test", List.of(
                new InitramfsBuilder.ModuleFile("kernel/drivers/block/virtio_blk.ko", List.of(), new byte[] {1}),
                new InitramfsBuilder.ModuleFile("kernel/fs/ext4/ext4.ko", List.of(), new byte[] {2})))
                .writeTo(gz);
        byte[] archive;
        try (var in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz.toByteArray()))) {
            archive = in.readAllBytes();
        }
        Process p = new ProcessBuilder("cpio", "--quiet", "-i", "-d", "--no-absolute-filenames", "init")
                .directory(tmp.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().write(archive);
        p.getOutputStream().close();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String init = Files.readString(tmp.resolve("init"));

        int lastInsmod = init.lastIndexOf("insmod $modules/kernel/fs/ext4/ext4.ko");
        int mount = init.indexOf("mount -t \"$rootfstype\"");
        int switchRoot = init.indexOf("exec switch_root /newroot \"$rootinit\"");
        int busyboxInit = init.indexOf("exec /bin/busybox init");
        assertThat(lastInsmod).isPositive();
        assertThat(mount).isGreaterThan(lastInsmod);
        assertThat(switchRoot).isGreaterThan(mount);
        assertThat(busyboxInit).isGreaterThan(switchRoot);
        Path script = Files.writeString(tmp.resolve("init.sh"), init);
        sh("sh -n " + script);
    }
}

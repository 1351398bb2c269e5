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

    /** Builds an initramfs with two fake modules and extracts {@code names} into {@link #tmp}. */
    private void extractFromInitramfs(String... names) throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        new InitramfsBuilder("busybox".getBytes(StandardCharsets.UTF_8), "6.12.0-test", List.of(
                new InitramfsBuilder.ModuleFile("kernel/drivers/block/virtio_blk.ko", List.of(), new byte[] {1}),
                new InitramfsBuilder.ModuleFile("kernel/fs/ext4/ext4.ko", List.of(), new byte[] {2})))
                .writeTo(gz);
        byte[] archive;
        try (var in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz.toByteArray()))) {
            archive = in.readAllBytes();
        }
        List<String> command = new java.util.ArrayList<>(List.of("cpio", "--quiet", "-i", "-d", "--no-absolute-filenames"));
        command.addAll(List.of(names));
        Process p = new ProcessBuilder(command).directory(tmp.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().write(archive);
        p.getOutputStream().close();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void initramfsInitLoadsModulesBeforeSwitchingRootAndIsValidShell() throws Exception {
        extractFromInitramfs("init");
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

    @Test
    void initramfsInitStartsTheNetworkAndAutorunOnlyWhenStayingInTheInitramfs() throws Exception {
        extractFromInitramfs("init");
        String init = Files.readString(tmp.resolve("init"));

        int switchRoot = init.indexOf("exec switch_root /newroot \"$rootinit\"");
        int udhcpc = init.indexOf("udhcpc -i eth0 -s " + InitScript.UDHCPC_SCRIPT + " -q -t 5 -n");
        int autorun = init.indexOf("jvmm.run=*)");
        int busyboxInit = init.indexOf("exec /bin/busybox init");
        assertThat(switchRoot).isPositive();
        assertThat(udhcpc).isGreaterThan(switchRoot);
        assertThat(autorun).isGreaterThan(udhcpc);
        assertThat(busyboxInit).isGreaterThan(autorun);
    }

    @Test
    void initramfsHoldsTheUdhcpcScriptAsAnExecutableAtBusyboxsDefaultPath() throws Exception {
        extractFromInitramfs("etc/udhcpc/default.script");
        Path script = tmp.resolve("etc/udhcpc/default.script");
        assertThat(Files.readString(script)).isEqualTo(InitScript.udhcpcScript());
        assertThat(Files.isExecutable(script)).isTrue();
        sh("sh -n " + script);
    }

    /** Runs udhcpc's event script for {@code event} with {@code env}, {@code ip} only echoed; returns its output. */
    private String udhcpcEvent(String event, String env) throws Exception {
        String script = InitScript.udhcpcScript().replace(InitScript.RESOLV_CONF, tmp.resolve("resolv.conf").toString());
        return sh(env + "\nip() { echo \"ip $*\"; [ \"$2\" != del ]; }\nset -- " + event + "\n" + script);
    }

    @Test
    void udhcpcBoundSetsAddressDefaultRouteAndNameServers() throws Exception {
        String out = udhcpcEvent("bound", "interface=eth0 ip=10.0.2.15 mask=24 subnet=255.255.255.0"
                + " broadcast=10.0.2.255 router='10.0.2.2 10.0.2.9' dns='10.0.2.3 10.0.2.4' domain=example.test");
        assertThat(out.lines().toList()).containsExactly(
                "ip -4 addr flush dev eth0",
                "ip addr add 10.0.2.15/24 broadcast 10.0.2.255 dev eth0",
                "ip route del default dev eth0",
                "ip route add default via 10.0.2.2 dev eth0");
        assertThat(Files.readString(tmp.resolve("resolv.conf")))
                .isEqualTo("search example.test\nnameserver 10.0.2.3\nnameserver 10.0.2.4\n");
    }

    @Test
    void udhcpcBoundWithoutMaskTakesThePrefixFromTheDottedSubnet() throws Exception {
        String out = udhcpcEvent("renew", "interface=eth1 ip=192.168.7.20 subnet=255.255.240.0 dns=192.168.7.1");
        assertThat(out.lines().toList()).containsExactly(
                "ip -4 addr flush dev eth1",
                "ip addr add 192.168.7.20/20 dev eth1");
        assertThat(Files.readString(tmp.resolve("resolv.conf"))).isEqualTo("nameserver 192.168.7.1\n");
    }

    @Test
    void udhcpcDeconfigClearsTheAddressesAndKeepsTheLinkUp() throws Exception {
        String out = udhcpcEvent("deconfig", "interface=eth0");
        assertThat(out.lines().toList()).containsExactly("ip -4 addr flush dev eth0", "ip link set eth0 up");
        assertThat(tmp.resolve("resolv.conf")).doesNotExist();
    }

    /** Runs {@link InitScript#NETWORK_UP} with {@code ip} and {@code udhcpc} only echoed, eth0 present or not. */
    private String networkUp(boolean eth0) throws Exception {
        Path device = tmp.resolve("eth0");
        if (eth0) {
            Files.createFile(device);
        }
        Path log = tmp.resolve("udhcpc.log");
        String block = InitScript.NETWORK_UP.replace("/sys/class/net/eth0", device.toString())
                .replace(InitScript.UDHCPC_LOG, log.toString());
        String out = sh("ip() { echo \"ip $*\"; }\nudhcpc() { echo \"udhcpc $*\"; }\n" + block
                + "[ -n \"$dhcp\" ] && wait \"$dhcp\" && echo \"waited for $dhcp\"\ntrue\n");
        return out + (Files.exists(log) ? Files.readString(log) : "");
    }

    @Test
    void networkUpStartsUdhcpcOnEth0InTheBackground() throws Exception {
        assertThat(networkUp(true).lines().toList()).satisfiesExactly(
                line -> assertThat(line).isEqualTo("ip link set lo up"),
                line -> assertThat(line).isEqualTo("ip link set eth0 up"),
                line -> assertThat(line).matches("waited for [0-9]+"),
                line -> assertThat(line).isEqualTo("udhcpc -i eth0 -s /etc/udhcpc/default.script -q -t 5 -n"));
    }

    @Test
    void networkUpWithoutEth0OnlyBringsUpLoopback() throws Exception {
        assertThat(networkUp(false).lines().toList()).containsExactly("ip link set lo up");
    }

    /** Runs {@link InitScript#AUTORUN} for a command line, with {@code sync} and {@code poweroff} only echoed. */
    private String autorun(String cmdline, String before) throws Exception {
        return sh(before + "\ncmdline='" + cmdline + "'\nsync() { echo sync; }\npoweroff() { echo \"poweroff $*\"; exit 0; }\n"
                + InitScript.AUTORUN + "echo went-on-to-the-shell\n");
    }

    @Test
    void autorunWaitsForDhcpThenRunsTheProgramAndPowersOff() throws Exception {
        Path program = Files.writeString(tmp.resolve("bench"), "#!/bin/sh\necho \"bench ran\"\nexit 3\n");
        program.toFile().setExecutable(true);
        String out = autorun("console=ttyS0 quiet jvmm.run=" + program,
                "(sleep 0.2; echo dhcp-done) &\ndhcp=$!");
        assertThat(out.lines().toList()).containsExactly(
                "dhcp-done", "bench ran", "jvmm: " + program + " exited with status 3", "sync", "poweroff -f");
    }

    @Test
    void autorunOfAMissingProgramSaysSoAndStillPowersOff() throws Exception {
        String out = autorun("jvmm.run=/jvmm-test-no-such-program", "dhcp=");
        assertThat(out.lines().toList()).containsExactly(
                "jvmm: jvmm.run=/jvmm-test-no-such-program is not an executable file", "sync", "poweroff -f");
    }

    @Test
    void withoutJvmmRunInitGoesOnToTheShell() throws Exception {
        assertThat(autorun("console=ttyS0 root=/dev/vda", "dhcp=").strip()).isEqualTo("went-on-to-the-shell");
    }
}

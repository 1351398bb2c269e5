package dev.jvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import dev.jvmm.machine.ConsoleConfig;
import dev.jvmm.machine.DeviceConfig;
import dev.jvmm.machine.DriveConfig;
import dev.jvmm.machine.NetConfig;
import dev.jvmm.machine.RngConfig;
import dev.jvmm.storage.ImageFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DeviceOptionsTest {

    @TempDir
    Path dir;

    @Test
    void driveWithoutOptionsIsWritableAndProbed() throws Exception {
        Path img = Files.write(dir.resolve("disk.img"), new byte[512]);
        assertThat(DeviceOptions.drive(img.toString())).isEqualTo(new DriveConfig(img, Optional.empty(), false));
    }

    @Test
    void driveFormatAndReadonlyAreParsed() throws Exception {
        Path img = Files.write(dir.resolve("disk.qcow2"), new byte[512]);
        assertThat(DeviceOptions.drive(img + ",format=qcow2,readonly=on"))
                .isEqualTo(new DriveConfig(img, Optional.of(ImageFormat.QCOW2), true));
        assertThat(DeviceOptions.drive(img + ",readonly=off,format=raw"))
                .isEqualTo(new DriveConfig(img, Optional.of(ImageFormat.RAW), false));
    }

    @Test
    void doubledCommaIsACommaInTheFileName() throws Exception {
        Path img = Files.write(dir.resolve("a,b.img"), new byte[512]);
        assertThat(DeviceOptions.drive(dir.resolve("a,,b.img") + ",format=raw").path()).isEqualTo(img);
    }

    @Test
    void badDriveOptionsAreOneLineErrors() throws Exception {
        Path img = Files.write(dir.resolve("d.img"), new byte[512]);
        assertThatThrownBy(() -> DeviceOptions.drive(img + ",format=vmdk"))
                .isInstanceOf(UsageException.class).hasMessage("--drive: unknown format 'vmdk' (raw or qcow2)");
        assertThatThrownBy(() -> DeviceOptions.drive(img + ",cache=none"))
                .hasMessage("--drive: unknown option 'cache' (format, readonly)");
        assertThatThrownBy(() -> DeviceOptions.drive(img + ",readonly=maybe"))
                .hasMessage("--drive: readonly must be on or off, not 'maybe'");
        assertThatThrownBy(() -> DeviceOptions.drive(img + ",format=raw,format=qcow2"))
                .hasMessage("--drive: format given twice");
        assertThatThrownBy(() -> DeviceOptions.drive(dir.resolve("none.img").toString()))
                .hasMessage("--drive " + dir.resolve("none.img") + ": no such file");
        assertThatThrownBy(() -> DeviceOptions.drive(",format=raw")).hasMessageStartingWith("--drive: no image file given");
    }

    @Test
    void netUserWithForwardsAndMac() throws Exception {
        NetConfig net = DeviceOptions.net("user,hostfwd=tcp::2222-:22,hostfwd=udp:0.0.0.0:5353-:53,mac=52:54:00:aa:bb:cc");
        assertThat(net.backend()).isEqualTo(NetConfig.Backend.USER);
        assertThat(net.hostForwards()).containsExactly(
                new NetConfig.HostForward(NetConfig.Protocol.TCP, InetAddress.getLoopbackAddress(), 2222, 22),
                new NetConfig.HostForward(NetConfig.Protocol.UDP, InetAddress.getByAddress(new byte[4]), 5353, 53));
        assertThat(net.mac()).contains(new NetConfig.MacAddress(0x525400aabbccL));
        assertThat(net.mac().get().toString()).isEqualTo("52:54:00:aa:bb:cc");
        assertThat(DeviceOptions.net("user")).isEqualTo(new NetConfig(NetConfig.Backend.USER, List.of(), Optional.empty()));
    }

    @Test
    void badNetOptionsAreOneLineErrors() {
        assertThatThrownBy(() -> DeviceOptions.net("tap")).hasMessage("--net: unknown network backend 'tap' (only 'user')");
        assertThatThrownBy(() -> DeviceOptions.net("user,hostfwd=tcp::70000-:22"))
                .hasMessageStartingWith("--net: bad host port '70000'");
        assertThatThrownBy(() -> DeviceOptions.net("user,hostfwd=tcp::22-10.0.2.15:22"))
                .hasMessageStartingWith("--net: hostfwd to a guest address is not supported");
        assertThatThrownBy(() -> DeviceOptions.net("user,hostfwd=tcp:localhost:22-:22"))
                .hasMessage("--net: hostfwd address 'localhost' is not an IPv4 address");
        assertThatThrownBy(() -> DeviceOptions.net("user,hostfwd=sctp::1-:2")).hasMessageContaining("protocol 'sctp'");
        assertThatThrownBy(() -> DeviceOptions.net("user,mac=01:00:5e:00:00:01")).hasMessageContaining("not a unicast");
        assertThatThrownBy(() -> DeviceOptions.net("user,mac=52:54:00:12:34")).hasMessageStartingWith("--net: bad mac");
        assertThatThrownBy(() -> DeviceOptions.net("user,dns=1.1.1.1")).hasMessage("--net: unknown option 'dns' (hostfwd, mac)");
    }

    @Test
    void deviceNames() throws Exception {
        assertThat(DeviceOptions.device("virtio-rng")).isEqualTo(new RngConfig());
        assertThat(DeviceOptions.device("virtio-console")).isEqualTo(new ConsoleConfig());
        assertThatThrownBy(() -> DeviceOptions.device("virtio-gpu")).hasMessageStartingWith("--device: unknown device 'virtio-gpu'");
    }

    @Test
    void devicesKeepCommandLineOrderAcrossOptions() throws Exception {
        Path a = Files.write(dir.resolve("a.img"), new byte[512]);
        Path b = Files.write(dir.resolve("b.img"), new byte[512]);
        RunCommand run = new RunCommand(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        new CommandLine(run).parseArgs("--device", "virtio-rng", "--drive", a.toString(), "--net", "user",
                "--drive=" + b + ",readonly=on", "--device", "virtio-console");
        List<DeviceConfig> devices = run.devices();
        assertThat(devices).containsExactly(new RngConfig(), new DriveConfig(a, Optional.empty(), false),
                new NetConfig(NetConfig.Backend.USER, List.of(), Optional.empty()),
                new DriveConfig(b, Optional.empty(), true), new ConsoleConfig());
    }

    @Test
    void moreThanEightDevicesAreRefused() {
        RunCommand run = new RunCommand(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        String[] args = new String[18];
        for (int i = 0; i < 9; i++) {
            args[2 * i] = "--device";
            args[2 * i + 1] = "virtio-rng";
        }
        new CommandLine(run).parseArgs(args);
        assertThatThrownBy(run::devices).hasMessage("too many devices: 9 (--drive, --net and --device share 8 virtio slots)");
    }
}

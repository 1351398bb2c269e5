package dev.jvmm.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvmm.storage.ImageFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Virtio devices on the board: slots in command-line order, the device tree, disks opened, locked and closed. */
class VirtioSlotsTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    /** A program that checks the DeviceID register of slots 0..2 and exits with the first slot that differs + 1. */
    private Path idProbe() throws Exception {
        return TestPrograms.build(dir, "ids", """
                    .section .text.init, "ax"
                    .globl _start
                _start:
                    li s0, 0x10001000
                    lw t0, 0(s0)          # MagicValue
                    li t1, 0x74726976
                    bne t0, t1, bad1
                    lw t0, 8(s0)          # DeviceID of slot 0: block
                    li t1, 2
                    bne t0, t1, bad1
                    li s0, 0x10002000
                    lw t0, 8(s0)          # slot 1: entropy
                    li t1, 4
                    bne t0, t1, bad2
                    li s0, 0x10003000
                    lw t0, 8(s0)          # slot 2: console
                    li t1, 3
                    bne t0, t1, bad3
                    li t0, 1
                    j done
                bad1: li t0, (1 << 1) | 1
                    j done
                bad2: li t0, (2 << 1) | 1
                    j done
                bad3: li t0, (3 << 1) | 1
                done:
                    la t1, tohost
                    sd t0, 0(t1)
                1:  j 1b
                """);
    }

    private Path disk(String name, int bytes) throws IOException {
        return Files.write(dir.resolve(name), new byte[bytes]);
    }

    private MachineConfig config(Path kernel, List<DeviceConfig> devices) {
        return new MachineConfig(kernel, Optional.empty(), "", 64L << 20, Optional.empty(), 1, devices);
    }

    private static DriveConfig writable(Path p) {
        return new DriveConfig(p, Optional.of(ImageFormat.RAW), false);
    }

    private static ExitReason run(VirtMachine m) throws InterruptedException {
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(Duration.ofSeconds(20));
                m.requestStop("test timed out");
            } catch (InterruptedException e) {
                // done first
            }
        });
        try {
            return m.run();
        } finally {
            watchdog.interrupt();
        }
    }

    @Test
    void devicesTakeSlotsInCommandLineOrderAndTheGuestSeesTheirIds() throws Exception {
        Path elf = idProbe();
        List<DeviceConfig> devices = List.of(writable(disk("a.img", 1 << 20)), new RngConfig(), new ConsoleConfig());
        try (VirtMachine m = VirtMachine.create(config(elf, devices), console)) {
            assertThat(m.hasVirtioConsole()).isTrue();
            assertThat(run(m)).isEqualTo(new ExitReason.PowerOff());
        }
    }

    @Test
    void deviceTreeListsExactlyTheUsedSlotsWithTheirInterrupts() throws Exception {
        Path elf = idProbe();
        try (VirtMachine m = VirtMachine.create(config(elf, List.of(new RngConfig(), new ConsoleConfig())), console)) {
            String dts = dtc(m.deviceTree());
            assertThat(dts).contains("virtio_mmio@10001000 {", "virtio_mmio@10002000 {")
                    .doesNotContain("virtio_mmio@10003000");
            String slot1 = dts.substring(dts.indexOf("virtio_mmio@10002000 {"));
            assertThat(slot1.substring(0, slot1.indexOf("};")))
                    .contains("compatible = \"virtio,mmio\";", "reg = <0x00 0x10002000 0x00 0x1000>;",
                            "interrupts = <0x02>;", "interrupt-parent = <");
        }
        try (VirtMachine m = VirtMachine.create(config(elf, List.of()), console)) {
            assertThat(dtc(m.deviceTree())).doesNotContain("virtio_mmio");
            assertThat(m.hasVirtioConsole()).isFalse();
        }
    }

    @Test
    void moreDevicesThanSlotsAreRefused() throws Exception {
        Path elf = idProbe();
        List<DeviceConfig> nine = java.util.Collections.nCopies(9, new RngConfig());
        assertThatThrownBy(() -> VirtMachine.create(config(elf, nine), console))
                .isInstanceOf(MachineException.class)
                .hasMessage("too many virtio devices: 9 (the board has 8 virtio-mmio slots)");
    }

    @Test
    void writableDiskIsLockedUntilTheMachineCloses() throws Exception {
        Path elf = idProbe();
        Path img = disk("d.img", 1 << 20);
        try (VirtMachine m = VirtMachine.create(config(elf, List.of(writable(img))), console)) {
            assertThatThrownBy(() -> VirtMachine.create(config(elf, List.of(writable(img))), console))
                    .isInstanceOf(MachineException.class).hasMessageContaining("drive " + img + ": in use");
            assertThatThrownBy(() -> VirtMachine.create(config(elf,
                    List.of(new DriveConfig(img, Optional.empty(), true))), console))
                    .hasMessageContaining("in use");
        }
        try (VirtMachine again = VirtMachine.create(config(elf, List.of(writable(img))), console)) {
            assertThat(again.closeProblems()).isEmpty();
        }
    }

    @Test
    void sameDiskTwiceInOneMachineIsRefusedButReadOnlySharingIsAllowedAcrossDrives() throws Exception {
        Path elf = idProbe();
        Path img = disk("s.img", 1 << 20);
        assertThatThrownBy(() -> VirtMachine.create(config(elf, List.of(writable(img), writable(img))), console))
                .hasMessageContaining("in use");
        DriveConfig ro = new DriveConfig(img, Optional.of(ImageFormat.RAW), true);
        try (VirtMachine m = VirtMachine.create(config(elf, List.of(ro)), console)) {
            assertThat(m.closeProblems()).isEmpty();
        }
    }

    @Test
    void missingDiskAndCorruptQcow2AreOneLineErrors() throws Exception {
        Path elf = idProbe();
        Path missing = dir.resolve("missing.img");
        assertThatThrownBy(() -> VirtMachine.create(config(elf, List.of(writable(missing))), console))
                .isInstanceOf(MachineException.class).hasMessage("drive " + missing + ": no such file");
        Path notQcow = disk("plain.img", 4096);
        assertThatThrownBy(() -> VirtMachine.create(config(elf,
                List.of(new DriveConfig(notQcow, Optional.of(ImageFormat.QCOW2), true))), console))
                .isInstanceOf(MachineException.class).hasMessageStartingWith("drive " + notQcow + ": ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void netCardTakesItsSlotAsDeviceIdOne() throws Exception {
        // A disk in slot 0, the card in slot 1: exit 0 if slot 1 reads DeviceID 1, else exit 1.
        Path elf = TestPrograms.build(dir, "netid", """
                    .section .text.init, "ax"
                    .globl _start
                _start:
                    li s0, 0x10002000
                    lw t0, 8(s0)          # DeviceID of slot 1: network card
                    li t1, 1
                    bne t0, t1, bad
                    li t0, 1
                    j done
                bad: li t0, (1 << 1) | 1
                done:
                    la t1, tohost
                    sd t0, 0(t1)
                1:  j 1b
                """);
        NetConfig net = new NetConfig(NetConfig.Backend.USER, List.of(), Optional.empty());
        try (VirtMachine m = VirtMachine.create(config(elf, List.of(writable(disk("n.img", 1 << 20)), net)), console)) {
            assertThat(run(m)).isEqualTo(new ExitReason.PowerOff());
            assertThat(dtc(m.deviceTree())).contains("virtio_mmio@10002000 {");
        }
    }

    @Test
    void hostForwardListensWhileTheMachineExistsAndIsReleasedOnClose() throws Exception {
        Path elf = idProbe();
        int port;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        NetConfig net = forwardTo(port);
        try (VirtMachine m = VirtMachine.create(config(elf, List.of(net)), console)) {
            try (java.net.Socket s = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
                assertThat(s.isConnected()).isTrue();
            }
        }
        try (VirtMachine again = VirtMachine.create(config(elf, List.of(net)), console)) {
            assertThat(again.closeProblems()).isEmpty();
        }
    }

    @Test
    void hostPortAlreadyInUseIsAOneLineErrorAndLeavesNoDiskLocked() throws Exception {
        Path elf = idProbe();
        Path img = disk("busy.img", 1 << 20);
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> VirtMachine.create(config(elf, List.of(writable(img), forwardTo(taken.getLocalPort()))), console))
                    .isInstanceOf(MachineException.class)
                    .hasMessageStartingWith("net user: ")
                    .hasMessageContaining("127.0.0.1:" + taken.getLocalPort())
                    .hasMessageContaining("Address already in use")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
        try (VirtMachine m = VirtMachine.create(config(elf, List.of(writable(img))), console)) {
            assertThat(m.closeProblems()).isEmpty();
        }
    }

    @Test
    void udpForwardIsRefusedAsUnsupported() throws Exception {
        Path elf = idProbe();
        NetConfig net = new NetConfig(NetConfig.Backend.USER, List.of(new NetConfig.HostForward(
                NetConfig.Protocol.UDP, java.net.InetAddress.getLoopbackAddress(), 5353, 53)), Optional.empty());
        assertThatThrownBy(() -> VirtMachine.create(config(elf, List.of(net)), console))
                .isInstanceOf(MachineException.class).hasMessage("net user: hostfwd udp:5353: only tcp forwards are supported");
    }

    private static NetConfig forwardTo(int hostPort) {
        return new NetConfig(NetConfig.Backend.USER, List.of(new NetConfig.HostForward(
                NetConfig.Protocol.TCP, java.net.InetAddress.getLoopbackAddress(), hostPort, 8080)), Optional.empty());
    }

    @Test
    void rawKernelIsRefusedWithoutFirmwareAndLoadedAtTheKernelAddressWithIt() throws Exception {
        Path raw = Files.write(dir.resolve("u-boot.bin"), new byte[] {0x13, 0, 0, 0, 0x6f, 0, 0, 0});
        Path firmware = Files.write(dir.resolve("fw.bin"), new byte[] {0x6f, 0, 0, 0});
        assertThatThrownBy(() -> VirtMachine.create(config(raw, List.of()), console))
                .hasMessage("not a RISC-V kernel: " + raw);
        MachineConfig withFirmware = new MachineConfig(raw, Optional.empty(), "", 64L << 20, Optional.of(firmware), 1);
        try (VirtMachine m = VirtMachine.create(withFirmware, console)) {
            assertThat(m.bootMode()).isEqualTo(BootMode.FIRMWARE);
            assertThat(m.bootLayout().kernelEntry()).isEqualTo(VirtBoard.DRAM_BASE + VirtBoard.KERNEL_ALIGN);
            assertThat(m.bootLayout().kernel().getFirst().address()).isEqualTo(VirtBoard.DRAM_BASE + VirtBoard.KERNEL_ALIGN);
            assertThat(m.readPhysical(VirtBoard.DRAM_BASE + VirtBoard.KERNEL_ALIGN, 8)).containsExactly(0x13, 0, 0, 0, 0x6f, 0, 0, 0);
        }
    }

    private static String dtc(byte[] dtb) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("dtc", "-I", "dtb", "-O", "dts", "-").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().write(dtb);
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}

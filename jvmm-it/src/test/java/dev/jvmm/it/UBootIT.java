package dev.jvmm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's U-Boot ({@code u-boot-qemu}, the S-mode build for QEMU's virt board) as the payload
 * of Debian's OpenSBI {@code fw_jump}: it reaches its prompt on jvmm and its {@code version},
 * {@code bdinfo} and {@code dm tree} agree with the same binaries on QEMU wherever the boards
 * agree (jvmm has no flash, PCI or platform bus, and attaches only the virtio devices asked for).
 */
class UBootIT {

    private static final Path FW_JUMP = Path.of("/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin");
    private static final Path UBOOT = Path.of("/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin");
    private static final String PROMPT = "=> ";

    @TempDir
    Path dir;

    /** What the three commands printed on one board. */
    private record Session(String version, String bdinfo, String dmTree, String virtioInfo) {
    }

    @Test
    void uBootReachesItsPromptAndItsCommandsMatchQemu() throws Exception {
        assertThat(UBOOT).as("Debian's u-boot-qemu (run-tests installs it)").isRegularFile();
        assertThat(FW_JUMP).as("Debian's opensbi").isRegularFile();
        Path disk = Files.write(dir.resolve("disk.raw"), new byte[1 << 20]);

        Session jvmm;
        try (GuestUnderTest guest = GuestUnderTest.start("run", "--firmware", FW_JUMP.toString(),
                "--kernel", UBOOT.toString(), "--drive", disk + ",format=raw")) {
            jvmm = session(guest, Duration.ofMinutes(3));
        }
        Session qemu;
        try (GuestUnderTest reference = GuestUnderTest.startCommand(List.of("qemu-system-riscv64", "-M", "virt",
                "-m", "512M", "-nographic", "-bios", FW_JUMP.toString(), "-kernel", UBOOT.toString()))) {
            qemu = session(reference, Duration.ofMinutes(1));
        }

        // version: the same build, so the same lines.
        assertThat(jvmm.version()).contains("U-Boot 20").contains("riscv64-linux-gnu-gcc");
        assertThat(lines(jvmm.version())).isEqualTo(lines(qemu.version()));

        // bdinfo: the same RAM and the same relocation (U-Boot's own layout on 512 MiB).
        for (String field : List.of("DRAM bank", "-> start", "-> size", "baudrate", "relocaddr", "reloc off", "Build")) {
            assertThat(field(jvmm.bdinfo(), field)).as(field).isEqualTo(field(qemu.bdinfo(), field)).isNotEmpty();
        }
        assertThat(field(jvmm.bdinfo(), "-> size")).isEqualTo("0x0000000020000000");

        // dm tree: every device both boards have is bound to the same driver and probed alike.
        List<String> common = List.of("root_driver", "soc", "serial@10000000", "test@100000", "poweroff", "reboot",
                "cpus", "cpu@0", "riscv_timer", "sbi-sysreset", "bootstd");
        for (String name : common) {
            assertThat(dmEntry(jvmm.dmTree(), name)).as("jvmm's dm tree entry for " + name).isNotEmpty()
                    .isEqualTo(dmEntry(qemu.dmTree(), name));
        }
        // The disk in slot 0: QEMU always has eight (empty) transports; jvmm has the one asked for,
        // probed, with U-Boot's virtio block driver bound below it.
        assertThat(dmEntry(jvmm.dmTree(), "virtio_mmio@10001000")).isEqualTo(dmEntry(qemu.dmTree(), "virtio_mmio@10001000"));
        assertThat(dmEntry(jvmm.dmTree(), "virtio-blk#0")).isEqualTo("blk [] virtio-blk virtio-blk#0");
        assertThat(jvmm.dmTree()).doesNotContain("virtio_mmio@10002000");
        // U-Boot's own virtio block driver reads the disk's size through jvmm's device.
        assertThat(jvmm.virtioInfo()).contains("2048 x 512");
    }

    /** Stops autoboot, runs the three commands (and {@code virtio info}) and returns their output. */
    private static Session session(GuestUnderTest board, Duration boot) throws Exception {
        board.waitFor("Hit any key to stop autoboot", boot);
        board.type("\n");
        board.waitFor(PROMPT, Duration.ofSeconds(60));
        String version = command(board, "version");
        String bdinfo = command(board, "bdinfo");
        String dmTree = command(board, "dm tree");
        String virtioInfo = command(board, "virtio info");
        return new Session(version, bdinfo, dmTree, virtioInfo);
    }

    private static String command(GuestUnderTest board, String command) throws Exception {
        board.type(command + "\n");
        board.waitFor(command + "\r\n", Duration.ofSeconds(30));
        String out = board.waitFor(PROMPT, Duration.ofSeconds(60));
        return out.substring(0, out.length() - PROMPT.length()).replace("\r", "");
    }

    private static List<String> lines(String text) {
        return text.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    /** The value of a {@code name = value} line of bdinfo. */
    private static String field(String bdinfo, String name) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\s*=\\s*(\\S+)").matcher(bdinfo);
        return m.find() ? m.group(1) : "";
    }

    /** A dm tree line without its index and tree drawing: "class [probed] driver name". */
    private static String dmEntry(String dmTree, String name) {
        Pattern line = Pattern.compile("(?m)^\\s*(\\S+)\\s+\\d+\\s+\\[\\s*(\\+?)\\s*\\]\\s+(\\S+)\\s+[|`\\- ]*"
                + Pattern.quote(name) + "\\s*$");
        Matcher m = line.matcher(dmTree);
        return m.find() ? m.group(1) + " [" + m.group(2) + "] " + m.group(3) + " " + name : "";
    }
}

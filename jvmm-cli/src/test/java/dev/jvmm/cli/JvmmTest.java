package dev.jvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.jvmm.machine.MachineConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class JvmmTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Jvmm.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void unknownOptionIsOneLineOnStderrAndStatusTwo() {
        assertThat(run("run", "--bogus")).isEqualTo(2);
        assertThat(stderr()).isEqualTo("jvmm: Unknown option: '--bogus'" + System.lineSeparator());
        assertThat(out.size()).isZero();
    }

    @Test
    void unknownSubcommandIsStatusTwoWithoutUsageDump() {
        assertThat(run("launch")).isEqualTo(2);
        assertThat(stderr().lines()).hasSize(1).first().asString().startsWith("jvmm: ");
    }

    @Test
    void missingKernelFileIsStatusTwoNamingTheFile() {
        assertThat(run("run", "--kernel", "/no/such/kernel")).isEqualTo(2);
        assertThat(stderr().strip()).isEqualTo("jvmm: --kernel /no/such/kernel: no such file");
    }

    @Test
    void directoryAsInitrdIsStatusTwo(@TempDir Path dir) throws Exception {
        Path kernel = Files.write(dir.resolve("Image"), new byte[64]);
        assertThat(run("run", "--kernel", kernel.toString(), "--initrd", dir.toString())).isEqualTo(2);
        assertThat(stderr().strip()).isEqualTo("jvmm: --initrd " + dir + ": not a regular file");
    }

    @Test
    void badMemorySizeIsStatusTwoWithOneLine() {
        assertThat(run("run", "--memory", "lots")).isEqualTo(2);
        assertThat(stderr().lines()).hasSize(1).first().asString().startsWith("jvmm: bad memory size 'lots'");
    }

    @Test
    void missingCommandIsStatusTwo() {
        assertThat(run()).isEqualTo(2);
        assertThat(stderr().strip()).isEqualTo("jvmm: missing command (try 'jvmm --help')");
    }

    @Test
    void helpAndVersionSucceedOnStdout() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("run", "image");
        out.reset();
        assertThat(run("--version")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("jvmm ");
        out.reset();
        assertThat(run("run", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--kernel", "--initrd", "--append", "--memory", "--firmware");
    }

    @Test
    void runOptionsBecomeTheMachineConfig(@TempDir Path dir) throws Exception {
        Path kernel = Files.write(dir.resolve("Image"), new byte[64]);
        Path initrd = Files.write(dir.resolve("initrd"), new byte[64]);
        Path firmware = Files.write(dir.resolve("fw_jump.bin"), new byte[64]);
        RunCommand run = new RunCommand(new PrintStream(err, true, StandardCharsets.UTF_8));
        new CommandLine(run).parseArgs("--kernel", kernel.toString(), "--initrd", initrd.toString(),
                "--append", "console=ttyS0 quiet", "--memory", "1048576K", "--firmware", firmware.toString());
        MachineConfig config = run.config();
        assertThat(config.kernel()).isEqualTo(kernel);
        assertThat(config.initrd()).contains(initrd);
        assertThat(config.append()).isEqualTo("console=ttyS0 quiet");
        assertThat(config.memoryBytes()).isEqualTo(1L << 30);
        assertThat(config.firmware()).contains(firmware);
        assertThat(config.harts()).isEqualTo(1);
    }

    @Test
    void defaultsAreConsoleOnTtyS0HalfAGigabyteAndTheBuiltinFirmware(@TempDir Path dir) throws Exception {
        Path kernel = Files.write(dir.resolve("Image"), new byte[64]);
        RunCommand run = new RunCommand(new PrintStream(err, true, StandardCharsets.UTF_8));
        new CommandLine(run).parseArgs("--kernel", kernel.toString());
        MachineConfig config = run.config();
        assertThat(config.append()).isEqualTo("console=ttyS0");
        assertThat(config.memoryBytes()).isEqualTo(512L << 20);
        assertThat(config.firmware()).isEmpty();
        assertThat(config.initrd()).isEmpty();
    }

    @Test
    void netForwardOnAHostPortInUseIsOneLineStatusTwo(@TempDir Path dir) throws Exception {
        Path kernel = Files.write(dir.resolve("Image"), linuxImageHeader());
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThat(run("run", "--kernel", kernel.toString(), "--memory", "64M",
                    "--net", "user,hostfwd=tcp::" + port + "-:22")).isEqualTo(2);
            assertThat(stderr().lines()).hasSize(1).first().asString()
                    .startsWith("jvmm: net user: ").contains("127.0.0.1:" + port, "Address already in use");
        }
    }

    @Test
    void engineOptionSelectsTheEngineAndDefaultsToTheTranslator(@TempDir Path dir) throws Exception {
        Path kernel = Files.write(dir.resolve("Image"), new byte[64]);
        RunCommand run = new RunCommand(new PrintStream(err, true, StandardCharsets.UTF_8));
        new CommandLine(run).parseArgs("--kernel", kernel.toString());
        assertThat(run.config().engine()).isEqualTo(dev.jvmm.cpu.riscv.Engine.JIT);
        RunCommand interp = new RunCommand(new PrintStream(err, true, StandardCharsets.UTF_8));
        new CommandLine(interp).parseArgs("--kernel", kernel.toString(), "--engine", "interp");
        assertThat(interp.config().engine()).isEqualTo(dev.jvmm.cpu.riscv.Engine.INTERPRETER);
    }

    @Test
    void unknownEngineIsOneLineStatusTwo(@TempDir Path dir) throws Exception {
        Path kernel = Files.write(dir.resolve("Image"), new byte[64]);
        assertThat(run("run", "--kernel", kernel.toString(), "--engine", "turbo")).isEqualTo(2);
        assertThat(stderr().strip()).isEqualTo("jvmm: --engine: unknown engine 'turbo' (interp or jit)");
    }

    /** The 64-byte header of a Linux RISC-V Image (magic only): enough for the board to be built. */
    private static byte[] linuxImageHeader() {
        byte[] b = new byte[64];
        byte[] magic = {'R', 'S', 'C', 0x05};
        System.arraycopy(magic, 0, b, 0x38, 4);
        return b;
    }

    @Test
    void badNetSyntaxIsOneLineStatusTwo(@TempDir Path dir) throws Exception {
        Path kernel = Files.write(dir.resolve("Image"), new byte[64]);
        assertThat(run("run", "--kernel", kernel.toString(), "--net", "user,hostfwd=tcp::0-:22")).isEqualTo(2);
        assertThat(stderr().strip()).startsWith("jvmm: --net: bad host port '0'");
    }

    @Test
    void missingDriveValueIsStatusTwo() {
        assertThat(run("run", "--drive")).isEqualTo(2);
        assertThat(stderr().lines()).hasSize(1).first().asString().startsWith("jvmm: Missing required parameter for option '--drive'");
    }

    @Test
    void runHelpListsTheDeviceOptions() {
        assertThat(run("run", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--drive", "--net", "--device", "readonly=on", "hostfwd");
    }

    @Test
    void imageCreateMakesRawAndQcow2ImagesOfTheGivenSize(@TempDir Path dir) throws Exception {
        Path raw = dir.resolve("disk.raw");
        assertThat(run("image", "create", "--format", "raw", raw.toString(), "1M")).isZero();
        assertThat(Files.size(raw)).isEqualTo(1L << 20);
        Path qcow = dir.resolve("disk.qcow2");
        assertThat(run("image", "create", "--format", "qcow2", qcow.toString(), "64M")).isZero();
        try (var image = dev.jvmm.storage.DiskImages.open(qcow, null, true)) {
            assertThat(image.size()).isEqualTo(64L << 20);
            assertThat(image).isInstanceOf(dev.jvmm.storage.Qcow2Image.class);
        }
        assertThat(stderr()).isEmpty();
    }

    @Test
    void imageCreateWithBackingStoresARelativeNameAndTakesTheBackingSize(@TempDir Path dir) throws Exception {
        Path base = Files.write(dir.resolve("base.raw"), new byte[4096]);
        Files.createDirectories(dir.resolve("overlays"));
        Path overlay = dir.resolve("overlays/top.qcow2");
        assertThat(run("image", "create", "--format", "qcow2", "--backing", base.toString(), overlay.toString())).isZero();
        try (var image = dev.jvmm.storage.Qcow2Image.open(overlay, true)) {
            assertThat(image.size()).isEqualTo(4096);
            assertThat(image.backingFile()).contains("../base.raw");
        }
    }

    @Test
    void imageCreateRefusesToOverwriteAndBadInputIsOneLineStatusTwo(@TempDir Path dir) throws Exception {
        Path existing = Files.write(dir.resolve("keep.img"), new byte[] {42});
        assertThat(run("image", "create", "--format", "raw", existing.toString(), "1M")).isEqualTo(2);
        assertThat(stderr().strip()).isEqualTo("jvmm: " + existing + ": already exists (jvmm image create never overwrites)");
        assertThat(Files.readAllBytes(existing)).containsExactly(42);
        err.reset();
        assertThat(run("image", "create", "--format", "vdi", dir.resolve("x").toString(), "1M")).isEqualTo(2);
        assertThat(stderr().strip()).isEqualTo("jvmm: --format: unknown format 'vdi' (qcow2 or raw)");
        err.reset();
        assertThat(run("image", "create", "--format", "raw", dir.resolve("y").toString(), "1000")).isEqualTo(2);
        assertThat(stderr().strip()).isEqualTo("jvmm: disk size '1000' is not a multiple of 512 bytes");
        err.reset();
        assertThat(run("image", "create", "--format", "raw", "--backing", existing.toString(), dir.resolve("z").toString(), "1M"))
                .isEqualTo(2);
        assertThat(stderr().strip()).startsWith("jvmm: --backing: a raw image cannot have a backing file");
        err.reset();
        assertThat(run("image", "create", "--format", "qcow2", dir.resolve("w").toString())).isEqualTo(2);
        assertThat(stderr().strip()).startsWith("jvmm: missing SIZE");
        assertThat(Files.exists(dir.resolve("x"))).isFalse();
        assertThat(Files.exists(dir.resolve("y"))).isFalse();
        assertThat(Files.exists(dir.resolve("z"))).isFalse();
        assertThat(Files.exists(dir.resolve("w"))).isFalse();
    }

    @Test
    void snapshotRestoreAndMigrateAreCommandsWithHelp() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("snapshot", "restore", "migrate");
        out.reset();
        assertThat(run("restore", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8).replaceAll("\\s+", " ")).contains("--clone", "--control", "--console",
                "[clone i]", "keystrokes go to none of them");
        out.reset();
        assertThat(run("run", "--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--control", "--console", "--incoming");
    }

    @Test
    void restoreOfAMissingSnapshotIsOneLineStatusTwo(@TempDir Path dir) {
        Path missing = dir.resolve("snap");
        assertThat(run("restore", missing.toString())).isEqualTo(2);
        assertThat(stderr().strip()).isEqualTo("jvmm: " + missing + ": no such snapshot directory");
    }

    @Test
    void restoreCloneCountMustBePositive(@TempDir Path dir) {
        assertThat(run("restore", dir.toString(), "--clone", "0")).isEqualTo(2);
        assertThat(stderr().strip()).isEqualTo("jvmm: --clone: 0 is out of range (1 to 65536)");
    }

    @Test
    void badConsoleValueIsOneLineStatusTwo(@TempDir Path dir) {
        assertThat(run("restore", dir.toString(), "--console", "pty")).isEqualTo(2);
        assertThat(stderr().strip()).isEqualTo("jvmm: --console: expected stdio or file:PATH, got 'pty'");
    }

    @Test
    void incomingNeedsATcpAddressAndNoBootOptions(@TempDir Path dir) throws Exception {
        assertThat(run("run", "--incoming", "tcp:localhost")).isEqualTo(2);
        assertThat(stderr().strip()).startsWith("jvmm: --incoming: bad address 'tcp:localhost': missing :PORT");
        err.reset();
        Path kernel = Files.write(dir.resolve("Image"), new byte[64]);
        assertThat(run("run", "--incoming", "tcp::4444", "--kernel", kernel.toString())).isEqualTo(2);
        assertThat(stderr().strip()).isEqualTo("jvmm: --incoming: the machine comes from the migration source; --kernel does not apply");
        err.reset();
        assertThat(run("run", "--incoming", "tcp::4444", "--memory", "1G")).isEqualTo(2);
        assertThat(stderr().strip()).contains("--memory does not apply");
    }

    @Test
    void controlOnAFileThatIsNotASocketIsRefusedBeforeTheGuestStarts(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("notes.txt"), "keep me");
        assertThat(run("run", "--incoming", "tcp:127.0.0.1:4444", "--console", "file:" + dir.resolve("console.log"),
                "--control", file.toString())).isEqualTo(2);
        assertThat(stderr().strip()).isEqualTo("jvmm: --control " + file + ": exists and is not a socket (jvmm will not replace it)");
        assertThat(file).hasContent("keep me");
    }

    @Test
    void consoleFileInAMissingDirectoryIsOneLineStatusTwo(@TempDir Path dir) {
        Path console = dir.resolve("no/such/console.log");
        assertThat(run("run", "--incoming", "tcp:127.0.0.1:4444", "--console", "file:" + console)).isEqualTo(2);
        assertThat(stderr().strip()).isEqualTo("jvmm: --console file:" + console + ": no such directory " + console.getParent());
    }
}

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
}

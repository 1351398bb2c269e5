package dev.jvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.jvmm.cpu.riscv.Engine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ImageBuildCommandTest {

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Jvmm.execute(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8).strip();
    }

    private static ImageBuildCommand parse(String... args) {
        ImageBuildCommand command = new ImageBuildCommand(System.err);
        new CommandLine(command).parseArgs(args);
        return command;
    }

    @Test
    void defaultsAreTwoGigabytesTrixieAndTheTranslator() throws Exception {
        ImageBuildCommand.Plan plan = parse("debian", tmp.resolve("d.qcow2").toString()).plan();
        assertThat(plan.sizeBytes()).isEqualTo(2L << 30);
        assertThat(plan.suite()).isEqualTo("trixie");
        assertThat(plan.hostname()).isEqualTo("debian");
        assertThat(plan.engine()).isEqualTo(Engine.JIT);
        assertThat(plan.workDir()).isEqualTo(tmp.resolve("d.qcow2.build"));
    }

    @Test
    void engineOptionChoosesTheInterpreter() throws Exception {
        assertThat(parse("debian", "--engine", "interp", tmp.resolve("d.qcow2").toString()).plan().engine())
                .isEqualTo(Engine.INTERPRETER);
    }

    @Test
    void optionsSetSizeMemoryAndHostname() throws Exception {
        ImageBuildCommand.Plan plan = parse("debian", "--size", "3G", "--memory", "2G", "--hostname", "box",
                tmp.resolve("d.qcow2").toString()).plan();
        assertThat(plan.sizeBytes()).isEqualTo(3L << 30);
        assertThat(plan.memoryBytes()).isEqualTo(2L << 30);
        assertThat(plan.hostname()).isEqualTo("box");
    }

    @Test
    void unknownDistributionIsStatusTwo() {
        assertThat(run("image", "build", "fedora", tmp.resolve("d.qcow2").toString())).isEqualTo(2);
        assertThat(stderr()).isEqualTo("jvmm: image build: unknown distribution 'fedora' (only debian)");
        assertThat(tmp.resolve("d.qcow2")).doesNotExist();
    }

    @Test
    void missingFileIsStatusTwo() {
        assertThat(run("image", "build", "debian")).isEqualTo(2);
        assertThat(stderr()).startsWith("jvmm: Missing required parameter").contains("FILE");
    }

    @Test
    void existingFileIsNeverOverwritten() throws Exception {
        Path existing = Files.writeString(tmp.resolve("d.qcow2"), "keep me");
        assertThat(run("image", "build", "debian", existing.toString())).isEqualTo(2);
        assertThat(stderr()).isEqualTo("jvmm: " + existing + ": already exists (jvmm image build never overwrites)");
        assertThat(Files.readString(existing)).isEqualTo("keep me");
    }

    @Test
    void leftoverWorkDirectoryIsStatusTwo() throws Exception {
        Files.createDirectory(tmp.resolve("d.qcow2.build"));
        assertThat(run("image", "build", "debian", tmp.resolve("d.qcow2").toString())).isEqualTo(2);
        assertThat(stderr()).contains("d.qcow2.build: already exists");
    }

    @Test
    void tooSmallOrBadSizeIsStatusTwo() {
        assertThat(run("image", "build", "debian", "--size", "100M", tmp.resolve("d.qcow2").toString())).isEqualTo(2);
        assertThat(stderr()).isEqualTo("jvmm: --size 100M: too small for Debian (at least 512M)");
        err.reset();
        assertThat(run("image", "build", "debian", "--size", "big", tmp.resolve("d.qcow2").toString())).isEqualTo(2);
        assertThat(stderr()).startsWith("jvmm: bad disk size 'big'");
    }

    @Test
    void badHostnameIsStatusTwo() {
        assertThat(run("image", "build", "debian", "--hostname", "no_way", tmp.resolve("d.qcow2").toString()))
                .isEqualTo(2);
        assertThat(stderr()).startsWith("jvmm: --hostname: bad host name 'no_way'");
    }

    @Test
    void missingDirectoryIsStatusTwo() {
        assertThat(run("image", "build", "debian", tmp.resolve("no/such/d.qcow2").toString())).isEqualTo(2);
        assertThat(stderr()).contains("no such directory");
    }

    @Test
    void secondStageBootsTheDiskWithTheStageScriptAsInit() {
        assertThat(ImageBuildCommand.SECOND_STAGE_APPEND).contains("root=/dev/vda", " rw", "init=/jvmm-second-stage",
                "console=ttyS0");
    }

    @Test
    void consoleWatcherPassesBytesThroughAndSpotsTheMarkerLine() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageBuildCommand.LineWatcher w = new ImageBuildCommand.LineWatcher(out, "DONE");
        w.write("not DONE\r\nDON".getBytes(StandardCharsets.US_ASCII));
        assertThat(w.seen()).isFalse();
        w.write("E here\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(w.seen()).isTrue();
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("not DONE\r\nDONE here\r\n");
    }
}

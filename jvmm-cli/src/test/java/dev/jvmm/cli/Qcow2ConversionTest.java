package dev.jvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Qcow2ConversionTest {

    @TempDir
    Path tmp;

    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private Path rawWithData() throws Exception {
        Path raw = tmp.resolve("disk.raw");
        try (RandomAccessFile f = new RandomAccessFile(raw.toFile(), "rw")) {
            f.setLength((8L << 20) + 512); // a partial last cluster
            f.seek(0);
            f.write("first sector".getBytes(StandardCharsets.US_ASCII));
            f.seek((3L << 20) + 65535); // the last byte of a cluster
            f.write(0x5a);
            f.seek(8L << 20);
            f.write("tail".getBytes(StandardCharsets.US_ASCII));
        }
        return raw;
    }

    @Test
    void convertedImageHasTheSameContentsAsTheRawOne() throws Exception {
        assumeThat(Path.of("/usr/bin/qemu-img")).exists();
        Path raw = rawWithData();
        Path qcow2 = tmp.resolve("disk.qcow2");
        Qcow2Conversion.convert(raw, qcow2);
        run("qemu-img", "check", "-f", "qcow2", qcow2.toString());
        assertThat(run("qemu-img", "compare", "-f", "raw", "-F", "qcow2", raw.toString(), qcow2.toString()))
                .contains("Images are identical");
    }

    @Test
    void zeroClustersAreLeftUnallocated() throws Exception {
        Path raw = rawWithData();
        Path qcow2 = tmp.resolve("disk.qcow2");
        assertThat(Qcow2Conversion.convert(raw, qcow2)).isEqualTo(3);
        assertThat(Files.size(qcow2)).isLessThan(1L << 20);
    }

    @Test
    void existingTargetIsNotOverwritten() throws Exception {
        Path raw = rawWithData();
        Path qcow2 = Files.writeString(tmp.resolve("disk.qcow2"), "keep");
        try {
            Qcow2Conversion.convert(raw, qcow2);
        } catch (java.io.IOException expected) {
            // refused
        }
        assertThat(Files.readString(qcow2)).isEqualTo("keep");
    }
}

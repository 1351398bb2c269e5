package dev.jvmm.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DebArchiveTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"xz", "gzip", "none"})
    void extractsTheFilesTheFilterAcceptsFromDataTar(String compression) throws Exception {
        Path deb = TestPackages.buildDeb(tmp, tmp, "sample", compression, Map.of(
                "boot/vmlinux-1.0", TestPackages.fakeKernel(),
                "usr/bin/busybox", "BUSYBOX".getBytes(StandardCharsets.UTF_8),
                "usr/share/doc/sample/copyright", "text".getBytes(StandardCharsets.UTF_8)));
        Path out = tmp.resolve("out");
        var extracted = new DebArchive(deb).extract(out, p -> p.startsWith("boot/") || p.equals("usr/bin/busybox"));
        assertThat(extracted).containsExactlyInAnyOrder("boot/vmlinux-1.0", "usr/bin/busybox");
        assertThat(Files.readAllBytes(out.resolve("boot/vmlinux-1.0"))).isEqualTo(TestPackages.fakeKernel());
        assertThat(Files.readString(out.resolve("usr/bin/busybox"))).isEqualTo("BUSYBOX");
        assertThat(out.resolve("usr/share/doc")).doesNotExist();
    }

    @Test
    void aFileThatIsNotADebianPackageIsAnImageException() throws Exception {
        Path notDeb = Files.writeString(tmp.resolve("x.deb"), "just text");
        assertThatThrownBy(() -> new DebArchive(notDeb).extract(tmp.resolve("out"), p -> true))
                .isInstanceOf(ImageException.class).hasMessageContaining("x.deb");
    }
}

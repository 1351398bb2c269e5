package dev.jvmm.net.user;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResolvConfTest {

    @TempDir
    Path dir;

    @Test
    void firstIpv4NameserverIsChosenOnPort53() throws Exception {
        Path f = dir.resolve("resolv.conf");
        Files.writeString(f, "# comment\nsearch example\nnameserver ::1\nnameserver 127.0.0.53\nnameserver 1.1.1.1\n");
        var r = ResolvConf.firstNameserver(f);
        assertThat(r).isPresent();
        assertThat(r.get().getAddress().getHostAddress()).isEqualTo("127.0.0.53");
        assertThat(r.get().getPort()).isEqualTo(53);
    }

    @Test
    void missingFileOrNoNameserverMeansNoResolver() throws Exception {
        assertThat(ResolvConf.firstNameserver(dir.resolve("absent"))).isEmpty();
        Path f = dir.resolve("empty.conf");
        Files.writeString(f, "search example\n");
        assertThat(ResolvConf.firstNameserver(f)).isEmpty();
    }
}

package dev.jvmm.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecondStageScriptTest {

    @Test
    void scriptIsValidShell(@TempDir Path tmp) throws Exception {
        Path script = Files.writeString(tmp.resolve("s"), SecondStageScript.text("debian"));
        Process p = new ProcessBuilder("sh", "-n", script.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    @Test
    void scriptRunsSecondStageThenConfiguresLoginNetworkAndPowersOff() {
        String s = SecondStageScript.text("box1");
        int secondStage = s.indexOf("/debootstrap/debootstrap --second-stage");
        assertThat(secondStage).isPositive();
        assertThat(s.indexOf("passwd -d root")).isGreaterThan(secondStage);
        assertThat(s).contains("echo box1 > /etc/hostname", "/dev/vda / ext4",
                "DHCP=ipv4", "systemctl enable systemd-networkd.service", "nameserver 10.0.2.3",
                "rm -f " + SecondStageScript.PATH, "echo o > /proc/sysrq-trigger");
        assertThat(s.indexOf("echo \"" + SecondStageScript.SUCCESS + "\""))
                .isGreaterThan(s.indexOf("systemctl enable"));
    }

    @Test
    void badHostNameIsRefused() {
        assertThatThrownBy(() -> SecondStageScript.text("a b; rm -rf /")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SecondStageScript.text("Upper")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSuccessfulSecondStageMarksTheDiskBootableWithoutRootParameter() {
        String s = SecondStageScript.text("box1");
        int marker = s.indexOf("> " + InitScript.BOOTABLE_MARKER);
        assertThat(marker).isPositive();
        assertThat(marker).isGreaterThan(s.indexOf("passwd -d root"));
        assertThat(marker).isLessThan(s.indexOf("echo \"" + SecondStageScript.SUCCESS + "\""));
    }
}

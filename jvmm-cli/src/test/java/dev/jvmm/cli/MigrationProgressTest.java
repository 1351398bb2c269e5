package dev.jvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import dev.jvmm.cli.control.MigrationInfo;
import org.junit.jupiter.api.Test;

class MigrationProgressTest {

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8);

    private static MigrationInfo active(long remaining, long millis) {
        return new MigrationInfo("active", 512L << 20, 600L << 20, remaining, 1200, 30, 0, millis, 0, Optional.empty());
    }

    @Test
    void lineShowsBarPercentTimeSentLeftAndDirtyRate() {
        assertThat(MigrationProgress.line(active(128L << 20, 3200)))
                .isEqualTo("[############....]  75% 3.2 s, 600.0 MiB sent, 128.0 MiB left, dirty 1200/s");
    }

    @Test
    void throttleIsShownOnlyWhileThrottling() {
        MigrationInfo throttled = new MigrationInfo("active", 4096, 0, 4096, 9, 0, 0, 100, 30, Optional.empty());
        assertThat(MigrationProgress.line(throttled)).endsWith(", throttle 30%");
    }

    @Test
    void onATerminalTheLineIsRedrawnInPlace() {
        MigrationProgress progress = new MigrationProgress(errStream, true);
        progress.update(active(256L << 20, 1000), 0);
        progress.update(active(128L << 20, 1200), 1);
        progress.finish();
        String shown = err.toString(StandardCharsets.UTF_8);
        assertThat(shown).startsWith("\r[########........]  50%").contains("\r[############....]  75%");
        assertThat(shown.chars().filter(c -> c == '\n')).hasSize(1);
    }

    @Test
    void elsewhereALineAtMostEverySecond() {
        MigrationProgress progress = new MigrationProgress(errStream, false);
        progress.update(active(256L << 20, 0), 0);
        progress.update(active(200L << 20, 500), 500_000_000L);
        progress.update(active(128L << 20, 1000), 1_000_000_000L);
        progress.finish();
        assertThat(err.toString(StandardCharsets.UTF_8).lines()).hasSize(2).noneMatch(l -> l.contains("\r"));
    }

    @Test
    void bytesInBinaryUnits() {
        assertThat(MigrationProgress.bytes(512)).isEqualTo("512 B");
        assertThat(MigrationProgress.bytes(1536)).isEqualTo("1.5 KiB");
        assertThat(MigrationProgress.bytes(3L << 30)).isEqualTo("3.0 GiB");
    }
}

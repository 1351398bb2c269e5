package dev.jvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConsoleOptionTest {

    @Test
    void stdioAndFile() throws UsageException {
        assertThat(ConsoleOption.parse("stdio")).isEqualTo(new ConsoleOption.Stdio());
        assertThat(ConsoleOption.parse("file:/var/log/guest.log")).isEqualTo(new ConsoleOption.File(Path.of("/var/log/guest.log")));
        assertThat(ConsoleOption.parse("file:rel/con:sole")).isEqualTo(new ConsoleOption.File(Path.of("rel/con:sole")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "file:", "stdout", "STDIO", "pty", "/tmp/console", "file"})
    void anythingElseIsAUsageErrorSayingWhatIsExpected(String value) {
        assertThatThrownBy(() -> ConsoleOption.parse(value)).isInstanceOf(UsageException.class)
                .hasMessage("--console: expected stdio or file:PATH, got '" + value + "'");
    }

    @Test
    void aCloneWritesToItsOwnNumberedFile() throws UsageException {
        assertThat(ConsoleOption.parse("file:/tmp/c.log").forClone(3)).isEqualTo(new ConsoleOption.File(Path.of("/tmp/c.log.3")));
        assertThat(ConsoleOption.parse("stdio").forClone(3)).isEqualTo(new ConsoleOption.Stdio());
    }
}

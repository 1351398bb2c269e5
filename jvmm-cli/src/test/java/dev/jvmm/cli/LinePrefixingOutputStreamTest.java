package dev.jvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class LinePrefixingOutputStreamTest {

    private final ByteArrayOutputStream terminal = new ByteArrayOutputStream();
    private final Object lock = new Object();

    private static void write(LinePrefixingOutputStream s, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        s.write(bytes, 0, bytes.length);
    }

    private String shown() {
        return terminal.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyLineIsPrefixed() throws IOException {
        LinePrefixingOutputStream s = new LinePrefixingOutputStream(terminal, "[clone 1] ", lock);
        write(s, "Linux version 6.12\r\nbusybox\r\n");
        assertThat(shown()).isEqualTo("[clone 1] Linux version 6.12\r\n[clone 1] busybox\r\n");
    }

    @Test
    void linesOfTwoClonesNeverMixEvenWhenWrittenInPieces() throws IOException {
        LinePrefixingOutputStream a = new LinePrefixingOutputStream(terminal, "[clone 0] ", lock);
        LinePrefixingOutputStream b = new LinePrefixingOutputStream(terminal, "[clone 1] ", lock);
        write(a, "hel");
        write(b, "wor");
        write(a, "lo\n");
        write(b, "ld\n");
        assertThat(shown()).isEqualTo("[clone 0] hello\n[clone 1] world\n");
    }

    @Test
    void anUnfinishedLineShowsAtClose() throws IOException {
        LinePrefixingOutputStream s = new LinePrefixingOutputStream(terminal, "[clone 2] ", lock);
        write(s, "~ # ");
        assertThat(shown()).isEmpty();
        s.close();
        assertThat(shown()).isEqualTo("[clone 2] ~ # \n");
    }

    @Test
    void aVeryLongLineIsCutRatherThanHeldForever() throws IOException {
        LinePrefixingOutputStream s = new LinePrefixingOutputStream(terminal, "> ", lock);
        write(s, "x".repeat(LinePrefixingOutputStream.MAX_LINE + 5));
        assertThat(shown()).isEqualTo("> " + "x".repeat(LinePrefixingOutputStream.MAX_LINE));
    }
}

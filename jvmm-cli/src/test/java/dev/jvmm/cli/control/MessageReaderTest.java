package dev.jvmm.cli.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class MessageReaderTest {

    private static MessageReader reader(String text) {
        return reader(text.getBytes(StandardCharsets.UTF_8));
    }

    private static MessageReader reader(byte[] bytes) {
        return new MessageReader(Channels.newChannel(new ByteArrayInputStream(bytes)));
    }

    private static List<String> all(String text) throws Exception {
        MessageReader r = reader(text);
        List<String> messages = new ArrayList<>();
        for (String m; (m = r.next()) != null; ) {
            messages.add(m);
        }
        return messages;
    }

    @Test
    void oneObjectALine() throws Exception {
        assertThat(all("{\"a\": 1}\n{\"b\": 2}\r\n")).containsExactly("{\"a\": 1}", "{\"b\": 2}");
    }

    @Test
    void objectsBackToBackWithoutNewlinesAreSeparateMessages() throws Exception {
        assertThat(all("{\"a\": {\"x\": [1]}}{\"b\": 2}  {\"c\": 3}")).containsExactly("{\"a\": {\"x\": [1]}}", "{\"b\": 2}", "{\"c\": 3}");
    }

    @Test
    void bracesAndEscapedQuotesInsideStringsDoNotCount() throws Exception {
        assertThat(all("{\"a\": \"}{\\\"}\"}\n")).containsExactly("{\"a\": \"}{\\\"}\"}");
    }

    @Test
    void anUnfinishedObjectEndsAtTheNewlineSoTheNextLineIsReadAfresh() throws Exception {
        assertThat(all("{\"execute\": \"stop\"\n{\"execute\": \"cont\"}\n"))
                .containsExactly("{\"execute\": \"stop\"", "{\"execute\": \"cont\"}");
    }

    @Test
    void strayTextIsAMessageOfItsOwnEvenBeforeAnObjectOnTheSameLine() throws Exception {
        assertThat(all("hello\n42 {\"a\": 1}\n}\n")).containsExactly("hello", "42", "{\"a\": 1}", "}");
    }

    @Test
    void blankLinesAreNoMessages() throws Exception {
        assertThat(all("\n  \r\n\t\n")).isEmpty();
    }

    @Test
    void anUnfinishedMessageAtTheEndOfTheStreamIsReturnedLast() throws Exception {
        assertThat(all("{\"a\": 1}{\"b\"")).containsExactly("{\"a\": 1}", "{\"b\"");
    }

    @Test
    void utf8TextPassesThrough() throws Exception {
        assertThat(all("{\"dir\": \"/tmp/snäpshot-☃\"}")).containsExactly("{\"dir\": \"/tmp/snäpshot-☃\"}");
    }

    @Test
    void aTooLongMessageIsRefusedAndTheNextLineIsStillRead() throws Exception {
        String huge = "{\"a\": \"" + "x".repeat(MessageReader.MAX_MESSAGE_BYTES) + "\"}";
        MessageReader r = reader(huge + "\n{\"b\": 2}\n");
        assertThatThrownBy(r::next).isInstanceOf(MessageReader.TooLong.class);
        assertThat(r.next()).isEqualTo("{\"b\": 2}");
        assertThat(r.next()).isNull();
    }

    @Test
    void endOfStreamIsNull() throws IOException, MessageReader.TooLong {
        assertThat(reader("").next()).isNull();
    }
}

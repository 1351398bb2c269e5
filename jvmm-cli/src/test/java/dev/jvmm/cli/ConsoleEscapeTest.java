package dev.jvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ConsoleEscapeTest {

    private final ConsoleEscape escape = new ConsoleEscape();
    private final ByteArrayOutputStream toGuest = new ByteArrayOutputStream();
    private final List<String> events = new ArrayList<>();
    private final ConsoleEscape.Actions actions = new ConsoleEscape.Actions() {
        @Override
        public void sendToGuest(byte[] data, int offset, int length) {
            toGuest.write(data, offset, length);
            events.add("send " + length);
        }

        @Override
        public void quit() {
            events.add("quit");
        }

        @Override
        public void help() {
            events.add("help");
        }
    };

    private void feed(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        escape.feed(b, 0, b.length, actions);
    }

    @Test
    void plainBytesIncludingCtrlCGoToTheGuestInOneRun() {
        feed('l', 's', '\r', 0x03, 0xff);
        assertThat(toGuest.toByteArray()).containsExactly('l', 's', '\r', 0x03, 0xff);
        assertThat(events).containsExactly("send 5");
    }

    @Test
    void ctrlAThenXQuitsAfterTheBytesBeforeIt() {
        feed('a', 0x01, 'x', 'b');
        assertThat(events).containsExactly("send 1", "quit", "send 1");
        assertThat(toGuest.toByteArray()).containsExactly('a', 'b');
    }

    @Test
    void ctrlATwiceSendsOneCtrlA() {
        feed(0x01, 0x01, 'z');
        assertThat(toGuest.toByteArray()).containsExactly(0x01, 'z');
        assertThat(events).doesNotContain("quit");
    }

    @Test
    void theEscapeSpansSeparateReads() {
        feed('q', 0x01);
        assertThat(toGuest.toByteArray()).containsExactly('q');
        feed('x');
        assertThat(events).containsExactly("send 1", "quit");
    }

    @Test
    void ctrlAThenHPrintsHelpAndSendsNothing() {
        feed(0x01, 'h');
        assertThat(events).containsExactly("help");
        assertThat(toGuest.size()).isZero();
    }

    @Test
    void ctrlAThenAnUnknownKeyIsDroppedAsQemuDoes() {
        feed(0x01, 'q', 'w');
        assertThat(toGuest.toByteArray()).containsExactly('w');
        assertThat(events).containsExactly("send 1");
    }
}

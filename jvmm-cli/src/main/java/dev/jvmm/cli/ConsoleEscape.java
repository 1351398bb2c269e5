package dev.jvmm.cli;

import java.io.ByteArrayOutputStream;

/**
 * QEMU's console escape, as a pure state machine over typed bytes: Ctrl-A then {@code x} quits,
 * Ctrl-A then {@code h} (or {@code ?}) asks for help, Ctrl-A Ctrl-A sends one Ctrl-A; Ctrl-A
 * followed by any other byte is dropped, as QEMU does. Every other byte goes to the guest.
 */
final class ConsoleEscape {

    static final int CTRL_A = 0x01;

    /** What the typed bytes mean, in the order typed. */
    interface Actions {
        void sendToGuest(byte[] data, int offset, int length);

        void quit();

        void help();
    }

    static final String HELP = """
            C-a h    print this help\r
            C-a x    exit jvmm\r
            C-a C-a  send C-a to the guest\r
            """;

    private boolean escaped;

    /** Feeds typed bytes; runs of plain bytes reach {@code actions} as one {@code sendToGuest}. */
    void feed(byte[] data, int offset, int length, Actions actions) {
        ByteArrayOutputStream pending = new ByteArrayOutputStream(length);
        for (int i = offset; i < offset + length; i++) {
            int b = data[i] & 0xff;
            if (escaped) {
                escaped = false;
                switch (b) {
                    case CTRL_A -> pending.write(CTRL_A);
                    case 'x', 'X' -> {
                        flush(pending, actions);
                        actions.quit();
                    }
                    case 'h', 'H', '?' -> {
                        flush(pending, actions);
                        actions.help();
                    }
                    default -> { }
                }
            } else if (b == CTRL_A) {
                escaped = true;
            } else {
                pending.write(b);
            }
        }
        flush(pending, actions);
    }

    private static void flush(ByteArrayOutputStream pending, Actions actions) {
        if (pending.size() > 0) {
            byte[] bytes = pending.toByteArray();
            actions.sendToGuest(bytes, 0, bytes.length);
            pending.reset();
        }
    }
}

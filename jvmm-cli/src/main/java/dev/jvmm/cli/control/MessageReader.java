package dev.jvmm.cli.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;

/**
 * Cuts a byte stream into QMP messages: a message ends where its outermost {@code {}} or
 * {@code []} closes, or at a newline, whichever comes first (braces inside strings do not count).
 * Text outside any object (such as {@code hello}) is a message of its own, so the caller answers
 * it with an error and carries on. Works on bytes: every structural character is ASCII, so UTF-8
 * text passes through untouched.
 *
 * <p>Reads the channel directly, never through {@code Channels.newInputStream}, whose stream
 * would hold a lock that a concurrent writer on the same channel needs.
 */
final class MessageReader {

    /** The longest message accepted; anything longer is dropped up to the next newline. */
    static final int MAX_MESSAGE_BYTES = 1 << 20;

    /** A message longer than {@link #MAX_MESSAGE_BYTES}; the reader skips the rest of its line. */
    static final class TooLong extends Exception {
        TooLong() {
            super("message longer than " + MAX_MESSAGE_BYTES + " bytes");
        }
    }

    private final ReadableByteChannel in;
    private final ByteBuffer buffer = ByteBuffer.allocate(8192).flip();
    private final ByteArrayOutputStream message = new ByteArrayOutputStream();
    private int depth;
    private boolean inString;
    private boolean escaped;
    private boolean skippingLine;
    private boolean blank = true;

    MessageReader(ReadableByteChannel in) {
        this.in = in;
    }

    /** The next message's text, or null at the end of the stream (after any unfinished last message). */
    String next() throws IOException, TooLong {
        while (true) {
            if (message.size() > MAX_MESSAGE_BYTES) {
                reset();
                skippingLine = true;
                throw new TooLong();
            }
            if (!buffer.hasRemaining() && !fill()) {
                return blank ? null : take();
            }
            byte b = buffer.get();
            if (skippingLine) {
                skippingLine = b != '\n';
                continue;
            }
            if (b == '\n') {
                // The end of a line ends any message; an unfinished object is then a parse error.
                if (!blank) {
                    return take();
                }
                reset();
                continue;
            }
            if (inString) {
                append(b);
                if (escaped) {
                    escaped = false;
                } else if (b == '\\') {
                    escaped = true;
                } else if (b == '"') {
                    inString = false;
                }
                continue;
            }
            switch (b) {
                case '{', '[' -> {
                    if (depth == 0 && !blank) {
                        // Stray text before an object: answer it on its own first.
                        buffer.position(buffer.position() - 1);
                        return take();
                    }
                    depth++;
                    append(b);
                }
                case '}', ']' -> {
                    append(b);
                    if (depth > 0 && --depth == 0) {
                        return take();
                    }
                }
                case '"' -> {
                    inString = true;
                    append(b);
                }
                case ' ', '\t', '\r' -> {
                    if (!blank) {
                        append(b);
                    }
                }
                default -> append(b);
            }
        }
    }

    private boolean fill() throws IOException {
        buffer.clear();
        int n;
        do {
            n = in.read(buffer);
        } while (n == 0);
        buffer.flip();
        return n > 0;
    }

    private void append(byte b) {
        message.write(b);
        blank = false;
    }

    private String take() {
        String text = message.toString(StandardCharsets.UTF_8).strip();
        reset();
        return text;
    }

    private void reset() {
        message.reset();
        depth = 0;
        inString = false;
        escaped = false;
        blank = true;
    }
}

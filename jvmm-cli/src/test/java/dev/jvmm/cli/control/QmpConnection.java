package dev.jvmm.cli.control;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.jr.ob.JSON;

/** A raw client for tests: sends text as it is and reads the server's messages a line at a time. */
final class QmpConnection implements AutoCloseable {

    private final SocketChannel channel;
    private final BufferedReader in;

    QmpConnection(Path socket) throws IOException {
        channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
        in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
    }

    void send(String text) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }

    /** The next message, parsed; null at the end of the stream. */
    Map<String, Object> read() throws IOException {
        String line = in.readLine();
        return line == null ? null : JSON.std.mapFrom(line);
    }

    /** The next message that is not an event. */
    Map<String, Object> reply() throws IOException {
        while (true) {
            Map<String, Object> message = read();
            if (message == null || !message.containsKey("event")) {
                return message;
            }
        }
    }

    /** Reads the greeting and negotiates capabilities. */
    QmpConnection negotiated() throws IOException {
        read();
        send("{\"execute\": \"qmp_capabilities\"}\n");
        reply();
        return this;
    }

    Map<String, Object> execute(String json) throws IOException {
        send(json + "\n");
        return reply();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

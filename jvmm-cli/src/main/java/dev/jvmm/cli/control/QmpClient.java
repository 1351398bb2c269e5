package dev.jvmm.cli.control;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.jr.ob.JSON;

/**
 * A QMP client of jvmm's control socket: connects, checks the greeting, negotiates capabilities,
 * then runs commands one at a time. Events that arrive meanwhile are kept in {@link #events()}.
 * Not thread-safe. Every {@link IOException} message is one line for the user.
 */
public final class QmpClient implements AutoCloseable {

    /** How long the server may take to greet and to accept {@code qmp_capabilities}. */
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private final Path path;
    private final SocketChannel channel;
    private final MessageReader reader;
    private final Map<String, Object> greeting;
    private final List<Map<String, Object>> events = new ArrayList<>();
    private long nextId;

    private QmpClient(Path path, SocketChannel channel) throws IOException {
        this.path = path;
        this.channel = channel;
        this.reader = new MessageReader(channel);
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(HANDSHAKE_TIMEOUT);
                channel.close();
            } catch (InterruptedException | IOException e) {
                // handshake done in time
            }
        });
        try {
            Map<String, Object> first = read();
            if (!(first.get("QMP") instanceof Map<?, ?>)) {
                throw new IOException(path + ": not a QMP socket (its first message is no greeting)");
            }
            this.greeting = first;
            try {
                execute("qmp_capabilities", Map.of());
            } catch (QmpError e) {
                throw new IOException(path + ": the server refused capabilities negotiation: " + e.desc());
            }
        } catch (AsynchronousCloseException e) {
            throw new IOException(path + ": no QMP greeting within " + HANDSHAKE_TIMEOUT.toSeconds() + " s");
        } finally {
            watchdog.interrupt();
        }
    }

    /** Connects to the control socket at {@code path} and negotiates capabilities. */
    public static QmpClient connect(Path path) throws IOException {
        SocketChannel channel = UnixSocketFiles.connect(path);
        try {
            return new QmpClient(path, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The server's greeting, {@code {"QMP": {...}}}. */
    public Map<String, Object> greeting() {
        return greeting;
    }

    /** Events received so far, oldest first. */
    public List<Map<String, Object>> events() {
        return List.copyOf(events);
    }

    /**
     * Runs {@code command} and returns its {@code return} value (usually a map); an error reply is
     * thrown as {@link QmpError}. Blocks as long as the command does.
     */
    public Object execute(String command, Map<String, ?> arguments) throws IOException, QmpError {
        String id = "jvmm-" + (++nextId);
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("execute", command);
        if (!arguments.isEmpty()) {
            request.put("arguments", arguments);
        }
        request.put("id", id);
        write(request);
        while (true) {
            Map<String, Object> message = read();
            if (message.containsKey("event")) {
                events.add(message);
                continue;
            }
            Object replyId = message.get("id");
            if (replyId != null && !replyId.equals(id)) {
                continue; // an answer to someone else's request cannot be ours; skip it
            }
            if (message.containsKey("return")) {
                return message.get("return");
            }
            if (message.get("error") instanceof Map<?, ?> error) {
                throw new QmpError(String.valueOf(error.get("class")), String.valueOf(error.get("desc")));
            }
            throw new IOException(path + ": unexpected message from the server: " + abbreviate(message.toString()));
        }
    }

    /** {@link #execute} for commands whose reply is an object. */
    public Map<String, Object> executeForObject(String command, Map<String, ?> arguments) throws IOException, QmpError {
        Object value = execute(command, arguments);
        if (!(value instanceof Map<?, ?> map)) {
            throw new IOException(path + ": '" + command + "' answered with " + abbreviate(String.valueOf(value))
                    + " where an object was expected");
        }
        return stringKeys(map);
    }

    private static Map<String, Object> stringKeys(Map<?, ?> map) {
        Map<String, Object> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(String.valueOf(k), v));
        return copy;
    }

    private void write(Map<String, Object> message) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap((JSON.std.asString(message) + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        } catch (IOException e) {
            throw new IOException(path + ": the control connection broke (has jvmm exited?)");
        }
    }

    private Map<String, Object> read() throws IOException {
        String text;
        try {
            text = reader.next();
        } catch (MessageReader.TooLong e) {
            throw new IOException(path + ": the server sent a message longer than jvmm accepts");
        } catch (AsynchronousCloseException e) {
            throw e;
        } catch (IOException e) {
            throw new IOException(path + ": the control connection broke (has jvmm exited?)");
        }
        if (text == null) {
            throw new IOException(path + ": the control connection closed (has jvmm exited?)");
        }
        Object parsed;
        try {
            parsed = JSON.std.anyFrom(text);
        } catch (IOException | RuntimeException e) {
            throw new IOException(path + ": the server sent something that is not JSON: " + abbreviate(text));
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new IOException(path + ": the server sent something that is not a QMP message: " + abbreviate(text));
        }
        return stringKeys(map);
    }

    private static String abbreviate(String text) {
        String line = text.replaceAll("\\s+", " ");
        return line.length() <= 120 ? line : line.substring(0, 117) + "...";
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing to flush
        }
    }
}

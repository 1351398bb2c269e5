package dev.jvmm.cli.control;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.jr.ob.JSON;

/**
 * One client's connection: the greeting, then capabilities negotiation (only
 * {@code qmp_capabilities} is accepted until it has run, as in QMP), then commands. A message
 * that is not valid JSON, or not a well-formed command, is answered with an error and the
 * connection goes on. Replies and events may be sent from different threads.
 */
final class QmpSession {

    private static final Set<String> REQUEST_MEMBERS = Set.of("execute", "arguments", "id");

    private final SocketChannel channel;
    private final QmpCommands commands;
    private final Map<String, Object> greeting;
    private final Object writeLock = new Object();
    private volatile boolean negotiated;

    QmpSession(SocketChannel channel, QmpCommands commands, Map<String, Object> greeting) {
        this.channel = channel;
        this.commands = commands;
        this.greeting = greeting;
    }

    /** Serves the client until it disconnects or the channel is closed. */
    void serve() {
        try (channel) {
            send(greeting);
            MessageReader reader = new MessageReader(channel);
            while (true) {
                String text;
                try {
                    text = reader.next();
                } catch (MessageReader.TooLong e) {
                    sendError(null, QmpError.generic("QMP input too long (at most "
                            + MessageReader.MAX_MESSAGE_BYTES + " bytes)"));
                    continue;
                }
                if (text == null) {
                    return;
                }
                handle(text);
            }
        } catch (IOException e) {
            // the client went away, or the server is closing: nothing to answer
        }
    }

    /** Whether the client has negotiated capabilities and so receives events. */
    boolean negotiated() {
        return negotiated;
    }

    private void handle(String text) throws IOException {
        Object parsed;
        try {
            parsed = JSON.std.anyFrom(text);
        } catch (IOException | RuntimeException e) {
            sendError(null, QmpError.generic("JSON parse error, " + parserMessage(e)));
            return;
        }
        if (!(parsed instanceof Map<?, ?> request)) {
            sendError(null, QmpError.generic("QMP input must be a JSON object"));
            return;
        }
        Object id = request.get("id");
        try {
            QmpCommands.Result result = dispatch(request);
            Map<String, Object> reply = new LinkedHashMap<>();
            reply.put("return", result.value());
            if (id != null) {
                reply.put("id", id);
            }
            send(reply);
            result.afterReply().run();
        } catch (QmpError e) {
            sendError(id, e);
        }
    }

    private QmpCommands.Result dispatch(Map<?, ?> request) throws QmpError {
        for (Object member : request.keySet()) {
            if (!REQUEST_MEMBERS.contains(member)) {
                throw QmpError.generic("QMP input member '" + member + "' is unexpected");
            }
        }
        Object execute = request.get("execute");
        if (execute == null) {
            throw QmpError.generic("QMP input lacks member 'execute'");
        }
        if (!(execute instanceof String name)) {
            throw QmpError.generic("QMP input member 'execute' must be a string");
        }
        Object arguments = request.get("arguments");
        if (arguments != null && !(arguments instanceof Map<?, ?>)) {
            throw QmpError.generic("QMP input member 'arguments' must be an object");
        }
        Map<String, Object> args = new LinkedHashMap<>();
        if (arguments instanceof Map<?, ?> map) {
            map.forEach((k, v) -> args.put(String.valueOf(k), v));
        }
        if (name.equals("qmp_capabilities")) {
            return negotiate(args);
        }
        if (!negotiated) {
            throw QmpError.commandNotFound("Expecting capabilities negotiation with 'qmp_capabilities'");
        }
        return commands.execute(name, args);
    }

    /** jvmm offers no optional capabilities, so {@code enable} may only list none. */
    private QmpCommands.Result negotiate(Map<String, Object> args) throws QmpError {
        if (negotiated) {
            throw QmpError.commandNotFound("Capabilities negotiation is already complete, command ignored");
        }
        QmpCommands.Arguments checked = new QmpCommands.Arguments(args);
        Object enable = args.get("enable");
        if (enable != null) {
            if (!(enable instanceof List<?> list)) {
                throw QmpError.generic("Invalid parameter type for 'enable', expected: array");
            }
            if (!list.isEmpty()) {
                throw QmpError.generic("Capability '" + list.getFirst() + "' not available");
            }
        }
        checked.skip("enable");
        checked.done();
        negotiated = true;
        return QmpCommands.Result.of(Map.of());
    }

    private static String parserMessage(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int location = message.indexOf(" at [Source");
        if (location >= 0) {
            message = message.substring(0, location);
        }
        int nl = message.indexOf('\n');
        return (nl >= 0 ? message.substring(0, nl) : message).strip();
    }

    private void sendError(Object id, QmpError e) throws IOException {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("class", e.errorClass());
        error.put("desc", e.desc());
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("error", error);
        if (id != null) {
            reply.put("id", id);
        }
        send(reply);
    }

    /** Sends one message; a failure closes the connection (its reader then ends). */
    void send(Map<String, Object> message) throws IOException {
        byte[] bytes = (JSON.std.asString(message) + "\r\n").getBytes(StandardCharsets.UTF_8);
        synchronized (writeLock) {
            try {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            } catch (IOException e) {
                close();
                throw e;
            }
        }
    }

    void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // already closed
        }
    }
}

package dev.jvmm.cli.control;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The control socket of one guest: listens on an owner-only Unix socket (see
 * {@link UnixSocketFiles}) and serves each client that connects, one thread a client, in QMP's
 * shape; the commands act on a {@link ControlledMachine}. Events ({@code STOP}, {@code RESUME},
 * {@code SHUTDOWN}, ...) go to every client past capabilities negotiation, from a thread of their
 * own, so a client that stops reading delays only events, never the guest or jvmm's exit.
 * Closing stops listening, disconnects the clients and removes the socket file; a shutdown hook
 * removes it too if jvmm ends without closing (a signal).
 */
public final class QmpServer implements AutoCloseable {

    /** How long {@link #close()} lets queued events (such as the final {@code SHUTDOWN}) reach clients. */
    static final Duration EVENT_DRAIN = Duration.ofMillis(500);
    private static final int EVENT_QUEUE = 256;

    /**
     * The version the greeting and {@code query-version} report, in QMP's shape: jvmm's own
     * version numbers stand where QEMU's would, and {@code package} names jvmm.
     */
    public record Version(int major, int minor, int micro, String packageName) {

        private static final Pattern NUMBERS = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?.*");

        /** From a version text such as {@code 0.1.0-SNAPSHOT} (null for a development build). */
        public static Version of(String version) {
            if (version == null) {
                return new Version(0, 0, 0, "jvmm (development build)");
            }
            Matcher m = NUMBERS.matcher(version);
            if (!m.matches()) {
                return new Version(0, 0, 0, "jvmm " + version);
            }
            return new Version(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    m.group(3) == null ? 0 : Integer.parseInt(m.group(3)), "jvmm " + version);
        }

        Map<String, Object> toQmp() {
            Map<String, Object> numbers = new LinkedHashMap<>();
            numbers.put("major", major);
            numbers.put("minor", minor);
            numbers.put("micro", micro);
            Map<String, Object> version = new LinkedHashMap<>();
            version.put("qemu", numbers);
            version.put("package", packageName);
            return version;
        }
    }

    private record Event(String name, Map<String, Object> data, Instant at) {
    }

    private final UnixSocketFiles.Listening socket;
    private final QmpCommands commands;
    private final Map<String, Object> greeting;
    private final Set<QmpSession> sessions = ConcurrentHashMap.newKeySet();
    private final Object sessionsChanged = new Object();
    private final BlockingQueue<Event> events = new ArrayBlockingQueue<>(EVENT_QUEUE);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread cleanup;
    private final Thread acceptor;
    private final Thread eventSender;
    /** Events queued or being sent. */
    private final AtomicInteger pendingEvents = new AtomicInteger();

    private QmpServer(UnixSocketFiles.Listening socket, ControlledMachine machine, Version version) {
        this.socket = socket;
        this.commands = new QmpCommands(machine, version, this::emit);
        Map<String, Object> qmp = new LinkedHashMap<>();
        qmp.put("version", version.toQmp());
        qmp.put("capabilities", List.of());
        this.greeting = Map.of("QMP", qmp);
        this.cleanup = new Thread(() -> UnixSocketFiles.removeIfSame(socket.path(), socket.fileKey()), "jvmm-control-cleanup");
        this.acceptor = Thread.ofPlatform().daemon(true).name("jvmm-control").unstarted(this::acceptClients);
        this.eventSender = Thread.ofVirtual().name("jvmm-control-events").unstarted(this::sendEvents);
    }

    /**
     * Listens on a new owner-only socket at {@code path} (see {@link UnixSocketFiles#listenPrivately})
     * and starts serving. The {@link IOException}'s message is one line naming the path.
     */
    public static QmpServer start(Path path, ControlledMachine machine, Version version) throws IOException {
        QmpServer server = new QmpServer(UnixSocketFiles.listenPrivately(path), machine, version);
        Runtime.getRuntime().addShutdownHook(server.cleanup);
        server.acceptor.start();
        server.eventSender.start();
        return server;
    }

    /** The socket file (absolute). */
    public Path path() {
        return socket.path();
    }

    /** Sends event {@code name} with {@code data} (none if empty) to every negotiated client; never blocks. */
    public void emit(String name, Map<String, Object> data) {
        if (!closed.get()) {
            // A full queue means nobody is reading: dropping an event beats stalling the caller.
            pendingEvents.incrementAndGet();
            if (!events.offer(new Event(name, data, Instant.now()))) {
                pendingEvents.decrementAndGet();
            }
        }
    }

    /**
     * Waits until no client is connected, at most {@code timeout}; returns whether none is. Lets a
     * client that follows a migration read its final state before jvmm exits.
     */
    public boolean awaitNoClients(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (sessionsChanged) {
            while (!sessions.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(sessionsChanged, left);
            }
        }
        return true;
    }

    private void acceptClients() {
        while (!closed.get()) {
            SocketChannel client;
            try {
                client = socket.channel().accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // Out of file descriptors or the like: wait a little rather than spin.
                pause(100);
                continue;
            }
            QmpSession session = new QmpSession(client, commands, greeting);
            sessions.add(session);
            if (closed.get()) {
                session.close();
            }
            Thread.ofVirtual().name("jvmm-control-client").start(() -> {
                try {
                    session.serve();
                } finally {
                    sessions.remove(session);
                    synchronized (sessionsChanged) {
                        sessionsChanged.notifyAll();
                    }
                }
            });
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void sendEvents() {
        try {
            while (true) {
                Event event = events.take();
                Map<String, Object> message = new LinkedHashMap<>();
                message.put("event", event.name());
                if (!event.data().isEmpty()) {
                    message.put("data", event.data());
                }
                Map<String, Object> timestamp = new LinkedHashMap<>();
                timestamp.put("seconds", event.at().getEpochSecond());
                timestamp.put("microseconds", event.at().getNano() / 1000);
                message.put("timestamp", timestamp);
                for (QmpSession session : sessions) {
                    if (session.negotiated()) {
                        try {
                            session.send(message);
                        } catch (IOException e) {
                            // that client is gone; its session ends by itself
                        }
                    }
                }
                pendingEvents.decrementAndGet();
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    /** Lets queued events go out (briefly), disconnects every client, stops listening and removes the socket file. */
    @Override
    public void close() {
        if (closed.get()) {
            return;
        }
        long deadline = System.nanoTime() + EVENT_DRAIN.toNanos();
        while (pendingEvents.get() > 0 && System.nanoTime() < deadline) {
            pause(5);
        }
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        socket.close();
        sessions.forEach(QmpSession::close);
        eventSender.interrupt();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // already shutting down: the hook removes the file
        }
        try {
            acceptor.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

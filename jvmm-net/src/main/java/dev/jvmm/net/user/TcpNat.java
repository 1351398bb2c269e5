package dev.jvmm.net.user;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The table of TCP connections, keyed by (guest port, remote address, remote port) as the
 * guest sees them. Guest SYNs open connections to the host, port forwards open them from the
 * host; segments for no connection get a RST (RFC 9293 §3.10.7.1). At most
 * {@code maxTcpConnections} live at once.
 */
final class TcpNat {

    /** Source ports 10.0.2.2 uses toward the guest for forwarded connections. */
    private static final int FIRST_FORWARD_PORT = 32768;

    private final UserNetworkConfig config;
    private final GuestOutput output;
    private final AtomicLong dropped;
    private final Map<Long, TcpConnection> connections = new ConcurrentHashMap<>();
    private final List<ServerSocketChannel> listeners = new ArrayList<>();
    private final List<InetSocketAddress> listening = new ArrayList<>();
    private int nextForwardPort = FIRST_FORWARD_PORT;
    private volatile boolean closed;

    TcpNat(UserNetworkConfig config, GuestOutput output, AtomicLong dropped) {
        this.config = config;
        this.output = output;
        this.dropped = dropped;
    }

    GuestOutput output() {
        return output;
    }

    static long key(int guestPort, int remoteIp, int remotePort) {
        return (long) guestPort << 48 | (remoteIp & 0xffffffffL) << 16 | remotePort;
    }

    /** Handles a segment from the guest (already validated). */
    void onSegment(Ipv4Packet ip, TcpSegment s) {
        if (ip.src() != VirtualLan.GUEST_IP || s.srcPort() == 0 || s.dstPort() == 0) {
            dropped.incrementAndGet();
            return;
        }
        long key = key(s.srcPort(), ip.dst(), s.dstPort());
        TcpConnection c = connections.get(key);
        if (c != null) {
            c.onSegment(s);
            return;
        }
        if (s.has(TcpSegment.RST)) {
            return;
        }
        if (!s.has(TcpSegment.SYN) || s.has(TcpSegment.ACK)) {
            reset(ip, s);
            return;
        }
        InetSocketAddress target = hostTarget(ip.dst(), s.dstPort());
        if (target == null || closed || connections.size() >= config.maxTcpConnections()) {
            reset(ip, s);
            return;
        }
        TcpConnection conn = TcpConnection.fromGuest(this, key, ip.dst(), s);
        connections.put(key, conn);
        conn.startConnect(target, (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis()));
    }

    /** Where a guest destination lives on the host, or null if nothing is there. */
    private InetSocketAddress hostTarget(int dst, int port) {
        if (dst == VirtualLan.GATEWAY_IP) {
            return new InetSocketAddress(config.hostLoopback(), port);
        }
        if (VirtualLan.inLan(dst) || (dst >>> 28) >= 0xe || (dst >>> 24) == 0 || (dst >>> 24) == 127) {
            return null; // no other LAN hosts (no DNS over TCP either); no multicast, 0/8 or loopback
        }
        return new InetSocketAddress(VirtualLan.toInet(dst), port);
    }

    /** A RST for a segment that belongs to no connection. */
    private void reset(Ipv4Packet ip, TcpSegment s) {
        byte[] f = s.has(TcpSegment.ACK)
                ? FrameBuilder.tcp(output.guestMac(), ip.dst(), s.dstPort(), ip.src(), s.srcPort(),
                        s.ack(), 0, TcpSegment.RST, 0, 0, null, 0, 0)
                : FrameBuilder.tcp(output.guestMac(), ip.dst(), s.dstPort(), ip.src(), s.srcPort(),
                        0, s.seq() + s.seqLength(), TcpSegment.RST | TcpSegment.ACK, 0, 0, null, 0, 0);
        output.offer(f);
    }

    void forget(TcpConnection c) {
        connections.remove(c.key, c);
    }

    /** Opens the host listeners of every port forward. */
    void startForwards() throws IOException {
        for (HostForward fwd : config.forwards()) {
            ServerSocketChannel server = ServerSocketChannel.open();
            try {
                server.bind(new InetSocketAddress(fwd.hostAddress(), fwd.hostPort()));
            } catch (IOException e) {
                server.close();
                throw new IOException("cannot listen on " + fwd.hostAddress().getHostAddress() + ":"
                        + fwd.hostPort() + " for a port forward: " + e.getMessage(), e);
            }
            listeners.add(server);
            listening.add((InetSocketAddress) server.getLocalAddress());
            Thread.ofVirtual().name("jvmm-net-hostfwd-" + fwd.hostPort()).start(() -> accept(server, fwd));
        }
    }

    List<InetSocketAddress> listening() {
        return List.copyOf(listening);
    }

    private void accept(ServerSocketChannel server, HostForward fwd) {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            TcpConnection conn = null;
            synchronized (this) {
                if (!closed && connections.size() < config.maxTcpConnections()) {
                    int port = freeForwardPort(fwd.guestPort());
                    if (port != 0) {
                        long key = key(fwd.guestPort(), VirtualLan.GATEWAY_IP, port);
                        conn = TcpConnection.fromHost(this, key, fwd.guestPort(), port, ch);
                        connections.put(key, conn);
                    }
                }
            }
            if (conn == null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // refused
                }
            } else {
                conn.sendSyn();
            }
        }
    }

    private int freeForwardPort(int guestPort) {
        for (int tries = 0; tries < 65536 - FIRST_FORWARD_PORT; tries++) {
            int p = nextForwardPort;
            nextForwardPort = p == 65535 ? FIRST_FORWARD_PORT : p + 1;
            if (!connections.containsKey(key(guestPort, VirtualLan.GATEWAY_IP, p))) {
                return p;
            }
        }
        return 0;
    }

    void tick(long now) {
        for (TcpConnection c : connections.values()) {
            c.tick(now);
        }
    }

    int size() {
        return connections.size();
    }

    void close() {
        closed = true;
        for (ServerSocketChannel s : listeners) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
        for (TcpConnection c : connections.values()) {
            c.shutdown();
        }
    }
}

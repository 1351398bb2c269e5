package dev.jvmm.net.user;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * UDP through host sockets: each guest flow (guest port, destination address, destination
 * port) gets its own connected host {@link DatagramChannel} and a virtual thread that relays
 * replies back. 10.0.2.2 means the host's loopback; 10.0.2.3:53 means the configured DNS
 * resolver (or a local SERVFAIL when there is none). Idle flows are closed by {@link #expire}.
 */
final class UdpNat {

    /** The largest UDP payload that fits one frame to the guest. */
    private static final int MAX_REPLY = FrameBuilder.MTU - FrameBuilder.IPV4_HEADER - FrameBuilder.UDP_HEADER;
    private static final int DNS_PORT = 53;

    private final UserNetworkConfig config;
    private final GuestOutput output;
    private final AtomicLong dropped;
    private final Map<Long, Flow> flows = new ConcurrentHashMap<>();
    private volatile boolean closed;

    UdpNat(UserNetworkConfig config, GuestOutput output, AtomicLong dropped) {
        this.config = config;
        this.output = output;
        this.dropped = dropped;
    }

    /** One guest flow and its host socket. */
    private final class Flow {
        final long key;
        final int guestPort;
        final int remoteIp;
        final int remotePort;
        final DatagramChannel channel;
        volatile long lastActive = System.nanoTime();

        Flow(long key, int guestPort, int remoteIp, int remotePort, DatagramChannel channel) {
            this.key = key;
            this.guestPort = guestPort;
            this.remoteIp = remoteIp;
            this.remotePort = remotePort;
            this.channel = channel;
        }

        void relayReplies() {
            ByteBuffer buf = ByteBuffer.allocate(65536);
            try {
                while (!closed) {
                    buf.clear();
                    try {
                        channel.read(buf);
                    } catch (PortUnreachableException e) {
                        continue; // an ICMP error for an earlier datagram; keep the flow
                    }
                    lastActive = System.nanoTime();
                    if (buf.position() > MAX_REPLY) {
                        dropped.incrementAndGet(); // would need IP fragmentation toward the guest
                        continue;
                    }
                    byte[] f = FrameBuilder.udp(output.guestMac(), remoteIp, remotePort, VirtualLan.GUEST_IP,
                            guestPort, buf.array(), 0, buf.position());
                    output.put(f);
                }
            } catch (ClosedChannelException e) {
                // expired or shut down
            } catch (IOException e) {
                // the host socket failed; drop the flow
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                close();
            }
        }

        void close() {
            flows.remove(key, this);
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing more to release
            }
        }
    }

    /** Relays one validated IPv4 datagram carrying UDP from the guest. */
    void onDatagram(Ipv4Packet ip, AtomicLong malformed) {
        byte[] b = ip.frame();
        int off = ip.payloadOff();
        if (ip.payloadLen() < FrameBuilder.UDP_HEADER) {
            malformed.incrementAndGet();
            return;
        }
        int udpLen = Bytes.u16(b, off + 4);
        if (udpLen < FrameBuilder.UDP_HEADER || udpLen > ip.payloadLen()) {
            malformed.incrementAndGet();
            return;
        }
        if (Bytes.u16(b, off + 6) != 0) {
            int sum = Checksum.addPseudoHeader(0, ip.src(), ip.dst(), Ipv4Packet.UDP, udpLen);
            if (Checksum.finish(Checksum.add(sum, b, off, udpLen)) != 0) {
                malformed.incrementAndGet();
                return;
            }
        }
        int srcPort = Bytes.u16(b, off);
        int dstPort = Bytes.u16(b, off + 2);
        int dataOff = off + FrameBuilder.UDP_HEADER;
        int dataLen = udpLen - FrameBuilder.UDP_HEADER;
        if (ip.dst() == VirtualLan.GATEWAY_IP && dstPort == DhcpServer.SERVER_PORT
                || ip.dst() == VirtualLan.LIMITED_BROADCAST || ip.dst() == VirtualLan.SUBNET_BROADCAST) {
            if (dstPort == DhcpServer.SERVER_PORT && srcPort == DhcpServer.CLIENT_PORT) {
                DhcpServer.Reply r = DhcpServer.handle(b, dataOff, dataLen);
                if (r != null) {
                    output.offer(FrameBuilder.udp(r.dstMac(), VirtualLan.GATEWAY_IP, DhcpServer.SERVER_PORT,
                            r.dstIp(), DhcpServer.CLIENT_PORT, r.payload(), 0, r.payload().length));
                    return;
                }
            }
            dropped.incrementAndGet();
            return;
        }
        if (ip.src() != VirtualLan.GUEST_IP || srcPort == 0 || dstPort == 0) {
            dropped.incrementAndGet();
            return;
        }
        InetSocketAddress target = hostTarget(ip.dst(), dstPort);
        if (target == null) {
            if (ip.dst() == VirtualLan.DNS_IP && dstPort == DNS_PORT) {
                byte[] answer = DnsServfail.replyTo(b, dataOff, dataLen);
                if (answer != null) {
                    output.offer(FrameBuilder.udp(output.guestMac(), VirtualLan.DNS_IP, DNS_PORT,
                            VirtualLan.GUEST_IP, srcPort, answer, 0, answer.length));
                    return;
                }
            }
            dropped.incrementAndGet();
            return;
        }
        Flow flow = flowFor(srcPort, ip.dst(), dstPort, target);
        if (flow == null) {
            dropped.incrementAndGet();
            return;
        }
        flow.lastActive = System.nanoTime();
        try {
            flow.channel.write(ByteBuffer.wrap(b, dataOff, dataLen));
        } catch (PortUnreachableException e) {
            dropped.incrementAndGet(); // an ICMP error from an earlier datagram
        } catch (IOException e) {
            dropped.incrementAndGet();
            flow.close();
        }
    }

    /** Where a guest destination lives on the host, or null if nothing is there. */
    private InetSocketAddress hostTarget(int dst, int port) {
        if (dst == VirtualLan.GATEWAY_IP) {
            return new InetSocketAddress(config.hostLoopback(), port);
        }
        if (dst == VirtualLan.DNS_IP) {
            return port == DNS_PORT ? config.dnsResolver().orElse(null) : null;
        }
        if (VirtualLan.inLan(dst) || (dst >>> 28) >= 0xe || (dst >>> 24) == 0 || (dst >>> 24) == 127) {
            return null; // other LAN hosts do not exist; multicast, reserved, 0/8 and loopback are not routed
        }
        InetAddress a = VirtualLan.toInet(dst);
        return new InetSocketAddress(a, port);
    }

    private Flow flowFor(int guestPort, int dst, int dstPort, InetSocketAddress target) {
        long key = (long) guestPort << 48 | (dst & 0xffffffffL) << 16 | dstPort;
        Flow flow = flows.get(key);
        if (flow != null && flow.channel.isOpen()) {
            return flow;
        }
        if (closed) {
            return null;
        }
        if (flows.size() >= config.maxUdpFlows()) {
            evictLeastRecentlyUsed();
        }
        DatagramChannel ch = null;
        try {
            ch = DatagramChannel.open();
            ch.connect(target);
            Flow f = new Flow(key, guestPort, dst, dstPort, ch);
            flows.put(key, f);
            Thread.ofVirtual().name("jvmm-net-udp-" + guestPort).start(f::relayReplies);
            return f;
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // nothing more to release
                }
            }
            return null;
        }
    }

    private void evictLeastRecentlyUsed() {
        flows.values().stream().min((x, y) -> Long.compare(x.lastActive - y.lastActive, 0))
                .ifPresent(Flow::close);
    }

    /** Closes flows idle longer than the configured timeout. */
    void expire(long now) {
        long idle = config.udpIdleTimeout().toNanos();
        for (Flow f : flows.values()) {
            if (now - f.lastActive > idle) {
                f.close();
            }
        }
    }

    int size() {
        return flows.size();
    }

    void close() {
        closed = true;
        for (Flow f : flows.values()) {
            f.close();
        }
    }
}

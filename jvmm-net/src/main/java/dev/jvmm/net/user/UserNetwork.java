package dev.jvmm.net.user;

import dev.jvmm.net.NetBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * User-mode networking: the guest sees a LAN with a gateway (10.0.2.2, standing for the
 * host), a DNS server (10.0.2.3) and a DHCP server that leases it 10.0.2.15; its TCP and UDP
 * leave through ordinary host sockets. See the package documentation for what is left out.
 *
 * <p>{@link #send} parses Ethernet, answers ARP and ICMP echo itself, and hands UDP to
 * {@link UdpNat} (which also serves DHCP and DNS) and TCP to {@link TcpNat}. It never throws
 * for a bad frame: malformed frames are counted in {@link UserNetworkStats#malformedFrames()}.
 */
public final class UserNetwork implements NetBackend {

    private static final long TICK_NANOS = 50_000_000L;

    private final UserNetworkConfig config;
    private final GuestOutput output = new GuestOutput();
    private final AtomicLong framesFromGuest = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong internalErrors = new AtomicLong();
    private final UdpNat udp;
    private final TcpNat tcp;
    private volatile boolean started;
    private volatile boolean closed;
    private Thread timer;

    public UserNetwork(UserNetworkConfig config) {
        this.config = config;
        this.udp = new UdpNat(config, output, dropped);
        this.tcp = new TcpNat(config, output, dropped);
    }

    public UserNetworkConfig config() {
        return config;
    }

    @Override
    public synchronized void start(FrameSink toGuest) throws IOException {
        if (started) {
            throw new IllegalStateException("user network already started");
        }
        started = true;
        output.start(toGuest);
        tcp.startForwards();
        timer = Thread.ofPlatform().daemon().name("jvmm-net-user-timer").start(this::runTimer);
    }

    private void runTimer() {
        try {
            while (!closed) {
                Thread.sleep(TICK_NANOS / 1_000_000);
                long now = System.nanoTime();
                tcp.tick(now);
                udp.expire(now);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The host addresses the port forwards listen on, in configuration order (known after start). */
    public List<InetSocketAddress> forwardAddresses() {
        return tcp.listening();
    }

    /** The current counters. */
    public UserNetworkStats stats() {
        return new UserNetworkStats(framesFromGuest.get(), output.delivered(), malformed.get(),
                dropped.get() + output.dropped(), tcp.size(), udp.size(), internalErrors.get());
    }

    @Override
    public void send(ByteBuffer frame) {
        framesFromGuest.incrementAndGet();
        if (closed || !started) {
            dropped.incrementAndGet();
            return;
        }
        try {
            int len = frame.remaining();
            if (len < FrameBuilder.ETHERNET_HEADER || len > MAX_FRAME) {
                malformed.incrementAndGet();
                return;
            }
            byte[] f = new byte[len];
            frame.duplicate().get(f);
            handleFrame(f);
        } catch (RuntimeException e) {
            // a bug must not take the device down with it; the frame is lost
            internalErrors.incrementAndGet();
        }
    }

    private void handleFrame(byte[] f) {
        boolean broadcast = (f[0] & 1) != 0;
        if (!broadcast && !isGatewayMac(f)) {
            dropped.incrementAndGet(); // not for us
            return;
        }
        if ((f[6] & 1) != 0) {
            malformed.incrementAndGet(); // a multicast source address
            return;
        }
        int type = Bytes.u16(f, 12);
        switch (type) {
            case FrameBuilder.ETHERTYPE_ARP -> handleArp(f);
            case FrameBuilder.ETHERTYPE_IPV4 -> handleIpv4(f);
            default -> dropped.incrementAndGet(); // IPv6, VLAN tags and the rest are not served
        }
    }

    private static boolean isGatewayMac(byte[] f) {
        for (int i = 0; i < 6; i++) {
            if (f[i] != VirtualLan.GATEWAY_MAC[i]) {
                return false;
            }
        }
        return true;
    }

    /** ARP (RFC 826): answer requests for the gateway and the DNS server. */
    private void handleArp(byte[] f) {
        int a = FrameBuilder.ETHERNET_HEADER;
        if (f.length < a + 28 || Bytes.u16(f, a) != 1 || Bytes.u16(f, a + 2) != 0x0800
                || Bytes.u8(f, a + 4) != 6 || Bytes.u8(f, a + 5) != 4) {
            malformed.incrementAndGet();
            return;
        }
        output.learnGuestMac(f);
        int op = Bytes.u16(f, a + 6);
        int senderIp = Bytes.i32(f, a + 14);
        int targetIp = Bytes.i32(f, a + 24);
        if (op != 1 || (targetIp != VirtualLan.GATEWAY_IP && targetIp != VirtualLan.DNS_IP)) {
            return; // replies, gratuitous ARP and questions about other hosts need no answer
        }
        byte[] senderMac = new byte[6];
        System.arraycopy(f, a + 8, senderMac, 0, 6);
        output.offer(FrameBuilder.arpReply(senderMac, senderIp, targetIp));
    }

    private void handleIpv4(byte[] f) {
        int off = FrameBuilder.ETHERNET_HEADER;
        switch (Ipv4Packet.check(f, off, f.length)) {
            case MALFORMED -> {
                malformed.incrementAndGet();
                return;
            }
            case FRAGMENT -> {
                dropped.incrementAndGet(); // fragments are not reassembled
                return;
            }
            case OK -> {
            }
        }
        Ipv4Packet ip = Ipv4Packet.parse(f, off, f.length);
        output.learnGuestMac(f);
        switch (ip.protocol()) {
            case Ipv4Packet.ICMP -> handleIcmp(ip);
            case Ipv4Packet.UDP -> udp.onDatagram(ip, malformed);
            case Ipv4Packet.TCP -> {
                TcpSegment s = TcpSegment.parse(ip);
                if (s == null) {
                    malformed.incrementAndGet();
                } else {
                    tcp.onSegment(ip, s);
                }
            }
            default -> dropped.incrementAndGet();
        }
    }

    /** ICMP echo to the gateway or DNS address is answered here; nothing else is served. */
    private void handleIcmp(Ipv4Packet ip) {
        byte[] b = ip.frame();
        int off = ip.payloadOff();
        int len = ip.payloadLen();
        if (len < 8 || Checksum.of(b, off, len) != 0) {
            malformed.incrementAndGet();
            return;
        }
        boolean local = ip.dst() == VirtualLan.GATEWAY_IP || ip.dst() == VirtualLan.DNS_IP;
        if (Bytes.u8(b, off) != 8 || !local || ip.src() != VirtualLan.GUEST_IP) {
            dropped.incrementAndGet();
            return;
        }
        output.offer(FrameBuilder.icmp(output.guestMac(), ip.dst(), ip.src(), 0, 0, b, off + 4, len - 4));
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        tcp.close();
        udp.close();
        Thread t = timer;
        if (t != null) {
            t.interrupt();
        }
        try {
            output.close();
            if (t != null) {
                t.join(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

package dev.jvmm.net.user;

import static dev.jvmm.net.user.TestFrames.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UserNetworkBasicsTest {

    private final CollectingSink sink = new CollectingSink();
    private UserNetwork net;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    private void start(UserNetworkConfig config) throws Exception {
        net = new UserNetwork(config);
        net.start(sink);
    }

    private static UserNetworkConfig noResolver() {
        return UserNetworkConfig.defaults().withDnsResolver(Optional.empty());
    }

    @AfterEach
    void tearDown() throws Exception {
        if (net != null) {
            net.close();
        }
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    @Test
    void arpRequestForGatewayIsAnsweredWithVirtualMac() throws Exception {
        start(noResolver());
        net.send(arpRequest(GUEST, GW));
        byte[] f = sink.await(x -> x.length >= 42 && x[12] == 0x08 && x[13] == 0x06 ? x : null, 2000);
        ByteBuffer b = ByteBuffer.wrap(f);
        assertThat(b.getShort(20)).isEqualTo((short) 2); // reply
        byte[] sha = new byte[6];
        b.get(22, sha);
        assertThat(sha).containsExactly(GW_MAC);
        assertThat(b.getInt(28)).isEqualTo(GW);
        byte[] tha = new byte[6];
        b.get(32, tha);
        assertThat(tha).containsExactly(GUEST_MAC);
        assertThat(b.getInt(38)).isEqualTo(GUEST);
        byte[] dst = new byte[6];
        b.get(0, dst);
        assertThat(dst).containsExactly(GUEST_MAC);
    }

    @Test
    void arpForDnsServerIsAnsweredButOtherHostsAreNot() throws Exception {
        start(noResolver());
        net.send(arpRequest(GUEST, ip("10.0.2.77")));
        net.send(arpRequest(GUEST, DNS));
        byte[] f = sink.await(x -> x[12] == 0x08 && x[13] == 0x06 ? x : null, 2000);
        assertThat(ByteBuffer.wrap(f).getInt(28)).isEqualTo(DNS);
        assertThat(sink.poll(200)).isNull();
    }

    @Test
    void pingToGatewayIsEchoed() throws Exception {
        start(noResolver());
        byte[] icmp = {8, 0, 0, 0, 0x12, 0x34, 0, 1, 'h', 'i', '!'};
        int c = cksum(icmp, 0, icmp.length, 0);
        icmp[2] = (byte) (c >> 8);
        icmp[3] = (byte) c;
        net.send(ipFrame(GW_MAC, GUEST, GW, 1, icmp));
        Ip reply = sink.await(f -> {
            Ip ip = Ip.parse(f);
            return ip != null && ip.proto() == 1 ? ip : null;
        }, 2000);
        assertThat(reply.src()).isEqualTo(GW);
        assertThat(reply.dst()).isEqualTo(GUEST);
        byte[] f = reply.frame();
        assertThat(f[reply.l4Off()]).isEqualTo((byte) 0);
        assertThat(cksum(f, reply.l4Off(), reply.l4Len(), 0)).isZero();
        assertThat(new String(f, reply.l4Off() + 8, 3, StandardCharsets.US_ASCII)).isEqualTo("hi!");
    }

    // ---- DHCP ----

    static byte[] dhcp(int type, int xid, int requestedIp, int serverId) {
        ByteBuffer b = ByteBuffer.allocate(300);
        b.put((byte) 1).put((byte) 1).put((byte) 6).put((byte) 0).putInt(xid).putShort((short) 0)
                .putShort((short) 0).putInt(0).putInt(0).putInt(0).putInt(0).put(GUEST_MAC).put(new byte[10])
                .put(new byte[192]).putInt(0x63825363);
        b.put((byte) 53).put((byte) 1).put((byte) type);
        if (requestedIp != 0) {
            b.put((byte) 50).put((byte) 4).putInt(requestedIp);
        }
        if (serverId != 0) {
            b.put((byte) 54).put((byte) 4).putInt(serverId);
        }
        b.put((byte) 55).put((byte) 3).put((byte) 1).put((byte) 3).put((byte) 6);
        b.put((byte) 255);
        return b.array();
    }

    /** Options of a DHCP reply: code to value. */
    static java.util.Map<Integer, byte[]> options(byte[] m) {
        java.util.Map<Integer, byte[]> r = new java.util.HashMap<>();
        int i = 240;
        while (i < m.length && (m[i] & 0xff) != 255) {
            int code = m[i] & 0xff;
            if (code == 0) {
                i++;
                continue;
            }
            int len = m[i + 1] & 0xff;
            byte[] v = new byte[len];
            System.arraycopy(m, i + 2, v, 0, len);
            r.put(code, v);
            i += 2 + len;
        }
        return r;
    }

    private Udp awaitDhcp() throws InterruptedException {
        return sink.await(f -> {
            Udp u = Udp.parse(f);
            return u != null && u.dstPort() == 68 ? u : null;
        }, 2000);
    }

    private static int int32(byte[] v) {
        return ByteBuffer.wrap(v).getInt();
    }

    @Test
    void dhcpDiscoverGetsOfferOfGuestAddressWithRouterDnsAndMask() throws Exception {
        start(noResolver());
        net.send(udpFrame(0, 68, 0xffffffff, 67, dhcp(1, 0xcafe, 0, 0)));
        Udp offer = awaitDhcp();
        assertThat(offer.src()).isEqualTo(GW);
        assertThat(offer.srcPort()).isEqualTo(67);
        byte[] m = offer.data();
        assertThat(m[0]).isEqualTo((byte) 2);
        assertThat(ByteBuffer.wrap(m).getInt(4)).isEqualTo(0xcafe);
        assertThat(ByteBuffer.wrap(m).getInt(16)).isEqualTo(GUEST); // yiaddr
        var opts = options(m);
        assertThat(opts.get(53)).containsExactly(2);
        assertThat(int32(opts.get(54))).isEqualTo(GW);
        assertThat(int32(opts.get(1))).isEqualTo(ip("255.255.255.0"));
        assertThat(int32(opts.get(3))).isEqualTo(GW);
        assertThat(int32(opts.get(6))).isEqualTo(DNS);
        assertThat(int32(opts.get(51))).isPositive();
    }

    @Test
    void dhcpRequestForGuestAddressIsAcked() throws Exception {
        start(noResolver());
        net.send(udpFrame(0, 68, 0xffffffff, 67, dhcp(3, 7, GUEST, GW)));
        Udp ack = awaitDhcp();
        var opts = options(ack.data());
        assertThat(opts.get(53)).containsExactly(5);
        assertThat(ByteBuffer.wrap(ack.data()).getInt(16)).isEqualTo(GUEST);
        assertThat(int32(opts.get(51))).isEqualTo(DhcpServer.LEASE_SECONDS);
        assertThat(int32(opts.get(3))).isEqualTo(GW);
    }

    @Test
    void dhcpRequestForAnotherAddressIsNaked() throws Exception {
        start(noResolver());
        net.send(udpFrame(0, 68, 0xffffffff, 67, dhcp(3, 8, ip("10.0.2.99"), GW)));
        Udp nak = awaitDhcp();
        assertThat(options(nak.data()).get(53)).containsExactly(6);
        assertThat(ByteBuffer.wrap(nak.data()).getInt(16)).isZero();
    }

    @Test
    void dhcpRequestNamingAnotherServerIsIgnored() throws Exception {
        start(noResolver());
        net.send(udpFrame(0, 68, 0xffffffff, 67, dhcp(3, 9, GUEST, ip("10.0.2.4"))));
        assertThat(sink.poll(300)).isNull();
    }

    // ---- DNS ----

    static byte[] dnsQuery(int id, String name) {
        ByteBuffer b = ByteBuffer.allocate(512);
        b.putShort((short) id).putShort((short) 0x0100).putShort((short) 1).putShort((short) 0)
                .putShort((short) 0).putShort((short) 0);
        for (String label : name.split("\\.")) {
            b.put((byte) label.length()).put(label.getBytes(StandardCharsets.US_ASCII));
        }
        b.put((byte) 0).putShort((short) 1).putShort((short) 1);
        byte[] r = new byte[b.position()];
        b.flip().get(r);
        return r;
    }

    @Test
    void dnsQueryIsRelayedToResolverAndAnswerReturned() throws Exception {
        DatagramChannel resolver = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        closeables.add(resolver);
        start(UserNetworkConfig.defaults().withDnsResolver(
                Optional.of((InetSocketAddress) resolver.getLocalAddress())));
        Thread fake = Thread.ofVirtual().start(() -> {
            try {
                ByteBuffer q = ByteBuffer.allocate(512);
                var from = resolver.receive(q);
                q.flip();
                byte[] ans = new byte[q.remaining()];
                q.get(ans);
                ans[2] |= (byte) 0x80; // a "response": the query echoed with QR set
                resolver.send(ByteBuffer.wrap(ans), from);
            } catch (Exception ignored) {
                // the test fails on the missing answer
            }
        });
        byte[] query = dnsQuery(0x4242, "example.test");
        net.send(udpFrame(GUEST, 40000, DNS, 53, query));
        Udp answer = sink.await(Udp::parse, 3000);
        fake.join(1000);
        assertThat(answer.src()).isEqualTo(DNS);
        assertThat(answer.srcPort()).isEqualTo(53);
        assertThat(answer.dstPort()).isEqualTo(40000);
        assertThat(ByteBuffer.wrap(answer.data()).getShort(0)).isEqualTo((short) 0x4242);
        assertThat(answer.data()[2] & 0x80).isEqualTo(0x80);
        assertThat(answer.data().length).isEqualTo(query.length);
    }

    @Test
    void dnsQueryWithoutHostResolverGetsServfail() throws Exception {
        start(noResolver());
        byte[] query = dnsQuery(0x1234, "no.resolver.test");
        net.send(udpFrame(GUEST, 40001, DNS, 53, query));
        Udp answer = sink.await(Udp::parse, 2000);
        ByteBuffer a = ByteBuffer.wrap(answer.data());
        assertThat(a.getShort(0)).isEqualTo((short) 0x1234);
        assertThat(a.get(2) & 0x80).isEqualTo(0x80);
        assertThat(a.get(3) & 0x0f).isEqualTo(2);
        assertThat(a.getShort(4)).isEqualTo((short) 1); // the question is kept
        assertThat(answer.data().length).isEqualTo(query.length);
    }

    // ---- UDP ----

    @Test
    void udpToGatewayReachesHostLoopbackAndReplyReturns() throws Exception {
        DatagramChannel echo = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        closeables.add(echo);
        int port = ((InetSocketAddress) echo.getLocalAddress()).getPort();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                ByteBuffer q = ByteBuffer.allocate(2048);
                var from = echo.receive(q);
                q.flip();
                echo.send(q, from);
            } catch (Exception ignored) {
                // the test fails on the missing echo
            }
        });
        start(noResolver());
        net.send(udpFrame(GUEST, 5555, GW, port, "ping over udp".getBytes(StandardCharsets.US_ASCII)));
        Udp reply = sink.await(Udp::parse, 3000);
        t.join(1000);
        assertThat(reply.src()).isEqualTo(GW);
        assertThat(reply.srcPort()).isEqualTo(port);
        assertThat(reply.dst()).isEqualTo(GUEST);
        assertThat(reply.dstPort()).isEqualTo(5555);
        assertThat(reply.dstMac()).containsExactly(GUEST_MAC);
        assertThat(new String(reply.data(), StandardCharsets.US_ASCII)).isEqualTo("ping over udp");
        assertThat(net.stats().udpFlows()).isEqualTo(1);
    }

    @Test
    void idleUdpFlowsExpire() throws Exception {
        start(noResolver().withLimits(16, 4, Duration.ofMillis(100)));
        net.send(udpFrame(GUEST, 5556, GW, 9, new byte[] {1}));
        assertThat(net.stats().udpFlows()).isEqualTo(1);
        long end = System.nanoTime() + 3_000_000_000L;
        while (net.stats().udpFlows() != 0 && System.nanoTime() < end) {
            Thread.sleep(20);
        }
        assertThat(net.stats().udpFlows()).isZero();
    }

    @Test
    void udpFlowCapEvictsOldestFlow() throws Exception {
        start(noResolver().withLimits(16, 2, Duration.ofSeconds(60)));
        for (int p = 0; p < 5; p++) {
            net.send(udpFrame(GUEST, 6000 + p, GW, 9, new byte[] {1}));
        }
        assertThat(net.stats().udpFlows()).isLessThanOrEqualTo(2);
    }

    @Test
    void badChecksumsAndTruncatedHeadersAreCountedAsMalformed() throws Exception {
        start(noResolver());
        ByteBuffer good = udpFrame(GUEST, 5557, GW, 9, new byte[] {1, 2, 3});
        byte[] bad = new byte[good.remaining()];
        good.get(bad);
        bad[14 + 20 + 8] ^= 0x55; // payload change breaks the UDP checksum
        net.send(ByteBuffer.wrap(bad));
        net.send(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        byte[] truncated = new byte[20];
        System.arraycopy(bad, 0, truncated, 0, 20);
        net.send(ByteBuffer.wrap(truncated));
        assertThat(net.stats().malformedFrames()).isEqualTo(3);
        assertThat(net.stats().udpFlows()).isZero();
    }

    @Test
    void fragmentsAreDroppedNotMalformed() throws Exception {
        start(noResolver());
        byte[] p = ipv4(GUEST, GW, 17, udp(GUEST, 1, GW, 9, new byte[8]));
        p[6] = 0x20; // more fragments
        p[10] = 0;
        p[11] = 0;
        int c = cksum(p, 0, 20, 0);
        p[10] = (byte) (c >> 8);
        p[11] = (byte) c;
        net.send(eth(GW_MAC, GUEST_MAC, 0x0800, p));
        assertThat(net.stats().malformedFrames()).isZero();
        assertThat(net.stats().droppedFrames()).isEqualTo(1);
        assertThat(net.stats().udpFlows()).isZero();
    }
}

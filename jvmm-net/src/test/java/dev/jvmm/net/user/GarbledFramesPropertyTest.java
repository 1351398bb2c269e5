package dev.jvmm.net.user;

import static dev.jvmm.net.user.TestFrames.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Hostile guests: random frames, valid frames with garbled bytes, and well-formed TCP
 * segments with random fields for a live connection never make the backend fail, never
 * exceed the connection cap, and leave nothing behind once it closes.
 */
class GarbledFramesPropertyTest {

    private static ServerSocketChannel server;
    private static int port;

    @BeforeContainer
    static void openServer() throws IOException {
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        port = ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    @AfterContainer
    static void closeServer() throws IOException {
        server.close();
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] r = new byte[b.remaining()];
        b.get(r);
        return r;
    }

    /** Valid frames of every kind the backend serves, as seeds for mutation. */
    private static List<byte[]> seeds() {
        List<byte[]> s = new ArrayList<>();
        s.add(bytes(arpRequest(GUEST, GW)));
        s.add(bytes(udpFrame(0, 68, 0xffffffff, 67, UserNetworkBasicsTest.dhcp(1, 1, 0, 0))));
        s.add(bytes(udpFrame(0, 68, 0xffffffff, 67, UserNetworkBasicsTest.dhcp(3, 1, GUEST, GW))));
        s.add(bytes(udpFrame(GUEST, 4000, DNS, 53, UserNetworkBasicsTest.dnsQuery(7, "a.b.test"))));
        s.add(bytes(udpFrame(GUEST, 4001, GW, 9, new byte[] {1, 2, 3})));
        s.add(bytes(tcpFrame(GW, 4002, port, 1, 0, SYN, 1000, 1460, new byte[0])));
        s.add(bytes(tcpFrame(GW, 4003, 1, 1, 0, SYN, 1000, 1460, new byte[0])));
        s.add(bytes(tcpFrame(GW, 4004, port, 1, 5, ACK | PSH, 1000, 0, new byte[] {9, 9})));
        byte[] icmp = {8, 0, 0, 0, 0, 1, 0, 1};
        int c = cksum(icmp, 0, icmp.length, 0);
        icmp[2] = (byte) (c >> 8);
        icmp[3] = (byte) c;
        s.add(bytes(ipFrame(GW_MAC, GUEST, GW, 1, icmp)));
        return s;
    }

    private static byte[] mutate(byte[] seed, Random r) {
        byte[] f = seed.clone();
        switch (r.nextInt(4)) {
            case 0 -> {
                int n = 1 + r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    f[r.nextInt(f.length)] = (byte) r.nextInt(256);
                }
            }
            case 1 -> f = java.util.Arrays.copyOf(f, r.nextInt(f.length + 1));
            case 2 -> {
                // garble the transport layer but keep the IP header valid, to reach the parsers above it
                for (int i = 0; i < 3 && f.length > 34; i++) {
                    f[34 + r.nextInt(f.length - 34)] = (byte) r.nextInt(256);
                }
            }
            default -> {
                // lie in a length field (IP total length or header length) and fix the IP checksum
                if (f.length > 34 && f[12] == 0x08 && f[13] == 0) {
                    if (r.nextBoolean()) {
                        f[16] = (byte) r.nextInt(256);
                        f[17] = (byte) r.nextInt(256);
                    } else {
                        f[14] = (byte) (0x40 | r.nextInt(16));
                    }
                    int ihl = Math.min((f[14] & 0xf) * 4, f.length - 14);
                    f[24] = 0;
                    f[25] = 0;
                    int c = cksum(f, 14, ihl, 0);
                    f[24] = (byte) (c >> 8);
                    f[25] = (byte) c;
                }
            }
        }
        return f;
    }

    @Property(tries = 60, seed = "20250101", shrinking = net.jqwik.api.ShrinkingMode.OFF)
    void garbledFramesNeverBreakTheBackendNorLeakConnections(@ForAll long seed) throws Exception {
        Random r = new Random(seed);
        CollectingSink sink = new CollectingSink();
        UserNetwork net = new UserNetwork(UserNetworkConfig.defaults().withDnsResolver(Optional.empty())
                .withLimits(8, 8, Duration.ofSeconds(30)));
        net.start(sink);
        List<byte[]> seeds = seeds();
        GuestTcp live = GuestTcp.connect(net, sink, GW, port, 30000 + r.nextInt(1000), 65535);
        for (int i = 0; i < 150; i++) {
            byte[] f = switch (r.nextInt(3)) {
                case 0 -> {
                    byte[] x = new byte[r.nextInt(1600)];
                    r.nextBytes(x);
                    if (x.length >= 6 && r.nextBoolean()) {
                        System.arraycopy(GW_MAC, 0, x, 0, 6);
                    }
                    yield x;
                }
                case 1 -> mutate(seeds.get(r.nextInt(seeds.size())), r);
                default -> {
                    // a well-formed segment with random fields for the live connection
                    byte[] data = new byte[r.nextInt(3) == 0 ? r.nextInt(1400) : 0];
                    r.nextBytes(data);
                    yield bytes(tcpFrame(GW, live.guestPort, port, r.nextInt(), r.nextInt(), r.nextInt(64),
                            r.nextInt(65536), r.nextBoolean() ? r.nextInt(65536) : 0, data));
                }
            };
            net.send(ByteBuffer.wrap(f));
            assertThat(net.stats().tcpConnections()).isLessThanOrEqualTo(8);
            assertThat(net.stats().udpFlows()).isLessThanOrEqualTo(8);
        }
        assertThat(net.stats().internalErrors()).isZero();
        net.close();
        assertThat(net.stats().tcpConnections()).isZero();
        assertThat(net.stats().udpFlows()).isZero();
        // drain the host's accept queue so the server never fills up
        server.configureBlocking(false);
        while (true) {
            var ch = server.accept();
            if (ch == null) {
                break;
            }
            ch.close();
        }
        server.configureBlocking(true);
    }
}

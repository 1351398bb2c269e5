package dev.jvmm.net.user;

import static dev.jvmm.net.user.TestFrames.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TcpNatTest {

    private final CollectingSink sink = new CollectingSink();
    private UserNetwork net;
    private ServerSocketChannel server;
    private int port;

    @BeforeEach
    void setUp() throws Exception {
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        port = ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    private void start(UserNetworkConfig config) throws IOException {
        net = new UserNetwork(config);
        net.start(sink);
    }

    private void start() throws IOException {
        start(UserNetworkConfig.defaults().withDnsResolver(Optional.empty()));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (net != null) {
            net.close();
            assertThat(net.stats().tcpConnections()).isZero();
        }
        server.close();
    }

    private CompletableFuture<SocketChannel> acceptAsync() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return server.accept();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    private static byte[] readAll(SocketChannel ch) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        while (ch.read(buf.clear()) >= 0) {
            out.write(buf.array(), 0, buf.position());
        }
        return out.toByteArray();
    }

    private static void writeAll(SocketChannel ch, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private void awaitNoConnections() throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        while (net.stats().tcpConnections() != 0 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertThat(net.stats().tcpConnections()).isZero();
    }

    @Test
    void connectionToGatewayReachesHostLoopbackAndCarriesDataBothWaysWithHalfClose() throws Exception {
        start();
        var accepted = acceptAsync();
        GuestTcp g = GuestTcp.connect(net, sink, GW, port, 40000, 65535);
        assertThat(g.rstReceived).isFalse();
        assertThat(g.peerMss).isBetween(536, 1460);
        SocketChannel host = accepted.get(5, TimeUnit.SECONDS);

        g.write("hello from guest".getBytes(StandardCharsets.US_ASCII));
        ByteBuffer in = ByteBuffer.allocate(64);
        while (in.position() < 16) {
            host.read(in);
        }
        assertThat(new String(in.array(), 0, 16, StandardCharsets.US_ASCII)).isEqualTo("hello from guest");

        writeAll(host, "hello from host".getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(g.read(15, 5000), StandardCharsets.US_ASCII)).isEqualTo("hello from host");

        g.fin(); // guest half-closes: the host reads EOF but can still write
        assertThat(host.read(ByteBuffer.allocate(8))).isEqualTo(-1);
        writeAll(host, "after".getBytes(StandardCharsets.US_ASCII));
        host.close();
        g.awaitFin(5000);
        assertThat(new String(g.received.toByteArray(), StandardCharsets.US_ASCII)).isEqualTo("hello from hostafter");
        awaitNoConnections();
    }

    @Test
    void bulkHostToGuestRespectsSmallGuestWindow() throws Exception {
        start();
        var accepted = acceptAsync();
        GuestTcp g = GuestTcp.connect(net, sink, GW, port, 40001, 4096);
        SocketChannel host = accepted.get(5, TimeUnit.SECONDS);
        byte[] data = random(300 * 1024, 1);
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                writeAll(host, data);
                host.close();
            } catch (IOException ignored) {
                // the comparison below fails
            }
        });
        g.awaitFin(20_000);
        writer.join(5000);
        assertThat(g.received.toByteArray()).isEqualTo(data);
        assertThat(g.maxBeyondWindow).isLessThanOrEqualTo(0);
        g.fin();
        awaitNoConnections();
    }

    @Test
    void bulkGuestToHostIsFlowControlledByBackendWindow() throws Exception {
        start();
        var accepted = acceptAsync();
        GuestTcp g = GuestTcp.connect(net, sink, GW, port, 40002, 65535);
        SocketChannel host = accepted.get(5, TimeUnit.SECONDS);
        byte[] data = random(300 * 1024, 2);
        CompletableFuture<byte[]> got = CompletableFuture.supplyAsync(() -> {
            try {
                return readAll(host);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        g.write(data);
        g.fin();
        assertThat(got.get(20, TimeUnit.SECONDS)).isEqualTo(data);
        host.close();
        g.awaitFin(5000);
        awaitNoConnections();
    }

    @Test
    void zeroGuestWindowStopsDataUntilItReopens() throws Exception {
        start();
        var accepted = acceptAsync();
        GuestTcp g = GuestTcp.connect(net, sink, GW, port, 40003, 2000);
        SocketChannel host = accepted.get(5, TimeUnit.SECONDS);
        byte[] data = random(50_000, 3);
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                writeAll(host, data);
                host.close();
            } catch (IOException ignored) {
                // the comparison below fails
            }
        });
        g.read(2000, 5000);
        g.setWindow(0);
        g.ack();
        long end = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < end) {
            g.pollOnce(100);
        }
        assertThat(g.maxBeyondWindow).isLessThanOrEqualTo(1); // only window probes
        g.setWindow(8192);
        g.ack();
        g.awaitFin(20_000);
        writer.join(5000);
        assertThat(g.received.toByteArray()).isEqualTo(data);
    }

    @Test
    void connectionToClosedHostPortIsReset() throws Exception {
        start();
        server.close(); // nothing listens on port any more
        GuestTcp g = GuestTcp.connect(net, sink, GW, port, 40004, 65535);
        assertThat(g.rstReceived).isTrue();
        awaitNoConnections();
    }

    @Test
    void segmentForUnknownConnectionIsReset() throws Exception {
        start();
        net.send(tcpFrame(GW, 40005, port, 100, 777, ACK, 1000, 0, new byte[] {1}));
        Tcp rst = sink.await(f -> Tcp.parse(f), 2000);
        assertThat(rst.has(RST)).isTrue();
        assertThat(rst.seq()).isEqualTo(777);
    }

    @Test
    void guestResetClosesHostSocket() throws Exception {
        start();
        var accepted = acceptAsync();
        GuestTcp g = GuestTcp.connect(net, sink, GW, port, 40006, 65535);
        SocketChannel host = accepted.get(5, TimeUnit.SECONDS);
        g.reset();
        awaitNoConnections();
        int r;
        try {
            r = host.read(ByteBuffer.allocate(16));
        } catch (IOException reset) {
            r = -2;
        }
        assertThat(r).isIn(-1, -2);
    }

    @Test
    void hostCloseWithoutDataSendsFinAndGuestFinCompletes() throws Exception {
        start();
        var accepted = acceptAsync();
        GuestTcp g = GuestTcp.connect(net, sink, GW, port, 40007, 65535);
        accepted.get(5, TimeUnit.SECONDS).close();
        g.awaitFin(5000);
        g.fin();
        awaitNoConnections();
    }

    @Test
    void connectionsBeyondTheCapAreReset() throws Exception {
        start(UserNetworkConfig.defaults().withDnsResolver(Optional.empty()).withLimits(2, 4, Duration.ofSeconds(60)));
        GuestTcp a = GuestTcp.connect(net, sink, GW, port, 40010, 65535);
        GuestTcp b = GuestTcp.connect(net, sink, GW, port, 40011, 65535);
        GuestTcp c = GuestTcp.connect(net, sink, GW, port, 40012, 65535);
        assertThat(a.rstReceived).isFalse();
        assertThat(b.rstReceived).isFalse();
        assertThat(c.rstReceived).isTrue();
        assertThat(net.stats().tcpConnections()).isEqualTo(2);
    }

    @Test
    void lostDataToGuestIsRetransmitted() throws Exception {
        start();
        var accepted = acceptAsync();
        GuestTcp g = GuestTcp.connect(net, sink, GW, port, 40013, 65535);
        SocketChannel host = accepted.get(5, TimeUnit.SECONDS);
        writeAll(host, "lost once".getBytes(StandardCharsets.US_ASCII));
        // the guest "loses" the first copy: take it without acknowledging
        Tcp first = sink.await(f -> {
            Tcp t = Tcp.parse(f);
            return t != null && t.data().length > 0 ? t : null;
        }, 5000);
        Tcp again = sink.await(f -> {
            Tcp t = Tcp.parse(f);
            return t != null && t.data().length > 0 ? t : null;
        }, 5000);
        assertThat(again.seq()).isEqualTo(first.seq());
        assertThat(again.data()).isEqualTo(first.data());
    }
}

package dev.jvmm.net.user;

import static dev.jvmm.net.user.TestFrames.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PortForwardTest {

    private final CollectingSink sink = new CollectingSink();
    private UserNetwork net;

    private InetSocketAddress start(int guestPort) throws IOException {
        net = new UserNetwork(UserNetworkConfig.defaults().withDnsResolver(Optional.empty())
                .withForwards(List.of(HostForward.parse("hostfwd=tcp:127.0.0.1:0-:" + guestPort))));
        net.start(sink);
        return net.forwardAddresses().get(0);
    }

    @AfterEach
    void tearDown() throws IOException {
        if (net != null) {
            net.close();
            assertThat(net.stats().tcpConnections()).isZero();
        }
    }

    private static CompletableFuture<SocketChannel> connectAsync(InetSocketAddress a) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return SocketChannel.open(a);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    @Test
    void hostClientReachesGuestPortAndDataFlowsBothWays() throws Exception {
        InetSocketAddress listen = start(8080);
        assertThat(listen.getPort()).isPositive();
        var client = connectAsync(listen);
        GuestTcp g = GuestTcp.accept(net, sink, 8080, 65535);
        SocketChannel host = client.get(5, TimeUnit.SECONDS);
        assertThat(g.remoteIp).isEqualTo(GW);
        assertThat(g.peerMss).isBetween(536, 1460);

        host.write(ByteBuffer.wrap("GET /".getBytes(StandardCharsets.US_ASCII)));
        assertThat(new String(g.read(5, 5000), StandardCharsets.US_ASCII)).isEqualTo("GET /");

        g.write("200 OK".getBytes(StandardCharsets.US_ASCII));
        g.fin();
        ByteBuffer in = ByteBuffer.allocate(64);
        while (host.read(in) >= 0) {
            // until the guest's FIN arrives as EOF
        }
        assertThat(new String(in.array(), 0, in.position(), StandardCharsets.US_ASCII)).isEqualTo("200 OK");
        host.close();
        g.awaitFin(5000);
        long end = System.nanoTime() + 5_000_000_000L;
        while (net.stats().tcpConnections() != 0 && System.nanoTime() < end) {
            Thread.sleep(10);
        }
        assertThat(net.stats().tcpConnections()).isZero();
    }

    @Test
    void closedGuestPortResetsHostClient() throws Exception {
        InetSocketAddress listen = start(8081);
        SocketChannel host = connectAsync(listen).get(5, TimeUnit.SECONDS);
        GuestTcp.refuse(net, sink, 8081);
        int r;
        try {
            r = host.read(ByteBuffer.allocate(8));
        } catch (IOException reset) {
            r = -2;
        }
        assertThat(r).isIn(-1, -2);
        host.close();
    }

    @Test
    void forwardToPortInUseFailsStartWithMessage() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            net = new UserNetwork(UserNetworkConfig.defaults().withDnsResolver(Optional.empty())
                    .withForwards(List.of(HostForward.parse("tcp::" + taken.getLocalPort() + "-:22"))));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> net.start(sink))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("port forward");
        }
    }
}

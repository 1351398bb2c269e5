package dev.jvmm.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code --net user}: the default guest leases 10.0.2.15 from the built-in DHCP server at boot, reaches
 * an HTTP server on the host's loopback through the gateway 10.0.2.2, and serves HTTP to the
 * host through a {@code hostfwd}. Everything stays on 127.0.0.1.
 */
class NetworkIT {

    private static final Duration BOOT = Duration.ofMinutes(5);
    private static final Duration COMMAND = Duration.ofSeconds(60);
    private static final Duration HTTP = Duration.ofSeconds(30);

    @Test
    void guestLeasesAnAddressReachesTheHostAndServesThroughAForward() throws Exception {
        HttpServer host = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] page = "HOST-PAGE-4711\n".getBytes(StandardCharsets.US_ASCII);
        host.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        host.start();
        int forwardPort = freeLoopbackPort();
        try (GuestUnderTest guest = GuestUnderTest.start("run",
                "--net", "user,hostfwd=tcp:127.0.0.1:" + forwardPort + "-:8080")) {
            guest.waitForShell(BOOT);

            // The default initramfs leases the address by itself, in the background.
            awaitLease(guest);
            assertThat(guest.shell("ip addr show eth0", COMMAND)).contains("inet 10.0.2.15/24");
            assertThat(guest.shell("ip route", COMMAND)).contains("default via 10.0.2.2");

            // Guest to host: the gateway stands for the host's loopback.
            int hostPort = host.getAddress().getPort();
            assertThat(guest.shell("wget -T 20 -q -O - http://10.0.2.2:" + hostPort + "/", COMMAND))
                    .contains("\nHOST-PAGE-4711");

            // Host to guest: busybox httpd behind the forward.
            guest.shell("mkdir -p /tmp/www; echo GUEST-PAGE-$((40+2)) > /tmp/www/index.html;"
                    + " busybox httpd -p 8080 -h /tmp/www", COMMAND);
            HttpClient client = HttpClient.newBuilder().connectTimeout(HTTP).version(HttpClient.Version.HTTP_1_1).build();
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + forwardPort + "/index.html")).timeout(HTTP).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("GUEST-PAGE-42\n");

            guest.type("poweroff\n");
            assertThat(guest.waitForExit(COMMAND)).as("exit status after guest poweroff").isZero();
        } finally {
            host.stop(0);
        }
    }

    /**
     * Waits until udhcpc has both logged the lease and run its script for it: it logs "lease
     * obtained" before the script configures the address and the route, so the log line alone
     * can come a moment too early (seen once on a loaded host).
     */
    private static void awaitLease(GuestUnderTest guest) throws Exception {
        long deadline = System.nanoTime() + COMMAND.toNanos();
        while (!guest.shell("cat /run/udhcpc.log", COMMAND).contains("lease of 10.0.2.15 obtained")
                || !guest.shell("ip addr show eth0; ip route", COMMAND).contains("default via 10.0.2.2")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the guest did not lease and configure 10.0.2.15 by itself within " + COMMAND);
            }
            Thread.sleep(1000);
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}

package dev.jvmm.net.user;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How a {@link UserNetwork} is set up.
 *
 * @param forwards          TCP port forwards from the host into the guest
 * @param dnsResolver       where 10.0.2.3:53 forwards queries; empty means every query gets SERVFAIL
 * @param hostLoopback      what 10.0.2.2 stands for on the host (normally 127.0.0.1)
 * @param maxTcpConnections the cap on live TCP connections (guest SYNs and accepted forwards beyond it are refused)
 * @param maxUdpFlows       the cap on live UDP flows (the least recently used one is closed to make room)
 * @param udpIdleTimeout    how long a UDP flow lives without traffic
 * @param connectTimeout    how long a host connect may take before the guest gets a RST
 */
public record UserNetworkConfig(List<HostForward> forwards, Optional<InetSocketAddress> dnsResolver,
                                InetAddress hostLoopback, int maxTcpConnections, int maxUdpFlows,
                                Duration udpIdleTimeout, Duration connectTimeout) {

    public UserNetworkConfig {
        if (forwards == null || dnsResolver == null || hostLoopback == null || udpIdleTimeout == null || connectTimeout == null) {
            throw new IllegalArgumentException("user network config has a missing field");
        }
        forwards = List.copyOf(forwards);
        if (maxTcpConnections < 1 || maxUdpFlows < 1) {
            throw new IllegalArgumentException("connection and flow caps must be at least 1");
        }
        if (udpIdleTimeout.isNegative() || udpIdleTimeout.isZero() || connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    /** Defaults: no forwards, the host's first resolver from /etc/resolv.conf, 1024 connections, 256 flows. */
    public static UserNetworkConfig defaults() {
        return new UserNetworkConfig(List.of(), ResolvConf.firstNameserver(Path.of("/etc/resolv.conf")),
                VirtualLan.toInet(VirtualLan.ip(127, 0, 0, 1)), 1024, 256,
                Duration.ofSeconds(60), Duration.ofSeconds(10));
    }

    public UserNetworkConfig withForwards(List<HostForward> newForwards) {
        return new UserNetworkConfig(newForwards, dnsResolver, hostLoopback, maxTcpConnections, maxUdpFlows,
                udpIdleTimeout, connectTimeout);
    }

    public UserNetworkConfig withDnsResolver(Optional<InetSocketAddress> resolver) {
        return new UserNetworkConfig(forwards, resolver, hostLoopback, maxTcpConnections, maxUdpFlows,
                udpIdleTimeout, connectTimeout);
    }

    public UserNetworkConfig withLimits(int tcpConnections, int udpFlows, Duration udpIdle) {
        return new UserNetworkConfig(forwards, dnsResolver, hostLoopback, tcpConnections, udpFlows,
                udpIdle, connectTimeout);
    }
}

/**
 * User-mode networking: a whole virtual LAN served in-process with ordinary host sockets,
 * needing no privileges, with the addresses QEMU's user networking made familiar.
 *
 * <h3>The virtual LAN</h3>
 * Network 10.0.2.0/24; the guest is 10.0.2.15 (leased by the built-in DHCP server); the
 * gateway 10.0.2.2 stands for the host itself, so a connection to 10.0.2.2 reaches the
 * host's loopback (127.0.0.1); 10.0.2.3 is the DNS forwarder. Both virtual hosts answer ARP
 * with {@link dev.jvmm.net.user.VirtualLan#GATEWAY_MAC} and ICMP echo.
 *
 * <h3>How traffic leaves</h3>
 * UDP is relayed per flow through a host {@code DatagramChannel} ({@link dev.jvmm.net.user.UdpNat});
 * TCP is terminated here: {@link dev.jvmm.net.user.TcpConnection} is a real TCP endpoint toward
 * the guest, and its byte stream is relayed through a host {@code SocketChannel}. Port
 * forwards ({@link dev.jvmm.net.user.HostForward}) accept on the host and open connections to
 * the guest.
 *
 * <h3>Limits, on purpose</h3>
 * IPv4 only; fragmented datagrams from the guest are dropped (a guest with MTU 1500 never
 * fragments TCP, and DNS/DHCP fit one frame); UDP replies larger than one frame are dropped;
 * ICMP echo is answered only for 10.0.2.2 and 10.0.2.3 (pinging the outside needs raw
 * sockets); no TCP window scaling, SACK or timestamps (options the guest offers are
 * ignored, which RFC 7323 and RFC 2018 allow). Frames from the guest are hostile: every
 * field is bounds-checked and a malformed frame is counted and dropped.
 *
 * <h3>Threads</h3>
 * {@code send} runs on the device's thread and never blocks on the host. Frames for the guest
 * go through one bounded queue ({@link dev.jvmm.net.user.GuestOutput}) drained by one thread
 * that calls the device's sink. Each TCP connection has two virtual threads (host reader,
 * host writer), each UDP flow one (reply reader); one timer thread drives retransmission
 * and expiry.
 */
package dev.jvmm.net.user;

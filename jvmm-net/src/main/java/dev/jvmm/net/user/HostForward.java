package dev.jvmm.net.user;

import java.net.Inet4Address;

/**
 * A TCP port forward: the host listens on {@code hostAddress:hostPort}, and each accepted
 * connection is opened to the guest's {@code guestPort} (from 10.0.2.2).
 *
 * @param hostAddress where the host listens (IPv4)
 * @param hostPort    the host port, or 0 for any free port
 * @param guestPort   the guest port, 1..65535
 */
public record HostForward(Inet4Address hostAddress, int hostPort, int guestPort) {

    public HostForward {
        if (hostAddress == null) {
            throw new IllegalArgumentException("host address is missing");
        }
        if (hostPort < 0 || hostPort > 65535) {
            throw new IllegalArgumentException("host port out of range 0..65535: " + hostPort);
        }
        if (guestPort < 1 || guestPort > 65535) {
            throw new IllegalArgumentException("guest port out of range 1..65535: " + guestPort);
        }
    }

    /**
     * Parses QEMU's syntax {@code hostfwd=tcp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT}
     * (the {@code hostfwd=} prefix is optional). HOSTADDR defaults to 127.0.0.1; GUESTADDR
     * may be empty or 10.0.2.15. Only TCP is supported.
     *
     * @throws IllegalArgumentException with a one-line message naming what is wrong
     */
    public static HostForward parse(String spec) {
        if (spec == null) {
            throw new IllegalArgumentException("port forward is missing");
        }
        String s = spec.strip();
        if (s.startsWith("hostfwd=")) {
            s = s.substring("hostfwd=".length());
        }
        int colon = s.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("port forward '" + spec + "' is not tcp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT");
        }
        String proto = s.substring(0, colon);
        if (!proto.equals("tcp")) {
            throw new IllegalArgumentException("port forward '" + spec + "': protocol '" + proto + "' is not supported (only tcp)");
        }
        String rest = s.substring(colon + 1);
        int dash = rest.indexOf('-');
        if (dash < 0) {
            throw new IllegalArgumentException("port forward '" + spec + "' lacks '-' between host and guest side");
        }
        String host = rest.substring(0, dash);
        String guest = rest.substring(dash + 1);
        int hc = host.lastIndexOf(':');
        int gc = guest.lastIndexOf(':');
        if (hc < 0 || gc < 0) {
            throw new IllegalArgumentException("port forward '" + spec + "' needs ADDR:PORT on both sides (ADDR may be empty)");
        }
        String hostAddr = host.substring(0, hc);
        String guestAddr = guest.substring(0, gc);
        Inet4Address address = hostAddr.isEmpty()
                ? VirtualLan.toInet(VirtualLan.ip(127, 0, 0, 1))
                : VirtualLan.toInet(parseIpv4(hostAddr, spec));
        if (!guestAddr.isEmpty() && parseIpv4(guestAddr, spec) != VirtualLan.GUEST_IP) {
            throw new IllegalArgumentException("port forward '" + spec + "': guest address must be empty or 10.0.2.15");
        }
        return new HostForward(address, parsePort(host.substring(hc + 1), "host", spec, 0),
                parsePort(guest.substring(gc + 1), "guest", spec, 1));
    }

    private static int parsePort(String text, String side, String spec, int min) {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("port forward '" + spec + "': " + side + " port '" + text + "' is not a number");
        }
        int port = Integer.parseInt(text);
        if (port < min || port > 65535) {
            throw new IllegalArgumentException("port forward '" + spec + "': " + side + " port " + port + " is out of range " + min + "..65535");
        }
        return port;
    }

    /** Dotted-quad only: a forward never triggers a name lookup. */
    static int parseIpv4(String text, String spec) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("port forward '" + spec + "': '" + text + "' is not an IPv4 address");
        }
        int ip = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("port forward '" + spec + "': '" + text + "' is not an IPv4 address");
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                throw new IllegalArgumentException("port forward '" + spec + "': '" + text + "' is not an IPv4 address");
            }
            ip = ip << 8 | v;
        }
        return ip;
    }
}

package dev.jvmm.cli.control;

import java.net.InetSocketAddress;
import java.util.regex.Pattern;

/**
 * A migration address as QEMU writes it: {@code tcp:HOST:PORT}, {@code tcp:[IPV6]:PORT}, or, to
 * listen on every address, {@code tcp::PORT}.
 *
 * @param host a host name or an IP address (without brackets); empty for every address
 * @param port 1 to 65535
 */
public record TcpUri(String host, int port) {

    private static final String FORMS = "tcp:HOST:PORT, tcp:[IPV6]:PORT";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?");

    public TcpUri {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range (1 to 65535)");
        }
    }

    /**
     * Parses {@code text}; the message of the {@link IllegalArgumentException} for a bad one is a
     * line for the user, naming the text.
     */
    public static TcpUri parse(String text) {
        if (!text.startsWith("tcp:")) {
            throw bad(text, "only tcp: is supported");
        }
        String rest = text.substring("tcp:".length());
        int colon = rest.lastIndexOf(':');
        if (colon < 0) {
            throw bad(text, "missing :PORT");
        }
        String host = rest.substring(0, colon);
        String portText = rest.substring(colon + 1);
        if (!portText.matches("[0-9]{1,5}")) {
            throw bad(text, "the port must be a number from 1 to 65535");
        }
        int port = Integer.parseInt(portText);
        if (port < 1 || port > 65535) {
            throw bad(text, "the port must be a number from 1 to 65535");
        }
        if (host.startsWith("[") && host.endsWith("]") && host.length() > 2) {
            host = host.substring(1, host.length() - 1);
            if (!IPV6.matcher(host).matches() || !host.contains(":")) {
                throw bad(text, "'" + host + "' is not an IPv6 address");
            }
        } else if (host.contains(":") || host.contains("[") || host.contains("]")) {
            throw bad(text, "write an IPv6 address in brackets, as tcp:[::1]:PORT");
        } else if (!host.isEmpty() && !NAME.matcher(host).matches()) {
            throw bad(text, "'" + host + "' is not a host name or address");
        }
        return new TcpUri(host, port);
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("bad address '" + text + "': " + why + " (" + FORMS + ")");
    }

    /** Whether the address names every local address ({@code tcp::PORT}): fine to listen on, not to connect to. */
    public boolean anyHost() {
        return host.isEmpty();
    }

    /** The address to listen on; resolves a host name (throws {@link IllegalArgumentException} if it cannot). */
    public InetSocketAddress listenAddress() {
        if (anyHost()) {
            return new InetSocketAddress(port);
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("cannot resolve host '" + host + "' in " + this);
        }
        return address;
    }

    @Override
    public String toString() {
        return "tcp:" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}

package dev.jvmm.cli;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import dev.jvmm.machine.ConsoleConfig;
import dev.jvmm.machine.DeviceConfig;
import dev.jvmm.machine.DriveConfig;
import dev.jvmm.machine.NetConfig;
import dev.jvmm.machine.RngConfig;
import dev.jvmm.storage.ImageFormat;

/**
 * Parses the device options of {@code jvmm run} into {@link DeviceConfig}s, in QEMU's
 * {@code key=value,...} style (a comma inside a value is written {@code ,,}):
 * <ul>
 *   <li>{@code --drive FILE[,format=raw|qcow2][,readonly=on|off]}</li>
 *   <li>{@code --net user[,hostfwd=[tcp|udp]:[HOSTADDR]:HOSTPORT-:GUESTPORT]...[,mac=MAC]}</li>
 *   <li>{@code --device virtio-rng} and {@code --device virtio-console}</li>
 * </ul>
 * Every error is one line naming the option and the bad part.
 */
final class DeviceOptions {

    /** Where a forward listens when no HOSTADDR is given: this host only (QEMU listens on every address). */
    static final InetAddress DEFAULT_FORWARD_ADDRESS = InetAddress.getLoopbackAddress();

    private DeviceOptions() {
    }

    static DriveConfig drive(String spec) throws UsageException {
        List<String> parts = split("--drive", spec);
        String file = parts.getFirst();
        if (file.startsWith("file=")) {
            file = file.substring("file=".length()); // QEMU's spelling; a file named so is ./file=...
        }
        if (file.isEmpty()) {
            throw new UsageException("--drive: no image file given (--drive FILE[,format=raw|qcow2][,readonly=on])");
        }
        Map<String, String> options = keyValues("--drive", parts.subList(1, parts.size()), List.of("format", "readonly"));
        Optional<ImageFormat> format = Optional.empty();
        if (options.containsKey("format")) {
            format = Optional.of(switch (options.get("format")) {
                case "raw" -> ImageFormat.RAW;
                case "qcow2" -> ImageFormat.QCOW2;
                default -> throw new UsageException("--drive: unknown format '" + options.get("format")
                        + "' (raw or qcow2)");
            });
        }
        boolean readOnly = options.containsKey("readonly") && onOff("--drive", "readonly", options.get("readonly"));
        Path path = RunCommand.readableFile("--drive", Path.of(file));
        return new DriveConfig(path, format, readOnly);
    }

    static NetConfig net(String spec) throws UsageException {
        List<String> parts = split("--net", spec);
        if (!parts.getFirst().equals("user")) {
            throw new UsageException("--net: unknown network backend '" + parts.getFirst() + "' (only 'user')");
        }
        List<NetConfig.HostForward> forwards = new ArrayList<>();
        Optional<NetConfig.MacAddress> mac = Optional.empty();
        for (String part : parts.subList(1, parts.size())) {
            int eq = part.indexOf('=');
            String key = eq < 0 ? part : part.substring(0, eq);
            String value = eq < 0 ? "" : part.substring(eq + 1);
            switch (key) {
                case "hostfwd" -> forwards.add(hostForward(value));
                case "mac" -> {
                    if (mac.isPresent()) {
                        throw new UsageException("--net: mac given twice");
                    }
                    mac = Optional.of(mac(value));
                }
                default -> throw new UsageException("--net: unknown option '" + key + "' (hostfwd, mac)");
            }
        }
        return new NetConfig(NetConfig.Backend.USER, forwards, mac);
    }

    static DeviceConfig device(String spec) throws UsageException {
        return switch (spec) {
            case "virtio-rng" -> new RngConfig();
            case "virtio-console" -> new ConsoleConfig();
            default -> throw new UsageException("--device: unknown device '" + spec + "' (virtio-rng, virtio-console;"
                    + " disks and network cards have --drive and --net)");
        };
    }

    /** {@code [tcp|udp]:[HOSTADDR]:HOSTPORT-:GUESTPORT} */
    static NetConfig.HostForward hostForward(String text) throws UsageException {
        String usage = " (hostfwd=tcp:[HOSTADDR]:HOSTPORT-:GUESTPORT)";
        int dash = text.indexOf('-');
        if (dash < 0) {
            throw new UsageException("--net: bad hostfwd '" + text + "'" + usage);
        }
        String[] host = text.substring(0, dash).split(":", -1);
        String[] guest = text.substring(dash + 1).split(":", -1);
        if (host.length != 3 || guest.length != 2) {
            throw new UsageException("--net: bad hostfwd '" + text + "'" + usage);
        }
        NetConfig.Protocol protocol = switch (host[0]) {
            case "", "tcp" -> NetConfig.Protocol.TCP;
            case "udp" -> NetConfig.Protocol.UDP;
            default -> throw new UsageException("--net: hostfwd protocol '" + host[0] + "' (tcp or udp)");
        };
        InetAddress address = host[1].isEmpty() ? DEFAULT_FORWARD_ADDRESS : ipv4("--net: hostfwd address", host[1]);
        if (!guest[0].isEmpty()) {
            throw new UsageException("--net: hostfwd to a guest address is not supported; leave it empty" + usage);
        }
        return new NetConfig.HostForward(protocol, address, port("host", host[2], text), port("guest", guest[1], text));
    }

    private static int port(String which, String text, String whole) throws UsageException {
        if (!text.matches("[0-9]{1,5}") || Integer.parseInt(text) < 1 || Integer.parseInt(text) > 65535) {
            throw new UsageException("--net: bad " + which + " port '" + text + "' in hostfwd '" + whole + "' (1 to 65535)");
        }
        return Integer.parseInt(text);
    }

    /** A dotted-quad IPv4 literal; never a name (no DNS lookup). */
    private static InetAddress ipv4(String what, String text) throws UsageException {
        if (!text.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}")) {
            throw new UsageException(what + " '" + text + "' is not an IPv4 address");
        }
        byte[] b = new byte[4];
        String[] parts = text.split("\\.");
        for (int i = 0; i < 4; i++) {
            int v = Integer.parseInt(parts[i]);
            if (v > 255) {
                throw new UsageException(what + " '" + text + "' is not an IPv4 address");
            }
            b[i] = (byte) v;
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (java.net.UnknownHostException e) {
            throw new UsageException(what + " '" + text + "' is not an IPv4 address");
        }
    }

    static NetConfig.MacAddress mac(String text) throws UsageException {
        if (!text.matches("[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}")) {
            throw new UsageException("--net: bad mac '" + text + "' (six hex pairs, e.g. 52:54:00:12:34:56)");
        }
        NetConfig.MacAddress mac = new NetConfig.MacAddress(Long.parseLong(text.replaceAll("[:-]", ""), 16));
        if (!mac.isUnicast()) {
            throw new UsageException("--net: mac " + mac + " is not a unicast address (the first octet must be even"
                    + " and the address not all zeros)");
        }
        return mac;
    }

    /** Splits on single commas; {@code ,,} stands for a comma in a value. */
    static List<String> split(String option, String spec) throws UsageException {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < spec.length(); i++) {
            char c = spec.charAt(i);
            if (c == ',') {
                if (i + 1 < spec.length() && spec.charAt(i + 1) == ',') {
                    current.append(',');
                    i++;
                    continue;
                }
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        for (int i = 1; i < parts.size(); i++) {
            if (parts.get(i).isEmpty()) {
                throw new UsageException(option + ": empty option in '" + spec + "'");
            }
        }
        return parts;
    }

    private static Map<String, String> keyValues(String option, List<String> parts, List<String> known)
            throws UsageException {
        Map<String, String> map = new LinkedHashMap<>();
        for (String part : parts) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new UsageException(option + ": expected key=value, got '" + part + "'");
            }
            String key = part.substring(0, eq);
            if (!known.contains(key)) {
                throw new UsageException(option + ": unknown option '" + key + "' (" + String.join(", ", known) + ")");
            }
            if (map.put(key, part.substring(eq + 1)) != null) {
                throw new UsageException(option + ": " + key + " given twice");
            }
        }
        return map;
    }

    private static boolean onOff(String option, String key, String value) throws UsageException {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "on", "yes", "true" -> true;
            case "off", "no", "false" -> false;
            default -> throw new UsageException(option + ": " + key + " must be on or off, not '" + value + "'");
        };
    }
}

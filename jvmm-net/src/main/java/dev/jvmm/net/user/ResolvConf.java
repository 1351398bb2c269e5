package dev.jvmm.net.user;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the host's DNS resolver: the first {@code nameserver} line of resolv.conf. */
public final class ResolvConf {

    private ResolvConf() {
    }

    /** The first IPv4 nameserver in {@code file} on port 53, or empty if none or unreadable. */
    public static Optional<InetSocketAddress> firstNameserver(Path file) {
        try {
            for (String line : Files.readAllLines(file)) {
                String[] words = line.strip().split("\\s+");
                if (words.length >= 2 && words[0].equals("nameserver")) {
                    try {
                        int ip = HostForward.parseIpv4(words[1], words[1]);
                        return Optional.of(new InetSocketAddress(VirtualLan.toInet(ip), 53));
                    } catch (IllegalArgumentException notIpv4) {
                        // IPv6 resolvers are skipped: the forwarder speaks IPv4 to the host
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}

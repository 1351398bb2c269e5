package dev.jvmm.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The host's own apt sources ({@code /etc/apt/sources.list}, {@code sources.list.d/*.list} and
 * {@code *.sources}), and the choice among them of the Debian archive that guest packages come
 * from: the first entry whose suite is a Debian release name and not a security, updates or
 * backports pocket. No archive host is known to jvmm: it uses whatever the host uses.
 */
public final class HostPackageSources {

    /** Debian release codenames and aliases: an entry with one of these suites is a Debian archive. */
    private static final Set<String> DEBIAN_SUITES = Set.of(
            "buster", "bullseye", "bookworm", "trixie", "forky", "duke", "sid",
            "oldoldstable", "oldstable", "stable", "testing", "unstable", "experimental");

    private final List<AptSource> sources;

    private HostPackageSources(List<AptSource> sources) {
        this.sources = List.copyOf(sources);
    }

    /** Reads the sources under an apt configuration directory (normally {@code /etc/apt}). */
    public static HostPackageSources read(Path aptEtc) throws IOException {
        List<AptSource> all = new ArrayList<>();
        Path main = aptEtc.resolve("sources.list");
        if (Files.isRegularFile(main)) {
            all.addAll(AptSourcesParser.parseOneLine(Files.readString(main, StandardCharsets.UTF_8)));
        }
        Path parts = aptEtc.resolve("sources.list.d");
        if (Files.isDirectory(parts)) {
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> dir = Files.newDirectoryStream(parts)) {
                dir.forEach(files::add);
            }
            files.sort(Comparator.comparing(p -> p.getFileName().toString()));
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (!Files.isRegularFile(file)) {
                    continue;
                }
                if (name.endsWith(".list")) {
                    all.addAll(AptSourcesParser.parseOneLine(Files.readString(file, StandardCharsets.UTF_8)));
                } else if (name.endsWith(".sources")) {
                    all.addAll(AptSourcesParser.parseDeb822(Files.readString(file, StandardCharsets.UTF_8)));
                }
            }
        }
        return new HostPackageSources(all);
    }

    public static HostPackageSources of(List<AptSource> sources) {
        return new HostPackageSources(sources);
    }

    public List<AptSource> all() {
        return sources;
    }

    /** The Debian archive to fetch guest packages from, if the host has one. */
    public Optional<AptSource> debianArchive() {
        return sources.stream()
                .filter(s -> DEBIAN_SUITES.contains(s.suite()))
                .filter(s -> s.components().contains("main"))
                .findFirst();
    }
}

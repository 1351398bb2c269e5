package dev.jvmm.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AptSourcesParserTest {

    @Test
    void oneLineFormatKeepsBinaryEntriesWithOptionsAndSkipsCommentsAndSourceEntries() {
        List<AptSource> sources = AptSourcesParser.parseOneLine("""
                # main archive
                deb http://mirror.example/debian bookworm main contrib
                deb-src http://mirror.example/debian bookworm main
                #deb http://old.example/debian buster main
                deb [arch=amd64 signed-by=/usr/share/keyrings/x.gpg] http://mirror.example/debian-security bookworm-security main # trailing
                deb   http://broken.example
                """);
        assertThat(sources).containsExactly(
                new AptSource("http://mirror.example/debian", "bookworm", List.of("main", "contrib"), Optional.empty()),
                new AptSource("http://mirror.example/debian-security", "bookworm-security", List.of("main"),
                        Optional.of("/usr/share/keyrings/x.gpg")));
    }

    @Test
    void deb822FormatExpandsUrisAndSuitesAndSkipsDisabledAndSourceOnlyStanzas() {
        List<AptSource> sources = AptSourcesParser.parseDeb822("""
                Types: deb deb-src
                # a comment inside a stanza
                URIs: http://mirror.example/debian
                Suites: bookworm bookworm-updates
                Components: main
                Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

                Types: deb-src
                URIs: http://src.example/debian
                Suites: bookworm
                Components: main

                Types: deb
                URIs: http://off.example/debian
                Suites: trixie
                Components: main
                Enabled: no

                Types: deb
                URIs: http://inline.example/debian
                Suites: sid
                Components: main
                Signed-By:
                 -----BEGIN PGP PUBLIC KEY BLOCK-----
                 .
                 -----END PGP PUBLIC KEY BLOCK-----
                """);
        Optional<String> keyring = Optional.of("/usr/share/keyrings/debian-archive-keyring.gpg");
        assertThat(sources).containsExactly(
                new AptSource("http://mirror.example/debian", "bookworm", List.of("main"), keyring),
                new AptSource("http://mirror.example/debian", "bookworm-updates", List.of("main"), keyring),
                new AptSource("http://inline.example/debian", "sid", List.of("main"), Optional.empty()));
    }

    @Test
    void debianArchiveIsTheFirstEntryWithAReleaseSuiteAndMain(@TempDir Path etc) throws Exception {
        Files.writeString(etc.resolve("sources.list"), "deb http://vendor.example/apt nodistro main\n");
        Path parts = Files.createDirectory(etc.resolve("sources.list.d"));
        Files.writeString(parts.resolve("a-security.sources"), """
                Types: deb
                URIs: http://security.example/debian-security
                Suites: bookworm-security
                Components: main
                """);
        Files.writeString(parts.resolve("b-debian.sources"), """
                Types: deb
                URIs: http://mirror.example/debian
                Suites: bookworm-updates bookworm
                Components: main
                """);
        Files.writeString(parts.resolve("c-ignored.list.disabled"), "deb http://nope.example/debian trixie main\n");
        HostPackageSources host = HostPackageSources.read(etc);
        assertThat(host.all()).hasSize(4);
        assertThat(host.debianArchive()).map(AptSource::uri).contains("http://mirror.example/debian");
        assertThat(host.debianArchive()).map(AptSource::suite).contains("bookworm");
    }

    @Test
    void aHostWithoutDebianSourcesHasNoArchive(@TempDir Path etc) throws Exception {
        Files.writeString(etc.resolve("sources.list"), "deb http://vendor.example/apt nodistro main\n");
        assertThat(HostPackageSources.read(etc).debianArchive()).isEmpty();
        assertThat(HostPackageSources.read(etc.resolve("missing")).debianArchive()).isEmpty();
    }
}

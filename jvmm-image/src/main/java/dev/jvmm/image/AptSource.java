package dev.jvmm.image;

import java.util.List;
import java.util.Optional;

/**
 * One binary package source of the host's apt configuration ({@code deb URI SUITE COMPONENT...}).
 *
 * @param uri        the archive's base URI
 * @param suite      the suite or codename ({@code bookworm}, {@code trixie-updates}, ...)
 * @param components the components ({@code main}, ...)
 * @param signedBy   the keyring file the source is signed with, if the entry names one
 */
public record AptSource(String uri, String suite, List<String> components, Optional<String> signedBy) {

    public AptSource {
        components = List.copyOf(components);
    }
}

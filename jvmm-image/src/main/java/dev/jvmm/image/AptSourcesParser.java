package dev.jvmm.image;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Parses apt's two source formats into {@link AptSource}s, keeping only binary ({@code deb})
 * entries that are enabled: the one-line format of {@code sources.list} and {@code *.list}, and
 * the deb822 format of {@code *.sources}.
 */
public final class AptSourcesParser {

    private AptSourcesParser() {
    }

    /** One-line format: {@code deb [opt=value ...] URI SUITE COMPONENT...}; {@code #} starts a comment. */
    public static List<AptSource> parseOneLine(String text) {
        List<AptSource> sources = new ArrayList<>();
        for (String raw : text.split("\n")) {
            String line = stripComment(raw).trim();
            if (!line.startsWith("deb ") && !line.startsWith("deb\t")) {
                continue;
            }
            String rest = line.substring(3).trim();
            Optional<String> signedBy = Optional.empty();
            if (rest.startsWith("[")) {
                int close = rest.indexOf(']');
                if (close < 0) {
                    continue;
                }
                for (String option : rest.substring(1, close).trim().split("\\s+")) {
                    int eq = option.indexOf('=');
                    if (eq > 0 && option.substring(0, eq).equalsIgnoreCase("signed-by")) {
                        signedBy = Optional.of(option.substring(eq + 1));
                    }
                }
                rest = rest.substring(close + 1).trim();
            }
            String[] words = rest.split("\\s+");
            if (words.length < 2 || words[0].isEmpty()) {
                continue;
            }
            List<String> components = Arrays.asList(words).subList(2, words.length);
            sources.add(new AptSource(words[0], words[1], components, signedBy));
        }
        return sources;
    }

    /**
     * deb822 format: stanzas separated by blank lines, {@code Field: value} lines, continuation
     * lines start with a space; {@code Enabled: no} disables a stanza.
     */
    public static List<AptSource> parseDeb822(String text) {
        List<AptSource> sources = new ArrayList<>();
        for (Map<String, String> stanza : stanzas(text)) {
            List<String> types = words(stanza.get("types"));
            if (!types.contains("deb") || "no".equalsIgnoreCase(stanza.getOrDefault("enabled", "yes").trim())) {
                continue;
            }
            String signedByValue = stanza.getOrDefault("signed-by", "").trim();
            // Signed-By may also hold an inline ASCII-armoured key (multi-line): only a path is usable here.
            Optional<String> signedBy = signedByValue.startsWith("/") && !signedByValue.contains("\n")
                    ? Optional.of(signedByValue) : Optional.empty();
            List<String> components = words(stanza.get("components"));
            for (String uri : words(stanza.get("uris"))) {
                for (String suite : words(stanza.get("suites"))) {
                    sources.add(new AptSource(uri, suite, components, signedBy));
                }
            }
        }
        return sources;
    }

    private static List<Map<String, String>> stanzas(String text) {
        List<Map<String, String>> stanzas = new ArrayList<>();
        Map<String, String> current = new LinkedHashMap<>();
        String lastField = null;
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            if (line.isBlank()) {
                if (!current.isEmpty()) {
                    stanzas.add(current);
                    current = new LinkedHashMap<>();
                }
                lastField = null;
                continue;
            }
            if ((line.startsWith(" ") || line.startsWith("\t")) && lastField != null) {
                current.merge(lastField, "\n" + line.trim(), String::concat);
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            lastField = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            current.put(lastField, line.substring(colon + 1).trim());
        }
        if (!current.isEmpty()) {
            stanzas.add(current);
        }
        return stanzas;
    }

    private static List<String> words(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return List.of(value.trim().split("\\s+"));
    }

    private static String stripComment(String line) {
        int hash = line.indexOf('#');
        return hash < 0 ? line : line.substring(0, hash);
    }
}

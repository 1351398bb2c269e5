package dev.jvmm.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code SHA256SUMS} file in {@code sha256sum}'s format ({@code <hex>  <relative path>} per
 * line): the SHA-256 of every file of a cached image, written last when the image is complete
 * and checked before the image is used.
 */
public final class ChecksumManifest {

    public static final String FILE_NAME = "SHA256SUMS";

    private final Map<String, String> sums;

    private ChecksumManifest(Map<String, String> sums) {
        this.sums = sums;
    }

    /** Hashes the given files (paths relative to {@code dir}). */
    public static ChecksumManifest compute(Path dir, List<String> relativePaths) throws IOException {
        Map<String, String> sums = new LinkedHashMap<>();
        for (String p : relativePaths) {
            sums.put(p, sha256(dir.resolve(p)));
        }
        return new ChecksumManifest(sums);
    }

    /** Reads {@code dir/SHA256SUMS}; empty if it is absent or malformed. */
    public static Optional<ChecksumManifest> read(Path dir) {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            Map<String, String> sums = new LinkedHashMap<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                int sep = line.indexOf("  ");
                if (sep != 64 || !line.substring(0, 64).matches("[0-9a-f]{64}")) {
                    return Optional.empty();
                }
                sums.put(line.substring(66), line.substring(0, 64));
            }
            return Optional.of(new ChecksumManifest(sums));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public void write(Path dir) throws IOException {
        StringBuilder s = new StringBuilder();
        sums.forEach((path, sum) -> s.append(sum).append("  ").append(path).append('\n'));
        Files.writeString(dir.resolve(FILE_NAME), s, StandardCharsets.UTF_8);
    }

    public List<String> files() {
        return List.copyOf(sums.keySet());
    }

    /** The listed files that are missing under {@code dir} or whose contents no longer match. */
    public List<String> mismatches(Path dir) {
        List<String> bad = new ArrayList<>();
        for (Map.Entry<String, String> e : sums.entrySet()) {
            Path file = dir.resolve(e.getKey()).normalize();
            try {
                if (!file.startsWith(dir.normalize()) || !Files.isRegularFile(file)
                        || !sha256(file).equals(e.getValue())) {
                    bad.add(e.getKey());
                }
            } catch (IOException ex) {
                bad.add(e.getKey());
            }
        }
        return bad;
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}

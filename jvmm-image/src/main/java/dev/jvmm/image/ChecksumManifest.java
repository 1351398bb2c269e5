package dev.jvmm.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@code SHA256SUMS} file in {@code sha256sum}'s format ({@code <hex>  <relative path>} per
 * line): the SHA-256 of every file of a cached image, written last when the image is complete
 * and checked before the image is used.
 *
 * <p>Hashing the default image (31 MiB of kernel and more) cost every start about 0.12 s, as
 * much as QEMU takes to start. So a check that found every file matching records, in
 * {@code SHA256SUMS.verified}, each file's size, modification and status-change times and inode
 * as they were then, and the next check hashes only files whose record differs: any write to a
 * file changes its status-change time, which no user call can set back. Files changed in the
 * last {@link #SETTLED} are not recorded: file times are coarse (a clock tick), and a second
 * write in the tick of the one hashed would keep the time. The record names the manifest it was
 * made for (its file by the same attributes, and its sums), so a new manifest is checked in full.
 * Where the host has no such attributes, every check hashes everything.
 */
public final class ChecksumManifest {

    public static final String FILE_NAME = "SHA256SUMS";
    static final String VERIFIED_FILE = FILE_NAME + ".verified";

    /** How long ago a file must have last changed for a check to record it as verified. */
    static final Duration SETTLED = Duration.ofSeconds(2);

    /** Files hashed by {@link #mismatches} in this JVM (for tests: a check of unchanged files hashes none). */
    static final AtomicLong filesHashed = new AtomicLong();

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

    /**
     * The listed files that are missing under {@code dir} or whose contents no longer match;
     * files unchanged since a check that found them all matching are not hashed again.
     */
    public List<String> mismatches(Path dir) {
        return mismatches(dir, SETTLED);
    }

    /** As {@link #mismatches(Path)}, recording only files last changed at least {@code settled} ago. */
    List<String> mismatches(Path dir, Duration settled) {
        long settledBefore = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis()) - settled.toNanos();
        String manifest = manifestIdentity(dir, settledBefore);
        Map<String, String> verified = manifest == null ? Map.of() : readVerified(dir, manifest);
        Map<String, String> now = new LinkedHashMap<>();
        List<String> bad = new ArrayList<>();
        for (Map.Entry<String, String> e : sums.entrySet()) {
            Path file = dir.resolve(e.getKey()).normalize();
            try {
                if (!file.startsWith(dir.normalize()) || !Files.isRegularFile(file)) {
                    bad.add(e.getKey());
                    continue;
                }
                String identity = identity(file, settledBefore);
                if (identity != null && identity.equals(verified.get(e.getKey()))) {
                    now.put(e.getKey(), identity);
                } else if (sha256(file).equals(e.getValue())) {
                    filesHashed.incrementAndGet();
                    if (identity != null) {
                        now.put(e.getKey(), identity);
                    }
                } else {
                    filesHashed.incrementAndGet();
                    bad.add(e.getKey());
                }
            } catch (IOException ex) {
                bad.add(e.getKey());
            }
        }
        if (manifest != null && bad.isEmpty() && !now.isEmpty() && !now.equals(verified)) {
            writeVerified(dir, manifest, now);
        }
        return bad;
    }

    /**
     * Size, modification and status-change times and inode of {@code file}; null where the host
     * has no such attributes or the file changed at or after {@code settledBefore} (ns since the epoch).
     */
    private static String identity(Path file, long settledBefore) throws IOException {
        try {
            Map<String, Object> a = Files.readAttributes(file, "unix:size,lastModifiedTime,ctime,ino");
            long modified = ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS);
            long changed = ((FileTime) a.get("ctime")).to(TimeUnit.NANOSECONDS);
            if (changed >= settledBefore || modified >= settledBefore) {
                return null;
            }
            return a.get("size") + " " + modified + " " + changed + " " + a.get("ino");
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * What the record of a verified check names: the identity of {@code dir/SHA256SUMS} (a new
     * manifest is a new file) and a hash of these sums (in case they are not that file's); null
     * if the file's identity is unknown or it is not settled.
     */
    private String manifestIdentity(Path dir, long settledBefore) {
        try {
            String file = identity(dir.resolve(FILE_NAME), settledBefore);
            return file == null ? null : file + " " + Integer.toHexString(sums.hashCode());
        } catch (IOException e) {
            return null;
        }
    }

    /** The files' identities recorded by the last check that found them all matching {@code manifest}; empty if none. */
    private static Map<String, String> readVerified(Path dir, String manifest) {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            List<String> lines = Files.readAllLines(dir.resolve(VERIFIED_FILE), StandardCharsets.UTF_8);
            if (lines.isEmpty() || !lines.getFirst().equals("manifest " + manifest)) {
                return Map.of();
            }
            for (String line : lines.subList(1, lines.size())) {
                int sep = line.indexOf("  ");
                if (sep < 0) {
                    return Map.of();
                }
                m.put(line.substring(sep + 2), line.substring(0, sep));
            }
        } catch (IOException e) {
            return Map.of();
        }
        return m;
    }

    /** Records {@code identities}; written aside and renamed, and skipped where the directory is not writable. */
    private static void writeVerified(Path dir, String manifest, Map<String, String> identities) {
        StringBuilder s = new StringBuilder("manifest ").append(manifest).append('\n');
        identities.forEach((path, id) -> s.append(id).append("  ").append(path).append('\n'));
        Path tmp = dir.resolve(VERIFIED_FILE + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.writeString(tmp, s, StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve(VERIFIED_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the next check hashes everything again
            }
        }
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest = digest();
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

package dev.jvmm.cli.control;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Unix-domain socket files that only their owner can connect to.
 *
 * <p>{@link #listenPrivately} never lets a socket be reachable by others, not even for a moment:
 * it binds inside a fresh directory that only the owner may enter, makes the socket owner-only
 * (read and write, 0600), and only then gives it its name with a hard link, which fails rather
 * than replace whatever appeared at the path meanwhile. The temporary directory is removed.
 */
public final class UnixSocketFiles {

    /** Linux's {@code sun_path} holds 108 bytes with the terminating NUL. */
    static final int MAX_PATH_BYTES = 107;
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final SecureRandom RANDOM = new SecureRandom();

    private UnixSocketFiles() {
    }

    /** A listening socket and the file that names it; closing removes the file if it is still this socket's. */
    public record Listening(ServerSocketChannel channel, Path path, Object fileKey) implements AutoCloseable {

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // closing a listening socket cannot lose anything
            }
            removeIfSame(path, fileKey);
        }
    }

    /**
     * Listens on a new owner-only socket at {@code path}. Refuses a path that exists and is not a
     * socket, and a socket that something still listens on; a stale socket (nobody listening) is
     * replaced. The {@link IOException}'s message is one line naming the path.
     */
    public static Listening listenPrivately(Path path) throws IOException {
        Path target = path.toAbsolutePath();
        Path dir = target.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IOException(path + ": no such directory " + dir);
        }
        checkLength(path, target);
        removeIfStale(path, target);
        Path privateDir = createPrivateDirectory(dir);
        Path temporary = privateDir.resolve("s");
        try {
            checkLength(path, temporary);
            ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                channel.bind(UnixDomainSocketAddress.of(temporary));
                Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-------"));
                Object key = Files.readAttributes(temporary, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
                publish(path, temporary, target);
                return new Listening(channel, target, key);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } finally {
            Files.deleteIfExists(temporary);
            Files.deleteIfExists(privateDir);
        }
    }

    /** Gives the socket its name without ever replacing a file that appeared there. */
    private static void publish(Path path, Path temporary, Path target) throws IOException {
        try {
            Files.createLink(target, temporary);
        } catch (FileAlreadyExistsException e) {
            throw new IOException(path + ": already exists (something else created it meanwhile)");
        } catch (UnsupportedOperationException | FileSystemException e) {
            // A file system without hard links: rename, which is atomic too but would replace a file
            // created since removeIfStale; so check right before.
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(path + ": already exists (something else created it meanwhile)");
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static Path createPrivateDirectory(Path dir) throws IOException {
        for (int attempt = 0; ; attempt++) {
            byte[] random = new byte[4];
            RANDOM.nextBytes(random);
            Path candidate = dir.resolve(".jvmm-" + HexFormat.of().formatHex(random));
            try {
                Files.createDirectory(candidate, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                // The umask may only have taken bits away; make sure the owner can use it.
                Files.setPosixFilePermissions(candidate, PosixFilePermissions.fromString("rwx------"));
                return candidate;
            } catch (FileAlreadyExistsException e) {
                if (attempt == 10) {
                    throw new IOException("cannot create a private directory in " + dir + ": " + e.getMessage());
                }
            } catch (AccessDeniedException e) {
                throw new IOException("cannot create the control socket in " + dir + ": permission denied");
            }
        }
    }

    private static void checkLength(Path path, Path bound) throws IOException {
        if (bound.toString().getBytes(StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw new IOException(path + ": the path is too long for a Unix socket (at most "
                    + MAX_PATH_BYTES + " bytes, and jvmm briefly needs 17 more in its directory); use a shorter one");
        }
    }

    /** Whether {@code path} names a socket (not following a symbolic link). */
    public static boolean isSocket(Path path) throws IOException {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & S_IFMT) == S_IFSOCK;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private static void removeIfStale(Path path, Path target) throws IOException {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!isSocket(target)) {
            throw new IOException(path + ": exists and is not a socket (jvmm will not replace it)");
        }
        boolean listening;
        try {
            SocketChannel.open(UnixDomainSocketAddress.of(target)).close();
            listening = true;
        } catch (ConnectException e) {
            listening = false;
        } catch (IOException e) {
            throw new IOException(path + ": exists and jvmm cannot tell whether it is in use: " + e.getMessage());
        }
        if (listening) {
            throw new IOException(path + ": something is listening on this socket already (another jvmm?)");
        }
        // Nobody listens: a socket left behind by a process that died.
        Files.deleteIfExists(target);
    }

    /** Removes {@code path} if it is still the file {@code fileKey} identifies (not one a later process put there). */
    static void removeIfSame(Path path, Object fileKey) {
        try {
            Object now = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            if (fileKey != null && Objects.equals(now, fileKey)) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // gone already, or not ours to remove
        }
    }

    /**
     * Connects to the socket at {@code path}; the {@link IOException}'s message is one line that
     * says what is wrong (no such file, not a socket, nobody listening, permission denied).
     */
    public static SocketChannel connect(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new IOException(path + ": no such control socket (is jvmm running with --control " + path + "?)");
        }
        Path real = path.toRealPath();
        if (!isSocket(real)) {
            throw new IOException(path + ": not a socket");
        }
        try {
            return SocketChannel.open(UnixDomainSocketAddress.of(path));
        } catch (ConnectException e) {
            throw new IOException(path + ": nobody is listening on this socket (has jvmm exited?)");
        } catch (IOException e) {
            String message = String.valueOf(e.getMessage());
            if (message.toLowerCase(java.util.Locale.ROOT).contains("permission denied")) {
                throw new IOException(path + ": permission denied");
            }
            throw new IOException(path + ": cannot connect: " + message);
        }
    }
}

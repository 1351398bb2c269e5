package dev.jvmm.image;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * Writes a cpio archive in the "new ASCII" (newc, magic {@code 070701}) format that the Linux
 * kernel unpacks as an initramfs. Every entry is owned by root (uid/gid 0) with mtime 0, so the
 * archive depends only on its contents and needs no privileges to describe device nodes.
 *
 * <p>Names are relative paths ({@code bin/busybox}); missing parent directories are added
 * (mode 0755) before an entry, because the kernel does not create them. {@link #close()} writes
 * the {@code TRAILER!!!} entry and closes the underlying stream.
 */
public final class NewcArchiveWriter implements AutoCloseable {

    static final String MAGIC = "070701";
    static final String TRAILER = "TRAILER!!!";
    private static final int HEADER_SIZE = 110;

    static final int S_IFDIR = 0040000;
    static final int S_IFREG = 0100000;
    static final int S_IFLNK = 0120000;
    static final int S_IFCHR = 0020000;
    static final int S_IFBLK = 0060000;

    private final OutputStream out;
    private final Set<String> names = new HashSet<>();
    private long written;
    private int nextInode = 1;
    private boolean closed;

    public NewcArchiveWriter(OutputStream out) {
        this.out = out;
    }

    /** Adds a directory with the given permission bits (e.g. {@code 0755}). */
    public void addDirectory(String name, int permissions) throws IOException {
        String n = checkedName(name);
        addParents(n);
        writeEntry(n, S_IFDIR | (permissions & 07777), 2, 0, 0, new byte[0]);
    }

    /** Adds a regular file with the given permission bits and contents. */
    public void addFile(String name, int permissions, byte[] contents) throws IOException {
        String n = checkedName(name);
        addParents(n);
        writeEntry(n, S_IFREG | (permissions & 07777), 1, 0, 0, contents);
    }

    /** Adds a symbolic link {@code name -> target}. */
    public void addSymlink(String name, String target) throws IOException {
        String n = checkedName(name);
        if (target.isEmpty()) {
            throw new IllegalArgumentException("empty symlink target for " + name);
        }
        addParents(n);
        writeEntry(n, S_IFLNK | 0777, 1, 0, 0, target.getBytes(StandardCharsets.UTF_8));
    }

    /** Adds a character device node, e.g. {@code dev/console c 5 1}. */
    public void addCharDevice(String name, int permissions, int major, int minor) throws IOException {
        addDevice(name, S_IFCHR, permissions, major, minor);
    }

    /** Adds a block device node. */
    public void addBlockDevice(String name, int permissions, int major, int minor) throws IOException {
        addDevice(name, S_IFBLK, permissions, major, minor);
    }

    private void addDevice(String name, int type, int permissions, int major, int minor) throws IOException {
        String n = checkedName(name);
        if (major < 0 || minor < 0) {
            throw new IllegalArgumentException("negative device number for " + name);
        }
        addParents(n);
        writeEntry(n, type | (permissions & 07777), 1, major, minor, new byte[0]);
    }

    /** Whether an entry of this name was added (explicitly or as a parent). */
    public boolean contains(String name) {
        return names.contains(name);
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        writeHeaderAndName(TRAILER, 0, 0, 1, 0, 0, 0);
        out.close();
    }

    private String checkedName(String name) {
        if (closed) {
            throw new IllegalStateException("archive already closed");
        }
        String n = name.startsWith("/") ? name.substring(1) : name;
        if (n.isEmpty() || n.endsWith("/") || n.equals(TRAILER)) {
            throw new IllegalArgumentException("bad entry name: '" + name + "'");
        }
        for (String part : n.split("/", -1)) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("bad entry name: '" + name + "'");
            }
        }
        if (names.contains(n)) {
            throw new IllegalArgumentException("duplicate entry: " + n);
        }
        return n;
    }

    private void addParents(String name) throws IOException {
        int slash = name.lastIndexOf('/');
        if (slash < 0) {
            return;
        }
        String parent = name.substring(0, slash);
        if (!names.contains(parent)) {
            addParents(parent);
            writeEntry(parent, S_IFDIR | 0755, 2, 0, 0, new byte[0]);
        }
    }

    private void writeEntry(String name, int mode, int links, int rdevMajor, int rdevMinor, byte[] data)
            throws IOException {
        names.add(name);
        writeHeaderAndName(name, nextInode++, mode, links, rdevMajor, rdevMinor, data.length);
        out.write(data);
        written += data.length;
        pad();
    }

    private void writeHeaderAndName(String name, int inode, int mode, int links, int rdevMajor, int rdevMinor,
                                    long size) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder(HEADER_SIZE).append(MAGIC);
        long[] fields = {inode, mode, 0 /* uid */, 0 /* gid */, links, 0 /* mtime */, size,
                0 /* devmajor */, 0 /* devminor */, rdevMajor, rdevMinor, nameBytes.length + 1L, 0 /* check */};
        for (long f : fields) {
            h.append(String.format("%08X", f));
        }
        out.write(h.toString().getBytes(StandardCharsets.US_ASCII));
        out.write(nameBytes);
        out.write(0);
        written += HEADER_SIZE + nameBytes.length + 1L;
        pad();
    }

    /** newc aligns both the header+name and the data to 4 bytes. */
    private void pad() throws IOException {
        while (written % 4 != 0) {
            out.write(0);
            written++;
        }
    }
}

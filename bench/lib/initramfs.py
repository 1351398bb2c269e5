"""Writes newc ("070701") cpio archives, the format Linux unpacks as an initramfs.

Pure Python, so that the benchmarks need neither the cpio tool nor root: every entry is owned
by root with mtime 0, and device nodes (/dev/console) are just described, not created.
"""
import os
from pathlib import Path

S_IFDIR, S_IFREG, S_IFCHR = 0o040000, 0o100000, 0o020000


class NewcWriter:
    """Appends entries to a newc archive; close() writes the trailer. Parents must come first."""

    def __init__(self, out):
        self.out = out
        self.offset = 0
        self.inode = 1

    def _write(self, data):
        self.out.write(data)
        self.offset += len(data)

    def _pad(self):
        self._write(b"\0" * (-self.offset % 4))

    def _entry(self, name, mode, data=b"", nlink=1, rdev=(0, 0)):
        encoded = name.encode() + b"\0"
        fields = [self.inode, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1], len(encoded), 0]
        self.inode += 1
        self._write(b"070701" + b"".join(b"%08X" % f for f in fields))
        self._write(encoded)
        self._pad()
        self._write(data)
        self._pad()

    def directory(self, name, perm=0o755):
        self._entry(name, S_IFDIR | perm, nlink=2)

    def file(self, name, data, perm=0o644):
        self._entry(name, S_IFREG | perm, data)

    def char_device(self, name, major, minor, perm=0o600):
        self._entry(name, S_IFCHR | perm, rdev=(major, minor))

    def close(self):
        self._entry("TRAILER!!!", 0)


def busybox_initramfs(out, busybox, init_script, programs=None):
    """Writes a minimal initramfs to out: /bin/busybox, /init (a script's text) and the static
    programs {name in /bin: host path}, plus the directories and the /dev/console node the
    kernel needs to give /init a console before devtmpfs is mounted. Returns out."""
    out = Path(out)
    with open(out, "wb") as f:
        w = NewcWriter(f)
        for d in ("bin", "dev", "etc", "proc", "sbin", "sys", "tmp"):
            w.directory(d)
        w.char_device("dev/console", 5, 1)
        w.file("bin/busybox", Path(busybox).read_bytes(), 0o755)
        for name, path in sorted((programs or {}).items()):
            w.file("bin/" + name, Path(path).read_bytes(), 0o755)
        w.file("init", init_script.encode() if isinstance(init_script, str) else init_script, 0o755)
        w.close()
    os.chmod(out, 0o644)
    return out

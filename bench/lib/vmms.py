"""What the benchmarks share: the guest files in jvmm's cache, the jvmm and QEMU command lines
for one kernel + initramfs, a timed boot that notes when console markers arrive, and the
median [min-max] figures.

jvmm runs through the ./jvmm launcher (which builds on first use, uses its JVM startup cache
and passes JVMM_JAVA_OPTS to the JVM), or with --jar straight from a given jar (no startup cache;
JVMM_JAVA_OPTS is then passed here). With the launcher, a boot during which it rebuilt jvmm
(someone changed a source in the tree) is done again. QEMU is
qemu-system-riscv64 -M virt, one hart, with Debian's OpenSBI fw_jump.bin where installed (the
firmware of the shared anchor figures), else QEMU's own (-bios default).
"""
import os, selectors, shlex, statistics, subprocess, sys, time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
LAUNCHER = REPO / "jvmm"
FW_JUMP = Path("/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin")
ENGINES = ("interp", "jit")


def cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "jvmm" / "debian-trixie-riscv64"


def guest_files():
    """(kernel Image, static riscv64 busybox) from jvmm's cache, fetched by jvmm if missing."""
    kernel, busybox = cache_dir() / "Image", cache_dir() / "busybox"
    if not (kernel.exists() and busybox.exists()):
        print("fetching the guest files: ./jvmm image fetch", file=sys.stderr, flush=True)
        subprocess.run([str(LAUNCHER), "image", "fetch"], check=True)
    for f in (kernel, busybox):
        if not f.exists():
            sys.exit("no %s after ./jvmm image fetch" % f)
    return kernel, busybox


def java():
    return os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64") + "/bin/java"


# What the launcher prints when it builds jvmm or makes its startup cache before starting the
# JVM: a boot that shows one of these timed that work too (or ran while the jar was replaced).
LAUNCHER_WORK = ("jvmm: building", "jvmm: preparing the startup cache")


def prepare_jvmm(jar=None):
    """Has the launcher do now what it would do before the first boot (build jvmm if a source
    changed, make its startup cache), so that the boots below time only themselves; with a jar,
    only checks that it exists."""
    if jar:
        if not Path(jar).exists():
            sys.exit("no jar %s" % jar)
        return
    print("preparing jvmm: ./jvmm run --help", file=sys.stderr, flush=True)
    r = subprocess.run([str(LAUNCHER), "run", "--help"], stdin=subprocess.DEVNULL, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("./jvmm run --help failed:\n%s%s" % (r.stdout, r.stderr))


def launcher_worked(text):
    """Whether the launcher built jvmm or made its startup cache within this output."""
    return any(w in text for w in LAUNCHER_WORK)


def jvmm_cmd(engine, kernel, initrd, memory, append, jar=None):
    args = ["run", "--engine", engine, "--kernel", str(kernel), "--initrd", str(initrd),
            "--memory", memory, "--append", append]
    if jar is None:
        return [str(LAUNCHER)] + args
    return ([java(), "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC"]
            + shlex.split(os.environ.get("JVMM_JAVA_OPTS", "")) + ["-jar", str(jar)] + args)


def qemu_bios():
    return str(FW_JUMP) if FW_JUMP.exists() else "default"


def qemu_cmd(kernel, initrd, memory, append):
    return ["qemu-system-riscv64", "-M", "virt", "-m", memory, "-smp", "1", "-nographic",
            "-bios", qemu_bios(), "-kernel", str(kernel), "-initrd", str(initrd), "-append", append]


class Boot:
    """One finished boot: its console text, the host's seconds from process start to each
    marker's first arrival (None if it never came) and to exit, and how it ended."""

    def __init__(self, text, markers, wall, status):
        self.text, self.markers, self.wall, self.status = text, markers, wall, status

    @property
    def ok(self):
        return self.status == 0 and all(t is not None for t in self.markers.values())


def timed_boot(cmd, markers, log, timeout):
    """Runs cmd with no input, its output (stdout and stderr) going to log; times each marker
    (bytes) from just before the start. Kills it after timeout seconds (status 'timeout')."""
    seen = {m: None for m in markers}
    buf = bytearray()
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    sel = selectors.DefaultSelector()
    sel.register(p.stdout, selectors.EVENT_READ)
    status = None
    with open(log, "wb") as out:
        while True:
            left = timeout - (time.monotonic() - start)
            if left <= 0:
                p.kill()
                status = "timeout"
                break
            if not sel.select(min(left, 1.0)):
                continue
            chunk = p.stdout.read1(65536)
            if not chunk:
                break
            now = time.monotonic() - start
            out.write(chunk)
            # Search only the new bytes plus enough before them to catch a marker split by a read.
            tail = max(0, len(buf) - 64)
            buf += chunk
            for m in seen:
                if seen[m] is None and m in buf[tail:]:
                    seen[m] = now
    p.wait()
    wall = time.monotonic() - start
    sel.close()
    return Boot(buf.decode(errors="replace"), seen, wall, status if status else p.returncode)


def measured_boot(cmd, markers, log, timeout):
    """timed_boot, done once more if the launcher built jvmm or made its startup cache meanwhile
    (another user of the tree changed a source); the caller checks launcher_worked() again."""
    boot = timed_boot(cmd, markers, log, timeout)
    if launcher_worked(boot.text):
        print("  the launcher rebuilt jvmm or its startup cache during this boot: booting again",
              file=sys.stderr, flush=True)
        boot = timed_boot(cmd, markers, log, timeout)
    return boot


def stats(xs):
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs), "n": len(xs)} if xs else None


def fmt(xs, digits=1):
    """median [min-max], or the one value."""
    if not xs:
        return "-"
    if len(xs) == 1:
        return "%.*f" % (digits, xs[0])
    return "%.*f [%.*f-%.*f]" % (digits, statistics.median(xs), digits, min(xs), digits, max(xs))


def ratio(a, b, digits=2):
    """Ratio of the medians of a and b, or '-'."""
    if not a or not b or statistics.median(b) == 0:
        return "-"
    return "%.*f" % (digits, statistics.median(a) / statistics.median(b))


def table(header, rows):
    """A Markdown table, columns padded for reading in a terminal too."""
    cells = [header] + rows
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] + [line(r) for r in rows])

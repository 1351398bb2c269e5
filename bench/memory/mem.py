#!/usr/bin/env python3
"""Memory of a booted jvmm: how much of its resident size is guest RAM, and what the rest is.

Boots the default guest (Debian's kernel and jvmm's busybox initramfs) with `./jvmm run
--memory SIZE` on each engine, waits for the shell to answer a command, lets it settle, then
reads the jvmm process's
  /proc/PID/status        VmRSS (RssAnon, RssFile, RssShmem), VmHWM, Threads
  /proc/PID/smaps_rollup  Rss and Pss
  /proc/PID/smaps         the guest RAM: the anonymous read-write mapping of exactly SIZE
                          bytes; its Rss is the part of guest RAM the guest has touched
and reports the overhead = VmRSS - guest RAM resident. A second boot of each engine runs with
-XX:NativeMemoryTracking=summary (which costs some memory itself, hence the separate boot) and
reports `jcmd PID VM.native_memory summary`: what the JVM has committed for the heap, class
metadata, code cache, threads, GC, and so on. The guest then powers off; its exit status must be 0.

Extra JVM options for every boot: JVMM_JAVA_OPTS in the environment, as for ./jvmm itself.

usage: bench/memory/mem.py [--engines interp,jit] [--memory 512M] [--settle 5] [--no-nmt] [--timeout 600]
"""
import argparse, os, re, struct, subprocess, sys, threading, time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent.parent
PROMPT_LINE = b"type 'poweroff' to stop the machine"


def size_bytes(text):
    m = re.fullmatch(r"(\d+)([KMG]?)", text.upper())
    return int(m.group(1)) << {"": 0, "K": 10, "M": 20, "G": 30}[m.group(2)]


class Guest:
    """A `./jvmm run` whose console is read on a thread, so its output never blocks it."""

    def __init__(self, args, env):
        self.engine = args[args.index("--engine") + 1] if "--engine" in args else "interp"
        self.p = subprocess.Popen([str(HERE / "jvmm"), "run"] + args, env=env, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.out = b""
        self.lock = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            chunk = self.p.stdout.read1(4096)
            with self.lock:
                if not chunk:
                    self.out += b"\0EOF"
                    self.lock.notify_all()
                    return
                self.out += chunk
                self.lock.notify_all()

    def wait_for(self, text, deadline, since=0):
        with self.lock:
            while text not in self.out[since:]:
                if b"\0EOF" in self.out or time.monotonic() > deadline:
                    raise SystemExit("no %r from the guest; its last output:\n%s"
                                     % (text, self.out[-2000:].decode(errors="replace")))
                self.lock.wait(1)

    def type(self, line):
        self.p.stdin.write(line.encode() + b"\n")
        self.p.stdin.flush()


def status_kib(pid):
    fields = {}
    for line in Path("/proc/%d/status" % pid).read_text().splitlines():
        key, _, value = line.partition(":")
        value = value.split()
        if value and value[-1] == "kB":
            fields[key] = int(value[0])
        elif key == "Threads":
            fields[key] = int(value[0])
    return fields


def rollup_kib(pid):
    fields = {}
    for line in Path("/proc/%d/smaps_rollup" % pid).read_text().splitlines()[1:]:
        key, _, value = line.partition(":")
        fields[key] = int(value.split()[0])
    return fields


def mappings(pid):
    """Each mapping of /proc/PID/smaps as (header line, {field: kB or text})."""
    result, header, fields = [], None, {}
    for line in Path("/proc/%d/smaps" % pid).read_text().splitlines():
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            if header:
                result.append((header, fields))
            header, fields = line, {}
        else:
            key, _, value = line.partition(":")
            parts = value.split()
            fields[key] = int(parts[0]) if len(parts) == 2 and parts[1] == "kB" else value.strip()
    if header:
        result.append((header, fields))
    return result


def present_kib(pid, start, end):
    """Resident KiB of [start, end) by /proc/PID/pagemap (bit 63 of each page's entry)."""
    pages = (end - start) // 4096
    with open("/proc/%d/pagemap" % pid, "rb") as f:
        f.seek(start // 4096 * 8)
        data = f.read(pages * 8)
    entries = struct.unpack("<%dQ" % (len(data) // 8), data)
    return sum(1 for e in entries if e >> 63) * 4


def guest_ram(pid, ram_bytes):
    """The guest RAM: jvmm maps it alone (anonymous, read-write, in the mmap area high above the
    Java heap), but the kernel may merge it with a neighbouring malloc arena (glibc's arenas are
    64 MiB-aligned and also mapped MAP_NORESERVE). Then the guest's part is told by that
    alignment, and its resident pages are counted in /proc/PID/pagemap."""
    kib = ram_bytes // 1024
    candidates = []
    for h, f in mappings(pid):
        start, end = (int(x, 16) for x in h.split()[0].split("-"))
        if f.get("Size", 0) >= kib and h.split()[1].startswith("rw") and len(h.split()) == 5 and start >= 1 << 44:
            candidates.append((start, end, f))
    if len(candidates) != 1:
        raise SystemExit("expected one anonymous rw mapping of at least %d KiB, found %d" % (kib, len(candidates)))
    start, end, fields = candidates[0]
    if end - start != ram_bytes:
        if (start + ram_bytes) % (64 << 20) == 0:
            end = start + ram_bytes       # an arena follows the guest (and starts aligned)
        else:
            start = end - ram_bytes       # an arena precedes it
        fields = dict(fields, Rss=present_kib(pid, start, end))
    return dict(fields, start=start, end=end)


def rss_by_kind(pid, ram):
    """`jcmd PID System.map` (needs NMT) summed by what holds each mapping: {kind: resident KiB}.
    NMT names the JVM's own mappings (JAVAHEAP, CLASS, META, CODE, CDS, STACK, GC, ...); of the
    rest, the guest RAM is the anonymous mapping of its size, files are grouped by name, and
    what is left is the C heap (malloc arenas, including big blocks malloc got from mmap)."""
    kinds = {}
    for line in jcmd(pid, "System.map").splitlines():
        f = line.split()
        if not f or not f[0].startswith("0x") or len(f) < 9:
            continue
        start, end = (int(x, 16) for x in f[0].split("-"))
        rss, info, file = int(f[3]) // 1024, f[-2], f[-1]
        if start < ram["end"] and ram["start"] < end:
            kind = "guest RAM"
        elif info != "-":
            kind = {"META": "CLASS+META", "CLASS": "CLASS+META", "CARDTBL": "GC"}.get(info, info)
            kind = "STACK" if kind.startswith("STACK") else kind
        elif file != "-":
            kind = "file " + os.path.basename(file) if file.endswith((".so", "modules")) or ".so." in file else "file (other)"
            if "lib" in kind and "libjvm" not in kind:
                kind = "file (other libraries)"
        else:
            kind = "C heap (malloc) and other anonymous"
        kinds[kind] = kinds.get(kind, 0) + rss
    return kinds


NMT_LINE = re.compile(r"^-\s+(.+?) \(reserved=(\d+)KB, committed=(\d+)KB[,)]")


def jcmd(pid, *command):
    tool = os.path.join(os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64"), "bin", "jcmd")
    return subprocess.run([tool, str(pid)] + list(command), capture_output=True, text=True, timeout=120).stdout


def nmt_summary(pid):
    """{category: (reserved KiB, committed KiB)} and the raw text of jcmd's summary."""
    text = jcmd(pid, "VM.native_memory", "summary")
    cats = {}
    for line in text.splitlines():
        m = NMT_LINE.match(line.strip())
        if m:
            cats[m.group(1).strip()] = (int(m.group(2)), int(m.group(3)))
    total = re.search(r"Total: reserved=(\d+)KB, committed=(\d+)KB", text)
    if total:
        cats["Total"] = (int(total.group(1)), int(total.group(2)))
    return cats, text


def boot(engine, memory, settle, nmt, timeout, extra_opts):
    env = dict(os.environ)
    opts = extra_opts + (["-XX:NativeMemoryTracking=summary"] if nmt else [])
    if opts:
        env["JVMM_JAVA_OPTS"] = " ".join(opts)
    start = time.monotonic()
    g = Guest(["--engine", engine, "--memory", memory], env)
    try:
        return measure(g, start, memory, settle, nmt, timeout)
    finally:
        if g.p.poll() is None:   # a failed measurement must not leave the guest running
            g.p.kill()
            g.p.wait()


def measure(g, start, memory, settle, nmt, timeout):
    deadline = start + timeout
    g.wait_for(PROMPT_LINE, deadline)
    mark = len(g.out)
    g.type("echo SHELL-$((20+22))")
    g.wait_for(b"SHELL-42", deadline, mark)
    booted = time.monotonic() - start
    time.sleep(settle)
    pid = g.p.pid  # the launcher execs java: same process
    result = {"engine": g.engine, "boot_s": booted, "status": status_kib(pid), "rollup": rollup_kib(pid),
              "ram": guest_ram(pid, size_bytes(memory))}
    result["rss_by_kind"] = rss_by_kind(pid, result["ram"]) if nmt else {}
    if nmt:
        result["nmt"], result["nmt_text"] = nmt_summary(pid)
        result["heap_text"] = jcmd(pid, "GC.heap_info")
        result["histogram"] = "\n".join(jcmd(pid, "GC.class_histogram").splitlines()[:14])
    g.type("poweroff")
    try:
        result["exit"] = g.p.wait(timeout=120)
    except subprocess.TimeoutExpired:
        g.p.kill()
        result["exit"] = "killed"
    return result


def mib(kib):
    return "%.1f" % (kib / 1024)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--engines", default="interp,jit")
    ap.add_argument("--memory", default="512M")
    ap.add_argument("--settle", type=float, default=5)
    ap.add_argument("--no-nmt", action="store_true")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--show-nmt", action="store_true", help="print jcmd's whole summary too")
    a = ap.parse_args()
    extra = os.environ.get("JVMM_JAVA_OPTS", "").split()
    rss_runs, nmt_runs = [], []
    for engine in a.engines.split(","):
        r = boot(engine, a.memory, a.settle, False, a.timeout, extra)
        print("%s: booted in %.1f s, exit %s" % (engine, r["boot_s"], r["exit"]), file=sys.stderr, flush=True)
        rss_runs.append(r)
        if not a.no_nmt:
            r = boot(engine, a.memory, a.settle, True, a.timeout, extra)
            print("%s (NMT): booted in %.1f s, exit %s" % (engine, r["boot_s"], r["exit"]), file=sys.stderr, flush=True)
            nmt_runs.append(r)

    print("## jvmm memory after boot to the shell (--memory %s, JVMM_JAVA_OPTS=%r), MiB" % (a.memory, " ".join(extra)))
    print()
    print("| engine | VmRSS | RssAnon | RssFile | Pss | VmHWM | guest RAM resident | overhead (VmRSS - guest) | threads | boot s | exit |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rss_runs:
        s, ro, ram = r["status"], r["rollup"], r["ram"]
        print("| %s | %s | %s | %s | %s | %s | %s | **%s** | %d | %.1f | %s |" % (
            r["engine"], mib(s["VmRSS"]), mib(s["RssAnon"]), mib(s["RssFile"]), mib(ro["Pss"]), mib(s["VmHWM"]),
            mib(ram["Rss"]), mib(s["VmRSS"] - ram["Rss"]), s["Threads"], r["boot_s"], r["exit"]))
    if nmt_runs:
        cats = []
        for r in nmt_runs:
            for c in r["nmt"]:
                if c not in cats:
                    cats.append(c)
        print()
        print("Native Memory Tracking (separate boots), committed MiB (reserved in parentheses where it bounds growth):")
        print()
        print("| category | " + " | ".join(r["engine"] for r in nmt_runs) + " |")
        print("| --- | " + " | ".join("---" for _ in nmt_runs) + " |")
        for c in cats:
            cells = []
            for r in nmt_runs:
                rc = r["nmt"].get(c)
                cells.append("" if rc is None else "%s (%s)" % (mib(rc[1]), mib(rc[0])))
            print("| %s | %s |" % (c, " | ".join(cells)))
        kinds = []
        for r in nmt_runs:
            for k in sorted(r["rss_by_kind"], key=lambda k: -r["rss_by_kind"][k]):
                if k not in kinds:
                    kinds.append(k)
        print()
        print("Resident MiB by what holds it (jcmd System.map, same boots):")
        print()
        print("| held by | " + " | ".join(r["engine"] for r in nmt_runs) + " |")
        print("| --- | " + " | ".join("---" for _ in nmt_runs) + " |")
        for k in kinds:
            print("| %s | %s |" % (k, " | ".join(mib(r["rss_by_kind"].get(k, 0)) for r in nmt_runs)))
        print()
        print("| VmRSS of that boot | " + " | ".join(mib(r["status"]["VmRSS"]) for r in nmt_runs) + " |")
        print("| guest RAM resident | " + " | ".join(mib(r["ram"]["Rss"]) for r in nmt_runs) + " |")
        print("| overhead (VmRSS - guest) | " + " | ".join(mib(r["status"]["VmRSS"] - r["ram"]["Rss"]) for r in nmt_runs) + " |")
        if a.show_nmt:
            for r in nmt_runs:
                print("\n### %s\n```\n%s\n%s\n%s```" % (r["engine"], r["heap_text"], r["histogram"], r["nmt_text"]))
    bad = [r for r in rss_runs + nmt_runs if r["exit"] != 0]
    if bad:
        sys.exit("a guest did not exit with status 0")


if __name__ == "__main__":
    main()

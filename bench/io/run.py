#!/usr/bin/env python3
"""Disk and network I/O benchmark: jvmm and QEMU side by side, same kernel, initramfs and disks.

Builds bench/io/iobench.c as a static riscv64 program, puts it with a /bench/run script into a
small newc cpio placed in front of jvmm's default initramfs (Linux unpacks concatenated
archives), and boots that with `jvmm.run=/bench/run`, which the default initramfs runs once the
network is up and then powers off. Each boot gets two fresh scratch disks, a raw one (vda on
jvmm) and a qcow2 one, told apart in the guest by their sizes, and user-mode networking; the
guest measures sequential and random I/O on both and TCP throughput to and from a sink this
script runs on 127.0.0.1 (the guest's 10.0.2.2). Boots alternate QEMU, jvmm, QEMU, ...; the
table shows the median over RUNS boots [min-max] and the jvmm/QEMU ratio of the medians.

usage: bench/io/run.sh [--runs N] [--disk-mib 64] [--ops 2000] [--net-mib 32] [--engine interp|jit]
Needs: ./jvmm image fetch done (the default guest, an initramfs with the jvmm.run hook; the
jar is jvmm-cli/target/jvmm-cli.jar unless --jar says otherwise), riscv64-linux-gnu-gcc, cpio, qemu-system-riscv64 and qemu-img, a JDK 25 (JAVA_HOME).
"""
import argparse, gzip, os, re, socket, socketserver, statistics, subprocess, sys, tempfile, threading, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
RAW_MIB, QCOW2_MIB = 96, 112  # different sizes so the guest can tell the disks apart


def cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "jvmm" / "debian-trixie-riscv64"


class Sink(socketserver.ThreadingTCPServer):
    """The host end: 'PUT n' counts n bytes and answers OK; 'GET n' sends n bytes; 'ECHO n' echoes n bytes."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SinkHandler)
        self.put_rates = []


class SinkHandler(socketserver.StreamRequestHandler):
    def handle(self):
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        words = self.rfile.readline(100).split()
        if len(words) != 2 or not words[1].isdigit():
            return
        verb, n = words[0], int(words[1])
        if verb == b"PUT":
            start, got = None, 0
            while got < n:
                chunk = self.rfile.read1(min(1 << 17, n - got))
                if not chunk:
                    break
                start = start or time.monotonic()
                got += len(chunk)
            if start:
                self.server.put_rates.append(got / (1 << 20) / max(time.monotonic() - start, 1e-9))
            self.wfile.write(b"OK %d\n" % got)
        elif verb == b"GET":
            block = b"\xa5" * (1 << 17)
            sent = 0
            while sent < n:
                k = min(len(block), n - sent)
                self.wfile.write(block[:k])
                sent += k
        elif verb == b"ECHO":
            for _ in range(n):
                b = self.rfile.read(1)
                if not b:
                    break
                self.wfile.write(b)
                self.wfile.flush()


def build_guest_program(work):
    out = work / "iobench"
    subprocess.run(["riscv64-linux-gnu-gcc", "-static", "-O2", "-Wall", "-o", str(out), str(HERE / "iobench.c")],
                   check=True)
    return out


def make_initrd(work, program, port, a):
    """The bench cpio (uncompressed, first) followed by the default gzip'ed initramfs."""
    default = cache_dir() / "initramfs.cpio.gz"
    if not default.exists():
        sys.exit("no default initramfs in %s: run ./jvmm image fetch first" % default.parent)
    if b"jvmm.run=" not in gzip.decompress(default.read_bytes()):
        sys.exit("%s has no jvmm.run hook: it is from an older jvmm; run ./jvmm image fetch --force" % default)
    root = work / "root" / "bench"
    root.mkdir(parents=True)
    (root / "iobench").write_bytes(program.read_bytes())
    script = f"""#!/bin/sh
# bench/io's guest side (generated): every disk, then the network; results are IOBENCH lines.
echo "IOBENCH-BEGIN $(uname -r)"
for d in /sys/block/vd*; do
    [ -e "$d" ] || continue
    case $(( $(cat "$d/size") / 2048 )) in
        {RAW_MIB}) label=raw ;;
        {QCOW2_MIB}) label=qcow2 ;;
        *) continue ;;
    esac
    echo "IOBENCH-DISK ${{d##*/}} $label"
    /bench/iobench disk "/dev/${{d##*/}}" {a.disk_mib} {a.ops}
done
/bench/iobench tcp 10.0.2.2 {port} {a.net_mib} {a.round_trips}
echo IOBENCH-END
"""
    (root / "run").write_text(script)
    os.chmod(root / "run", 0o755)
    os.chmod(root / "iobench", 0o755)
    extra = subprocess.run("find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0", shell=True,
                           cwd=root.parent, stdout=subprocess.PIPE, check=True).stdout
    out = work / "initrd"
    out.write_bytes(extra + default.read_bytes())
    return out


def fresh_disks(work):
    raw, qcow2 = work / "scratch.raw", work / "scratch.qcow2"
    for f in (raw, qcow2):
        f.unlink(missing_ok=True)
    with open(raw, "wb") as f:
        f.truncate(RAW_MIB << 20)
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(qcow2), "%dM" % QCOW2_MIB], check=True)
    return raw, qcow2


def boot(cmd, log, timeout):
    """Runs one boot; returns (wall seconds, {(subject, test): value}, units), or None if it did not complete."""
    start = time.monotonic()
    status = "timed out after %d s" % timeout
    with open(log, "wb") as out:
        try:
            status = "exit %d" % subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                                timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            pass  # run() has killed it
    wall = time.monotonic() - start
    text = Path(log).read_text(errors="replace")
    if "IOBENCH-END" not in text or "IOBENCH error" in text:
        tail = "\n".join(l for l in text.splitlines() if l.startswith("IOBENCH"))[-1500:]
        print("  FAILED (%s), left out; console log %s; its last results:\n%s" % (status, log, tail),
              file=sys.stderr, flush=True)
        return None
    labels, results, units = {}, {}, {}
    for line in text.splitlines():
        line = line.strip()
        m = re.match(r"IOBENCH-DISK (\S+) (\S+)$", line)
        if m:
            labels[m.group(1)] = m.group(2)
            continue
        m = re.match(r"IOBENCH (\S+) (\S+) ([0-9.]+) (\S+)$", line)
        if m:
            subject = labels.get(m.group(1), m.group(1))
            results[(subject, m.group(2))] = float(m.group(3))
            units[(subject, m.group(2))] = m.group(4)
    return wall, results, units


def fmt(xs):
    if len(xs) == 1:
        return "%.1f" % xs[0]
    return "%.1f [%.1f-%.1f]" % (statistics.median(xs), min(xs), max(xs))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--disk-mib", type=int, default=64)
    ap.add_argument("--ops", type=int, default=2000)
    ap.add_argument("--net-mib", type=int, default=32)
    ap.add_argument("--round-trips", type=int, default=200)
    ap.add_argument("--engine", default="interp")
    ap.add_argument("--memory", default="512M")
    ap.add_argument("--jar", default=str(REPO / "jvmm-cli/target/jvmm-cli.jar"))
    ap.add_argument("--only", choices=["qemu", "jvmm"], help="boot only this VMM")
    ap.add_argument("--timeout", type=int, default=600, help="seconds a boot may take before it is killed")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (console logs)")
    a = ap.parse_args()
    if a.disk_mib > min(RAW_MIB, QCOW2_MIB):
        sys.exit("--disk-mib must be at most %d" % min(RAW_MIB, QCOW2_MIB))

    work = Path(tempfile.mkdtemp(prefix="jvmm-iobench-"))
    sink = Sink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    port = sink.server_address[1]
    kernel = cache_dir() / "Image"
    initrd = make_initrd(work, build_guest_program(work), port, a)
    append = "console=ttyS0 quiet jvmm.run=/bench/run"
    java = os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64") + "/bin/java"

    def jvmm(raw, qcow2):
        cmd = [java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-jar", a.jar, "run",
               "--kernel", str(kernel), "--initrd", str(initrd), "--append", append, "--memory", a.memory,
               "--drive", "%s,format=raw" % raw, "--drive", "%s,format=qcow2" % qcow2, "--net", "user"]
        return cmd + (["--engine", a.engine] if a.engine != "interp" else [])

    def qemu(raw, qcow2):
        return ["qemu-system-riscv64", "-M", "virt", "-m", a.memory, "-smp", "1", "-nographic", "-bios", "default",
                "-kernel", str(kernel), "-initrd", str(initrd), "-append", append,
                "-drive", "file=%s,if=none,id=d0,format=raw" % raw, "-device", "virtio-blk-device,drive=d0",
                "-drive", "file=%s,if=none,id=d1,format=qcow2" % qcow2, "-device", "virtio-blk-device,drive=d1",
                "-netdev", "user,id=n0", "-device", "virtio-net-device,netdev=n0"]

    vmms = {"qemu": qemu, "jvmm": jvmm}
    if a.only:
        vmms = {a.only: vmms[a.only]}
    results = {k: [] for k in vmms}
    walls = {k: [] for k in vmms}
    units = {}
    loads = []
    failed = []
    for run in range(a.runs):
        for name, command in vmms.items():
            raw, qcow2 = fresh_disks(work)
            loads.append(os.getloadavg()[0])
            log = work / ("%s-%d.log" % (name, run + 1))
            print("run %d/%d: %s ..." % (run + 1, a.runs, name), file=sys.stderr, flush=True)
            sink.put_rates.clear()
            outcome = boot(command(raw, qcow2), log, a.timeout)
            if outcome is None:
                failed.append(log.name)
                continue
            wall, r, u = outcome
            if sink.put_rates:
                key = ("tcp", "guest-to-host-at-host")
                r[key], u[key] = sink.put_rates[-1], "MiB/s"
            walls[name].append(wall)
            results[name].append(r)
            units.update(u)
            print("  %.0f s: %s" % (wall, ", ".join("%s %s %.1f" % (s, t, v) for (s, t), v in sorted(r.items())
                                                        if t != "size")), file=sys.stderr, flush=True)
    sink.shutdown()

    if any(not results[n] for n in vmms):
        sys.exit("no complete boot of %s; console logs in %s" % (", ".join(n for n in vmms if not results[n]), work))
    print("I/O benchmark, complete boots: %s; %s engine, -m %s; %d MiB sequential in 1 MiB blocks, %d random 4 KiB"
          " ops, %d MiB over TCP; median [min-max]; load average %.1f-%.1f while running"
          % (", ".join("%s %d" % (n, len(results[n])) for n in vmms), a.engine, a.memory, a.disk_mib, a.ops, a.net_mib, min(loads), max(loads)))
    names = list(vmms)
    header = "| test | unit | " + " | ".join(names) + (" | jvmm/QEMU |" if len(names) == 2 else " |")
    print(header)
    print("|" + " --- |" * (header.count("|") - 1))
    order = ["seq-write", "seq-read", "rand-read-4k", "rand-write-4k",
             "guest-to-host", "guest-to-host-at-host", "host-to-guest", "round-trip"]
    keys = sorted((k for k in units if k[1] in order),
                  key=lambda k: (["raw", "qcow2", "tcp"].index(k[0]) if k[0] in ("raw", "qcow2", "tcp") else 3,
                                 order.index(k[1])))
    for key in keys:
        cols = [[r[key] for r in results[n] if key in r] for n in names]
        row = "| %s %s | %s | " % (key[0], key[1], units[key]) + " | ".join(fmt(c) if c else "-" for c in cols)
        if len(names) == 2 and all(cols):
            row += " | %.2f" % (statistics.median(cols[1]) / statistics.median(cols[0]))
        print(row + " |")
    print("| boot wall time (whole run) | s | " + " | ".join(fmt(walls[n]) for n in names)
          + (" | %.2f |" % (statistics.median(walls["jvmm"]) / statistics.median(walls["qemu"])) if len(names) == 2 else " |"))
    mismatches = {n: sum(r.get((s, "seq-read-mismatches"), 0) for r in results[n] for s in ("raw", "qcow2"))
                  for n in names}
    print("sequential-read blocks that did not hold what was written: %s" % mismatches)
    if failed:
        print("left out (did not complete): %s" % ", ".join(failed))
    if a.keep or failed:
        print("console logs in %s" % work)
    else:
        subprocess.run(["rm", "-rf", str(work)])


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Startup benchmark: jvmm's launcher with and without its startup (AOT) cache.

For each engine it runs, interleaved, RUNS times per variant:
  bare    a 104-byte RISC-V Image that prints "K" on the UART and powers off: the time to its
          output is the JVM's start, the command line, the board's assembly and the first guest
          instructions ("time to the first guest instruction");
  marker  Debian's kernel with a busybox initramfs whose /init prints BOOT-OK and powers off
          (the approach of bench/boot-to-marker.py), console=ttyS0 quiet, --memory 512M.
It prints medians [min-max] of the wall time to the output and to the process's exit, and the
process's CPU time (user+sys, including the JVM's compiler threads).

A variant is NAME or NAME:ENV, ENV being ';'-separated VAR=VALUE settings for the launcher:
  --variant nocache:JVMM_AOT=0 --variant aot
  --variant 'other:JVMM_AOT=0;JVMM_JAVA_OPTS=-XX:AOTCache=/tmp/other.aot -Xlog:aot*=off'
(the defaults). Each launcher run must find the jar built and, for the aot variant, its
startup cache prepared (run ./jvmm --version once first).

usage: bench/memory/startup.py [--runs N] [--engines interp,jit] [--cases bare,marker] [--variant ...]
"""
import argparse, os, resource, shutil, statistics, struct, subprocess, sys, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent.parent
INIT = """#!/bin/busybox sh
/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null
/bin/busybox mount -t proc proc /proc
echo "BOOT-OK $(/bin/busybox cat /proc/uptime)"
/bin/busybox poweroff -f
"""


def cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "jvmm" / "debian-trixie-riscv64"


def make_initrd(work):
    root = work / "root"
    for d in ("bin", "dev", "proc"):
        (root / d).mkdir(parents=True)
    shutil.copy(cache_dir() / "busybox", root / "bin" / "busybox")
    (root / "init").write_text(INIT)
    os.chmod(root / "init", 0o755)
    os.chmod(root / "bin" / "busybox", 0o755)
    out = work / "boot.cpio"
    with open(out, "wb") as f:
        subprocess.run("find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0",
                       shell=True, cwd=root, stdout=f, check=True)
    return out


def make_bare(work):
    """A Linux RISC-V Image header (so jvmm loads it as a kernel) and ten instructions."""
    code = [0x100002b7,  # lui  t0, 0x10000      UART0
            0x04b00313,  # li   t1, 'K'
            0x00628023,  # sb   t1, 0(t0)
            0x00a00313,  # li   t1, '\n'
            0x00628023,  # sb   t1, 0(t0)
            0x001002b7,  # lui  t0, 0x100        syscon
            0x00005337,  # lui  t1, 0x5
            0x55530313,  # addi t1, t1, 0x555    poweroff
            0x0062a023,  # sw   t1, 0(t0)
            0x0000006f]  # j    .
    body = struct.pack("<%dI" % len(code), *code)
    header = bytearray(64)
    struct.pack_into("<I", header, 0, 0x0400006f)  # j +64: over the header
    struct.pack_into("<Q", header, 8, 0x200000)     # text_offset
    struct.pack_into("<Q", header, 16, 64 + len(body))  # image_size
    header[0x38:0x3c] = b"RSC\x05"
    out = work / "bare.Image"
    out.write_bytes(bytes(header) + body)
    return out


def timed(cmd, env, marker):
    """(wall to marker, wall to exit, cpu seconds) of one run."""
    start = time.monotonic()
    p = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    seen = None
    buf = b""
    while True:
        chunk = p.stdout.read1(4096)
        if not chunk:
            break
        buf += chunk
        if seen is None and marker in buf:
            seen = time.monotonic() - start
    _, status, usage = os.wait4(p.pid, 0)
    end = time.monotonic() - start
    p.returncode = os.waitstatus_to_exitcode(status)
    if seen is None or p.returncode != 0:
        sys.exit("no %r or status %s from: %s\n%s" % (marker, p.returncode, " ".join(cmd),
                                                      buf[-2000:].decode(errors="replace")))
    return seen, end, usage.ru_utime + usage.ru_stime


def fmt(xs):
    return "%.2f [%.2f-%.2f]" % (statistics.median(xs), min(xs), max(xs))


def parse_variant(text):
    name, _, envs = text.partition(":")
    env = dict(kv.split("=", 1) for kv in envs.split(";") if kv) if envs else {}
    return name, env


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--engines", default="interp,jit")
    ap.add_argument("--cases", default="bare,marker")
    ap.add_argument("--variant", action="append")
    ap.add_argument("--launcher", default=str(HERE / "jvmm"))
    a = ap.parse_args()
    variants = [parse_variant(v) for v in (a.variant or ["nocache:JVMM_AOT=0", "aot"])]
    with tempfile.TemporaryDirectory() as t:
        work = Path(t)
        cases = {}
        if "bare" in a.cases.split(","):
            cases["bare"] = (["--kernel", str(make_bare(work))], b"K")
        if "marker" in a.cases.split(","):
            cases["marker"] = (["--kernel", str(cache_dir() / "Image"), "--initrd", str(make_initrd(work)),
                                "--append", "console=ttyS0 quiet", "--memory", "512M"], b"BOOT-OK")
        res = {}
        for case, (args, marker) in cases.items():
            for engine in a.engines.split(","):
                cmd = [a.launcher, "run", "--engine", engine] + args
                for _ in range(a.runs):
                    for name, env in variants:
                        r = timed(cmd, dict(os.environ, **env), marker)
                        res.setdefault((case, engine, name), []).append(r)
                        print("%s %s %s: %.2f %.2f %.2f" % ((case, engine, name) + r), file=sys.stderr, flush=True)
    print("startup, %d runs each, interleaved; seconds, median [min-max]; the ratios are medians of the"
          " ratios of each run to the %s run just before it (same load)" % (a.runs, variants[0][0]))
    print("| case | engine | variant | wall to output | wall to exit | CPU (user+sys) | ratio wall to output | ratio CPU |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for (case, engine, name), rs in res.items():
        base = res[(case, engine, variants[0][0])]
        ratio = lambda i: "%.2f" % statistics.median([r[i] / b[i] for r, b in zip(rs, base)])
        print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            case, engine, name, fmt([r[0] for r in rs]), fmt([r[1] for r in rs]), fmt([r[2] for r in rs]),
            ratio(0), ratio(2)))


main()

#!/usr/bin/env python3
"""Boot-to-marker benchmark: jvmm and QEMU side by side, same kernel, initramfs and memory.

Builds an initramfs whose /init prints BOOT-OK and powers off, then boots it RUNS times on
each VMM (interleaved, after one warm-up each) and prints the median and range of the host
wall time from process start to the marker and to process exit, with the jvmm/QEMU ratio.

usage: bench/boot-to-marker.py [--runs N] [--engine interp|jit] [--memory 512M]
Needs: ./jvmm image fetch done (the default guest), qemu-system-riscv64, opensbi, cpio.
"""
import argparse, os, shutil, statistics, subprocess, sys, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
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
        find = subprocess.run("find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0",
                              shell=True, cwd=root, stdout=f, check=True)
    return out

def timed(cmd):
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    marker = None
    buf = b""
    while True:
        chunk = p.stdout.read1(4096)
        if not chunk:
            break
        buf += chunk
        if marker is None and b"BOOT-OK" in buf:
            marker = time.monotonic() - start
    p.wait()
    end = time.monotonic() - start
    if marker is None:
        sys.exit("no BOOT-OK from: %s\n%s" % (" ".join(cmd), buf[-2000:].decode(errors="replace")))
    return marker, end

def fmt(xs):
    return "%.2f [%.2f-%.2f]" % (statistics.median(xs), min(xs), max(xs))

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--engine", default="interp")
    ap.add_argument("--memory", default="512M")
    a = ap.parse_args()
    kernel = cache_dir() / "Image"
    with tempfile.TemporaryDirectory() as t:
        initrd = make_initrd(Path(t))
        append = "console=ttyS0 quiet"
        java = os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64") + "/bin/java"
        jvmm = [java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-jar",
                str(HERE / "jvmm-cli/target/jvmm-cli.jar"), "run", "--kernel", str(kernel),
                "--initrd", str(initrd), "--append", append, "--memory", a.memory]
        if a.engine != "interp":
            jvmm += ["--engine", a.engine]
        qemu = ["qemu-system-riscv64", "-M", "virt", "-m", a.memory, "-smp", "1", "-nographic",
                "-bios", "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin",
                "-kernel", str(kernel), "-initrd", str(initrd), "-append", append]
        timed(jvmm); timed(qemu)  # warm-up: page cache, JIT-less first start
        res = {"jvmm": [], "qemu": []}
        for _ in range(a.runs):
            res["jvmm"].append(timed(jvmm))
            res["qemu"].append(timed(qemu))
    print("boot to marker, %d runs each, %s, -m %s; seconds, median [min-max]" % (a.runs, a.engine, a.memory))
    print("| vmm | wall to BOOT-OK | wall to exit |")
    print("| --- | --- | --- |")
    for k in ("jvmm", "qemu"):
        print("| %s | %s | %s |" % (k, fmt([m for m, _ in res[k]]), fmt([e for _, e in res[k]])))
    r = statistics.median([m for m, _ in res["jvmm"]]) / statistics.median([m for m, _ in res["qemu"]])
    print("ratio jvmm/qemu (median to BOOT-OK): %.2f" % r)

main()

#!/usr/bin/env python3
"""Boot-to-marker benchmark: jvmm (each engine) and QEMU side by side, same kernel, initramfs and memory.

Builds an initramfs (Debian's static busybox from jvmm's cache) whose /init prints BOOT-OK with
the guest's uptime and powers off, and boots Debian's kernel with it, `console=ttyS0 quiet`, one
hart, on qemu-system-riscv64 -M virt and on jvmm with each engine: one warm-up boot each, then
RUNS rounds of QEMU, jvmm interp, jvmm jit, ... (interleaved). Prints the median [min-max] of the
host wall time from process start to the marker and to process exit, the guest's own uptime at
the marker, and each engine's ratio to QEMU (of the medians).

usage: bench/boot-to-marker.py [--runs 5] [--engines interp,jit] [--memory 512M] [--jar JAR]
                               [--json FILE] [--timeout SECONDS]
Needs: qemu-system-riscv64 (Debian's opensbi for fw_jump.bin, else QEMU's own firmware), a JDK 25
(JAVA_HOME, else /usr/lib/jvm/temurin-25-jdk-amd64), the guest files in jvmm's cache (fetched with
./jvmm image fetch when missing). jvmm runs through ./jvmm (JVMM_JAVA_OPTS reaches its JVM) unless
--jar is given; it uses its built-in SBI, QEMU OpenSBI.
"""
import argparse, json, os, re, sys, tempfile, time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))
import initramfs, vmms  # noqa: E402

INIT = """#!/bin/busybox sh
# boot-to-marker's /init: the marker with the guest's uptime, as early as possible; then off.
/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null
/bin/busybox mount -t proc proc /proc
echo "BOOT-OK $(/bin/busybox cat /proc/uptime)"
/bin/busybox poweroff -f
"""
UPTIME = re.compile(r"BOOT-OK ([0-9.]+)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--engines", "--engine", default="interp,jit", help="jvmm engines, comma-separated")
    ap.add_argument("--memory", default="512M")
    ap.add_argument("--jar", help="run this jvmm jar with java instead of the ./jvmm launcher")
    ap.add_argument("--json", help="write the raw numbers here")
    ap.add_argument("--timeout", type=float, default=600, help="seconds a boot may take")
    a = ap.parse_args()
    engines = [e for e in a.engines.split(",") if e]
    if a.runs < 1 or not engines or any(e not in vmms.ENGINES for e in engines):
        ap.error("--runs must be positive, --engines from %s" % ",".join(vmms.ENGINES))

    kernel, busybox = vmms.guest_files()
    vmms.prepare_jvmm(a.jar)
    append = "console=ttyS0 quiet"
    started = time.monotonic()
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="jvmm-boot-") as t:
        work = Path(t)
        initrd = initramfs.busybox_initramfs(work / "boot.cpio", busybox, INIT)
        commands = {"QEMU": vmms.qemu_cmd(kernel, initrd, a.memory, append)}
        for e in engines:
            commands["jvmm " + e] = vmms.jvmm_cmd(e, kernel, initrd, a.memory, append, a.jar)
        res = {name: [] for name in commands}

        def boot(name, what):
            log = work / "last.log"
            b = vmms.measured_boot(commands[name], [b"BOOT-OK"], log, a.timeout)
            if not b.ok or vmms.launcher_worked(b.text):
                sys.exit("%s (%s): no clean boot to BOOT-OK (status %s):\n%s" % (name, what, b.status, b.text[-2000:]))
            m = UPTIME.search(b.text)
            return {"marker_s": b.markers[b"BOOT-OK"], "exit_s": b.wall, "uptime_s": float(m.group(1)) if m else None}

        for name in commands:  # warm-up: page cache, first start of each binary
            print("warm-up: %s ..." % name, file=sys.stderr, flush=True)
            boot(name, "warm-up")
        for i in range(a.runs):
            for name in commands:
                loads.append(os.getloadavg()[0])
                r = boot(name, "run %d" % (i + 1))
                res[name].append(r)
                print("run %d/%d: %s %.2f s to BOOT-OK, %.2f s to exit" % (i + 1, a.runs, name, r["marker_s"],
                                                                        r["exit_s"]), file=sys.stderr, flush=True)
    loads.append(os.getloadavg()[0])

    names = list(commands)
    jvmm_names = [n for n in names if n != "QEMU"]
    header = ["figure, s"] + names + ["%s/QEMU" % n.split()[-1] for n in jvmm_names]
    rows = []
    for title, key in (("wall to BOOT-OK", "marker_s"), ("wall to exit", "exit_s"),
                       ("guest uptime at BOOT-OK", "uptime_s")):
        col = {n: [r[key] for r in res[n] if r[key] is not None] for n in names}
        rows.append([title] + [vmms.fmt(col[n], 2) for n in names] + [vmms.ratio(col[n], col["QEMU"]) for n in jvmm_names])
    print("boot to marker %s: %d run(s) each (after 1 warm-up), interleaved; -m %s, 1 hart, '%s'; QEMU -bios %s, "
          "jvmm built-in SBI; load average %.1f-%.1f; %.0f s in all" % (
              time.strftime("%Y-%m-%d %H:%M"), a.runs, a.memory, append, Path(vmms.qemu_bios()).name,
              min(loads), max(loads), time.monotonic() - started))
    print("median [min-max]; ratios of the medians")
    print(vmms.table(header, rows))
    if a.json:
        Path(a.json).write_text(json.dumps({
            "date": time.strftime("%Y-%m-%dT%H:%M:%S"), "runs": a.runs, "memory": a.memory, "append": append,
            "qemu_bios": vmms.qemu_bios(), "commands": commands, "load_average": loads, "results": res,
            "summary": {n: {k: vmms.stats([r[k] for r in res[n] if r[k] is not None])
                            for k in ("marker_s", "exit_s", "uptime_s")} for n in names}}, indent=1) + "\n")
        print("raw numbers in %s" % a.json)


if __name__ == "__main__":
    main()

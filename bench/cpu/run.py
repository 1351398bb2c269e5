#!/usr/bin/env python3
"""CPU benchmark: cpubench natively, on QEMU TCG and on jvmm side by side, same kernel and initramfs.

Builds bench/cpu/cpubench.c for the host (gcc) and as a static riscv64 program
(riscv64-linux-gnu-gcc), both -O2 -ffp-contract=off, runs the host build RUNS times (one process
each), then boots Debian's kernel from jvmm's cache with a busybox initramfs whose /init
(bench/cpu/init.sh) runs cpubench RUNS times in one boot and powers off: on qemu-system-riscv64
-M virt and on jvmm with each engine asked for, all with the same kernel, initramfs, command line
(console=ttyS0 quiet bench_runs=RUNS bench_scale=SCALE), memory and one hart. With --boots B
this is repeated B times, the VMMs interleaved (QEMU, jvmm, QEMU, jvmm, ...).

Per-kernel times are cpubench's own (the guest's CLOCK_MONOTONIC around each timed region); each
cell is the median [min-max] over all runs of all boots, in ms. Every checksum of every run must
equal the native one: otherwise, or if a boot does not complete, the script says so and exits 1.
Also shown: the host wall time from process start to BOOT-OK and to exit (the whole guest run).

usage: bench/cpu/run.sh [--runs N] [--scale S] [--engines jit,interp] [--boots B] [--json FILE]
                        [--memory 512M] [--jar JAR] [--timeout SECONDS] [--keep]
Needs: gcc, riscv64-linux-gnu-gcc (static libc: libc6-dev-riscv64-cross), qemu-system-riscv64
(Debian's opensbi for fw_jump.bin, else QEMU's own firmware), a JDK 25, and the guest files in
jvmm's cache (fetched with ./jvmm image fetch when missing).
"""
import argparse, json, os, re, shutil, subprocess, sys, tempfile, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.dont_write_bytecode = True  # no __pycache__ in the tree
sys.path.insert(0, str(HERE.parent / "lib"))
import initramfs, vmms  # noqa: E402

KERNELS = ["hash", "qsort", "chase", "nbody", "matmul", "string", "interp"]
LINE = re.compile(r"^(\w+)\s+([0-9.]+) ms\s+checksum ([0-9a-f]{16})\s*$")
CFLAGS = ["-O2", "-ffp-contract=off", "-Wall", "-Wextra"]
NAMES = {"qemu": "QEMU", "native": "native"}


def label(platform):
    return NAMES.get(platform, platform.replace("jvmm-", "jvmm "))


def parse_runs(text):
    """cpubench's output, possibly several runs, as [{kernel: (ms, checksum)}]."""
    runs = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("cpubench v1"):
            runs.append({})
            continue
        m = LINE.match(line)
        if m and runs:
            runs[-1][m.group(1)] = (float(m.group(2)), m.group(3))
    return runs


def build(work):
    host, guest = work / "cpubench", work / "cpubench.rv64"
    src = str(HERE / "cpubench.c")
    subprocess.run(["gcc"] + CFLAGS + ["-o", str(host), src, "-lm"], check=True)
    subprocess.run(["riscv64-linux-gnu-gcc"] + CFLAGS + ["-static", "-o", str(guest), src, "-lm"], check=True)
    return host, guest


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="cpubench runs inside each boot, and native runs")
    ap.add_argument("--scale", default="1", help="cpubench's SCALE (work multiplier)")
    ap.add_argument("--engines", default="jit", help="jvmm engines, comma-separated: jit,interp")
    ap.add_argument("--boots", type=int, default=1, help="boots per VMM (interleaved)")
    ap.add_argument("--memory", default="512M")
    ap.add_argument("--json", help="write the raw numbers here")
    ap.add_argument("--jar", help="run this jvmm jar with java instead of the ./jvmm launcher")
    ap.add_argument("--timeout", type=float, help="seconds a boot may take (default 300 + 600 x runs x scale)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (console logs, initramfs)")
    a = ap.parse_args()
    scale = float(a.scale)
    engines = [e for e in a.engines.split(",") if e]
    if a.runs < 1 or a.boots < 1 or scale <= 0 or not engines or any(e not in vmms.ENGINES for e in engines):
        ap.error("--runs and --boots must be positive, --scale > 0, --engines from %s" % ",".join(vmms.ENGINES))
    timeout = a.timeout or 300 + 600 * a.runs * scale

    kernel, busybox = vmms.guest_files()
    vmms.prepare_jvmm(a.jar)
    work = Path(tempfile.mkdtemp(prefix="jvmm-cpubench-"))
    started = time.monotonic()
    loads = [os.getloadavg()[0]]
    errors = []
    host_bin, guest_bin = build(work)

    # Native first: its checksums are the reference for every guest run.
    results = {"native": {"runs": [], "walls": []}}
    for i in range(a.runs):
        t0 = time.monotonic()
        r = subprocess.run([str(host_bin), a.scale], stdin=subprocess.DEVNULL, capture_output=True, text=True)
        wall = time.monotonic() - t0
        runs = parse_runs(r.stdout)
        if r.returncode != 0 or len(runs) != 1:
            sys.exit("native cpubench failed (%d):\n%s%s" % (r.returncode, r.stdout, r.stderr))
        results["native"]["runs"] += runs
        results["native"]["walls"].append(wall)
        print("native run %d/%d: %.2f s" % (i + 1, a.runs, wall), file=sys.stderr, flush=True)
    reference = {k: cs for k, (_, cs) in results["native"]["runs"][0].items()}
    if sorted(reference) != sorted(KERNELS):
        sys.exit("native cpubench printed kernels %s, expected %s" % (sorted(reference), KERNELS))

    initrd = initramfs.busybox_initramfs(work / "cpubench.cpio", busybox, (HERE / "init.sh").read_text(),
                                         {"cpubench": guest_bin})
    append = "console=ttyS0 quiet bench_runs=%d bench_scale=%s" % (a.runs, a.scale)
    commands = {"qemu": vmms.qemu_cmd(kernel, initrd, a.memory, append)}
    for e in engines:
        commands["jvmm-" + e] = vmms.jvmm_cmd(e, kernel, initrd, a.memory, append, a.jar)
    for p in commands:
        results[p] = {"runs": [], "boots": [], "wrong_runs": []}

    for b in range(a.boots):
        for platform, cmd in commands.items():
            loads.append(os.getloadavg()[0])
            log = work / ("%s-%d.log" % (platform, b + 1))
            print("boot %d/%d: %s ..." % (b + 1, a.boots, label(platform)), file=sys.stderr, flush=True)
            boot = vmms.measured_boot(cmd, [b"BOOT-OK", b"CPUBENCH-DONE"], log, timeout)
            runs = parse_runs(boot.text)
            complete = [r for r in runs if sorted(r) == sorted(KERNELS)]
            problems = []
            if vmms.launcher_worked(boot.text):
                problems.append("the launcher rebuilt jvmm or its startup cache during the boot, twice")
            if not boot.ok:
                problems.append("status %s, BOOT-OK %s, CPUBENCH-DONE %s" % (
                    boot.status, "seen" if boot.markers[b"BOOT-OK"] else "missing",
                    "seen" if boot.markers[b"CPUBENCH-DONE"] else "missing"))
            if "CPUBENCH-FAILED" in boot.text or len(complete) != a.runs:
                problems.append("%d of %d cpubench runs complete" % (len(complete), a.runs))
            good = []
            for i, r in enumerate(complete):
                bad = {k: cs for k, (_, cs) in r.items() if cs != reference[k]}
                if bad:
                    problems.append("CHECKSUM MISMATCH in run %d: %s (native: %s)" % (
                        i + 1, ", ".join("%s %s" % kv for kv in bad.items()),
                        ", ".join("%s %s" % (k, reference[k]) for k in bad)))
                    results[platform]["wrong_runs"].append({k: list(v) for k, v in r.items()})
                else:
                    good.append(r)
            for p in problems:
                errors.append("%s boot %d: %s (console log %s)" % (label(platform), b + 1, p, log))
            # Only runs that computed the right results count in the figures.
            results[platform]["runs"] += [{k: ms for k, (ms, _) in r.items()} for r in good]
            results[platform]["boots"].append({"wall_s": boot.wall, "boot_ok_s": boot.markers[b"BOOT-OK"],
                                               "done_s": boot.markers[b"CPUBENCH-DONE"], "status": boot.status,
                                               "complete_runs": len(complete), "log": log.name})
            print("  %.1f s, %d run(s) complete%s" % (boot.wall, len(complete), "; " + "; ".join(problems)
                                                   if problems else ""), file=sys.stderr, flush=True)
    results["native"]["runs"] = [{k: ms for k, (ms, _) in r.items()} for r in results["native"]["runs"]]
    loads.append(os.getloadavg()[0])

    # The table: one column per platform, ratios of medians against QEMU and native.
    platforms = ["native"] + list(commands)
    jvmm_platforms = [p for p in commands if p.startswith("jvmm-")]
    header = ["kernel"] + [label(p) for p in platforms]
    for p in jvmm_platforms:
        header += ["%s/QEMU" % label(p).split()[-1], "%s/native" % label(p).split()[-1]]

    def series(p, k):
        runs = results[p]["runs"]
        return [sum(r[x] for x in KERNELS) for r in runs] if k == "TOTAL" else [r[k] for r in runs]

    rows = []
    for k in KERNELS + ["TOTAL"]:
        row = [k] + [vmms.fmt(series(p, k)) for p in platforms]
        for p in jvmm_platforms:
            row += [vmms.ratio(series(p, k), series("qemu", k)), vmms.ratio(series(p, k), series("native", k))]
        rows.append(row)

    def walls(p, key):
        if p == "native":
            return results[p]["walls"] if key == "wall_s" else []
        return [x[key] for x in results[p]["boots"] if x[key] is not None and x["status"] == 0]

    for title, key in (("boot to BOOT-OK, s", "boot_ok_s"), ("whole guest run, s", "wall_s")):
        row = [title] + [vmms.fmt(walls(p, key), 2) if walls(p, key) else "-" for p in platforms]
        for p in jvmm_platforms:
            row += [vmms.ratio(walls(p, key), walls("qemu", key)), "-"]
        rows.append(row)

    print()
    if errors:
        print("*** NOT VALID: %d problem(s), listed at the end; runs with a wrong checksum are left out ***" % len(errors))
    print("cpubench %s, scale %s, %d run(s) in each of %d boot(s) per VMM; -m %s, 1 hart; QEMU -bios %s; "
          "load average %.1f-%.1f; %.0f s in all" % (time.strftime("%Y-%m-%d %H:%M"), a.scale, a.runs, a.boots,
                                                     a.memory, Path(vmms.qemu_bios()).name, min(loads),
                                                     max(loads), time.monotonic() - started))
    print("per-kernel timed regions in ms (guest clock), median [min-max]; ratios of medians. "
          "Whole guest run = host wall time from process start to exit (boot + %d run(s) + power-off); "
          "native: one run's process." % a.runs)
    print(vmms.table(header, rows))
    ok = not errors
    print("checksums: %s" % ("all %d guest runs equal the native ones" % sum(len(results[p]["runs"])
                                                                           for p in commands) if ok else "see below"))

    if a.json:
        summary = {k: {p: vmms.stats(series(p, k)) for p in platforms} for k in KERNELS + ["TOTAL"]}
        doc = {"date": time.strftime("%Y-%m-%dT%H:%M:%S"), "scale": scale, "runs": a.runs, "boots": a.boots,
               "memory": a.memory, "engines": engines, "qemu_bios": vmms.qemu_bios(), "append": append,
               "commands": {p: c for p, c in commands.items()}, "load_average": loads,
               "checksums": reference, "ok": ok, "errors": errors, "results": results, "summary_ms": summary}
        Path(a.json).write_text(json.dumps(doc, indent=1) + "\n")
        print("raw numbers in %s" % a.json)
    if errors:
        print("\nFAILED:", file=sys.stderr)
        for e in errors:
            print("  " + e, file=sys.stderr)
        print("console logs in %s" % work, file=sys.stderr)
        sys.exit(1)
    if a.keep:
        print("console logs in %s" % work)
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""What one translated block costs the JVM, and what a full translator cache would cost.

Boots the default guest once with the interpreter (the baseline) and once with the translator
(--engine jit), both with -XX:NativeMemoryTracking=summary, to the shell; the translator's guest
optionally runs a workload (--workload, a shell line) to compile more blocks; then, for the
translator, measures twice: as booted, and after a full GC (`jcmd GC.run`), which unloads the
hidden classes of dropped blocks and frees compiled code that was replaced (a block is first
compiled by C1 with profiling, tier 3, then by C2, tier 4; the tier-3 code stays until a GC
unloads it). Per block (the translator's liveBlocks, printed at exit by -Djvmm.jit.stats=true):
  code cache   the compiled code of block classes (jcmd Compiler.codelist, by tier)
  Code malloc  NMT's malloc'd Code (a compiled method's metadata lives in the C heap since
               JDK 24), above the interpreter's
  class data   NMT's Class + Metaspace committed, above the interpreter's
and that times TranslatorOptions.maxBlocks (--max-blocks, default 32768).

usage: bench/memory/blocks.py [--memory 512M] [--workload 'SHELL LINE'] [--max-blocks 32768]
"""
import argparse, os, re, sys, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mem  # noqa: E402

CODELIST = re.compile(r"^\d+ (\d+) \d+ (\S+) \[0x([0-9a-f]+), 0x[0-9a-f]+ - 0x([0-9a-f]+)\]")


def block_code(pid):
    """{tier: (nmethods, bytes)} of the block classes' compiled code, and the classes having some."""
    tiers, classes = {}, set()
    for line in mem.jcmd(pid, "Compiler.codelist").splitlines():
        m = CODELIST.match(line)
        if m and ".Block$" in m.group(2):
            n, b = tiers.get(m.group(1), (0, 0))
            tiers[m.group(1)] = (n + 1, b + int(m.group(4), 16) - int(m.group(3), 16))
            classes.add(m.group(2).rsplit(".", 1)[0])
    return tiers, len(classes)


def block_classes(pid):
    return sum(1 for line in mem.jcmd(pid, "VM.classes").splitlines() if ".Block$" in line)


def nmt(pid):
    text = mem.jcmd(pid, "VM.native_memory", "summary")
    cats = {}
    for line in text.splitlines():
        m = mem.NMT_LINE.match(line.strip())
        if m:
            cats[m.group(1).strip()] = (int(m.group(2)), int(m.group(3)))
    code_malloc = re.search(r"- +Code \(reserved=\d+KB, committed=\d+KB\)\s*\n\s*\(malloc=(\d+)KB", text)
    cats["Code malloc"] = (0, int(code_malloc.group(1)) if code_malloc else 0)
    return cats


def snapshot(pid, ram_kib):
    tiers, compiled = block_code(pid)
    return {"nmt": nmt(pid), "tiers": tiers, "compiled_classes": compiled, "classes": block_classes(pid),
            "rss": mem.status_kib(pid)["VmRSS"], "ram": mem.guest_ram(pid, ram_kib * 1024)["Rss"]}


def boot(engine, memory, workload, settle, timeout):
    env = dict(os.environ)
    env["JVMM_JAVA_OPTS"] = " ".join(os.environ.get("JVMM_JAVA_OPTS", "").split()
                                     + ["-XX:NativeMemoryTracking=summary", "-Djvmm.jit.stats=true"])
    g = mem.Guest(["--engine", engine, "--memory", memory], env)
    try:
        return measure(g, memory, workload, settle, timeout)
    finally:
        if g.p.poll() is None:   # a failed measurement must not leave the guest running
            g.p.kill()
            g.p.wait()


def measure(g, memory, workload, settle, timeout):
    deadline = time.monotonic() + timeout
    g.wait_for(mem.PROMPT_LINE, deadline)
    for i, cmd in enumerate([workload, "true"] if workload else ["true"]):
        mark = len(g.out)
        g.type("%s; echo STEP-$((%d+1000))" % (cmd, i))
        g.wait_for(b"STEP-%d" % (i + 1000), deadline, mark)
    time.sleep(settle)
    pid = g.p.pid
    ram_kib = mem.size_bytes(memory) // 1024
    before = snapshot(pid, ram_kib)
    mem.jcmd(pid, "GC.run")
    time.sleep(2)
    after = snapshot(pid, ram_kib)
    g.type("poweroff")
    g.p.wait(timeout=120)
    live = re.search(rb"liveBlocks=(\d+)", g.out)
    return before, after, int(live.group(1)) if live else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--memory", default="512M")
    ap.add_argument("--workload", default="")
    ap.add_argument("--max-blocks", type=int, default=32768)
    ap.add_argument("--settle", type=float, default=5)
    ap.add_argument("--timeout", type=float, default=900)
    a = ap.parse_args()
    base, base_gc, _ = boot("interp", a.memory, "", a.settle, a.timeout)  # the baseline: no workload
    jit, jit_gc, live = boot("jit", a.memory, a.workload, a.settle, a.timeout)
    print("## Cost of translated blocks (--memory %s, workload %r)" % (a.memory, a.workload))
    print()
    print("liveBlocks at exit: %s; block classes loaded: %d before the full GC, %d after; with compiled code: %d / %d"
          % (live, jit["classes"], jit_gc["classes"], jit["compiled_classes"], jit_gc["compiled_classes"]))
    n = live or jit_gc["classes"]
    print()
    print("| figure | as booted, KiB | after full GC, KiB | per block after GC, KiB | x %d blocks, MiB |" % a.max_blocks)
    print("| --- | --- | --- | --- | --- |")

    def row(name, x, y):
        per = y / n if n else 0
        print("| %s | %d | %d | %.1f | %.0f |" % (name, x, y, per, per * a.max_blocks / 1024))

    for tier in sorted(set(jit["tiers"]) | set(jit_gc["tiers"])):
        row("code cache, tier %s (nmethods %d / %d)" % (tier, jit["tiers"].get(tier, (0, 0))[0],
                                                        jit_gc["tiers"].get(tier, (0, 0))[0]),
            jit["tiers"].get(tier, (0, 0))[1] / 1024, jit_gc["tiers"].get(tier, (0, 0))[1] / 1024)
    code = lambda s: sum(b for _, b in s["tiers"].values()) / 1024
    row("code cache, all tiers", code(jit), code(jit_gc))
    cm = lambda s: s["nmt"]["Code malloc"][1]
    row("Code malloc above interp", cm(jit) - cm(base), cm(jit_gc) - cm(base_gc))
    cls = lambda s: s["nmt"].get("Class", (0, 0))[1] + s["nmt"].get("Metaspace", (0, 0))[1]
    row("Class + Metaspace above interp", cls(jit) - cls(base), cls(jit_gc) - cls(base_gc))
    total = lambda s, b: code(s) + cm(s) - cm(b) + cls(s) - cls(b)
    row("total", total(jit, base), total(jit_gc, base_gc))
    print()
    print("VmRSS - guest RAM: interp %.1f MiB (%.1f after GC), jit %.1f MiB (%.1f after GC)" % (
        (base["rss"] - base["ram"]) / 1024, (base_gc["rss"] - base_gc["ram"]) / 1024,
        (jit["rss"] - jit["ram"]) / 1024, (jit_gc["rss"] - jit_gc["ram"]) / 1024))


if __name__ == "__main__":
    main()

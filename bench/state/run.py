#!/usr/bin/env python3
"""Snapshot, restore, clone and live-migration benchmark: jvmm (and QEMU for migration).

1. Live migration on 127.0.0.1, jvmm and QEMU, of a 512 MiB guest at a busybox shell: (a) idle
   but for a console counter (`echo c-N`, then `usleep 20000`, in a loop), (b) also dirtying
   memory with zeros (`dd if=/dev/zero` of 64 MiB into /tmp, a RAM file system, in a loop) and
   (c) instead rewriting 64 MiB in place with random data (which cannot travel as zero pages).
   jvmm boots once and its guest moves RUNS times per case, each destination becoming the next
   source (`jvmm run --control`, `jvmm run --incoming`, `jvmm migrate`). QEMU boots afresh for
   every migration (`-incoming`, QMP `migrate`, with auto-converge on, the bandwidth limit lifted
   and the downtime limit set to jvmm's target, 30 ms): QEMU 7.2 does not migrate armed RISC-V
   timers, so its migrated guest often stops taking timer interrupts. Reported: the VMM's own
   downtime and total time (query-migrate); the host-observed pause, from the last counter line
   on the source's console to the destination's query-status saying "running" (polled every
   20 ms); and the console gap: the counter's lines are timestamped as they arrive on both
   consoles, and the largest gap between consecutive values around the migration, and the one
   from the source's last line to the destination's first, are reported. (Both VMMs stop the
   guest's clock while it is paused, so the guest's own timestamps would not show the pause.)
2. Snapshot and restore (jvmm): guests of 256 MiB and 2 GiB booted to the shell, with a loop
   printing hb-N every second; RUNS times `jvmm snapshot` (its own "in N ms" and the command's
   wall time), the `memory` file's apparent and allocated size, `jvmm restore` (its own
   "restored in N ms", and when that line arrives here counted from the process's start) and
   the time from the restore's process start until the restored guest answers a shell command.
3. Clones (jvmm): `jvmm restore DIR --clone 4` of the last 256 MiB snapshot; once every clone's
   console file shows new heartbeat lines, the process's VmRSS, RssAnon/RssFile/RssShmem and its
   proportional set size (Pss, smaps_rollup), against one plain restore.

usage: bench/state/run.sh [--runs N] [--phases migration,snapshot,clones] [--only jvmm|qemu]
                          [--sizes 256M,2G] [--clones 4] [--jar JAR] [--keep]
Needs: the default guest (./jvmm image fetch: Image and initramfs.cpio.gz in the cache),
qemu-system-riscv64, a JDK 25 (JAVA_HOME). A full run takes 10-25 minutes on a loaded 2-core
machine; every process it starts is ended (QMP quit, else killed) before it exits.
"""
import argparse, json, os, re, shutil, signal, socket, statistics, subprocess, sys, tempfile, threading, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
COUNTER = re.compile(rb"(?:^|[^\w$-])c-(\d+)\r?$")
COUNTER_CMD = "(i=0; while true; do i=$((i+1)); echo c-$i; %s; done) &"
# The loops stop when /tmp/stop-NAME exists, so that the next case can start from a quiet guest.
DIRT_CMD = "while [ ! -e /tmp/stop-zero ]; do dd if=/dev/zero of=/tmp/dirt bs=1M count=64 2>/dev/null; done &"
# The same 64 MiB rewritten in place with random data (8 MiB made once, written 8 times), so
# that the pages cannot travel as zero pages.
RANDOM_PREP_CMD = "touch /tmp/stop-zero; sleep 2; rm -f /tmp/dirt; dd if=/dev/urandom of=/tmp/r8 bs=1M count=8 2>/dev/null"
RANDOM_DIRT_CMD = ("while [ ! -e /tmp/stop-random ]; do for k in 0 1 2 3 4 5 6 7; do dd if=/tmp/r8 of=/tmp/dirt"
                   " bs=1M count=8 seek=$((k*8)) conv=notrunc 2>/dev/null; done; done &")
CASES = ("idle", "dirty", "dirty-random")
HEARTBEAT_CMD = "(i=0; while true; do i=$((i+1)); echo hb-$i; sleep 1; done) &"
QEMU_DOWNTIME_LIMIT_MS = 30  # jvmm's TARGET_DOWNTIME_MILLIS


def cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "jvmm" / "debian-trixie-riscv64"


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proc:
    """A VMM process: stdin is its console's keyboard; stdout and stderr are read and timestamped."""
    running = []

    def __init__(self, name, cmd, logdir):
        self.name = name
        self.cmd = cmd
        self.start = time.monotonic()
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        Proc.running.append(self)
        self.cond = threading.Condition()
        self.out = bytearray()
        self.err = bytearray()
        self.counter = []  # (host monotonic time, counter value) of complete console lines
        self.first_line = None  # (time, bytes) of the first complete line
        self.err_times = []  # (time, length of err) after each read, for the log
        self.closed = {"out": False, "err": False}
        self.logdir = logdir
        self.threads = [threading.Thread(target=self._read, args=(self.p.stdout, "out"), daemon=True),
                        threading.Thread(target=self._read, args=(self.p.stderr, "err"), daemon=True)]
        for t in self.threads:
            t.start()

    def _read(self, stream, which):
        fd = stream.fileno()
        partial = b""
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            now = time.monotonic()
            with self.cond:
                if not chunk:
                    self.closed[which] = True
                    self.cond.notify_all()
                    return
                (self.out if which == "out" else self.err).extend(chunk)
                if which == "err":
                    self.err_times.append((now, len(self.err)))
                if which == "out":
                    lines = (partial + chunk).split(b"\n")
                    partial = lines.pop()
                    if lines and self.first_line is None:
                        self.first_line = (now, lines[0])
                    for line in lines:
                        m = COUNTER.search(line)
                        if m:
                            self.counter.append((now, int(m.group(1))))
                self.cond.notify_all()

    def wait_for(self, pattern, timeout, which="out", since=0):
        """Waits until pattern (bytes regex) matches the stream after offset since; returns (time, match) or None."""
        rx = re.compile(pattern) if isinstance(pattern, bytes) else pattern
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                buf = self.out if which == "out" else self.err
                m = rx.search(buf, since)
                if m:
                    return time.monotonic(), m
                left = deadline - time.monotonic()
                if left <= 0 or (self.closed[which] and self.p.poll() is not None):
                    return None
                self.cond.wait(min(left, 0.5))

    def size(self, which="out"):
        with self.cond:
            return len(self.out if which == "out" else self.err)

    def send(self, text):
        try:
            self.p.stdin.write(text.encode())
            self.p.stdin.flush()
        except OSError:
            pass

    def shell(self, command, timeout=60):
        """Types command into the guest's shell; returns the seconds until its output marker arrives, or None."""
        tag = "%08x" % (int(time.monotonic() * 1e6) & 0xffffffff)
        since = self.size()
        t0 = time.monotonic()
        # The marker is split in the command line so that the tty's echo of it does not match.
        # A separate line, so that it also follows a command that ends in '&'.
        self.send(("%s\n" % command if command else "") + "echo M''K-%s-$((40+2))\n" % tag)
        got = self.wait_for(re.compile(("MK-%s-42" % tag).encode()), timeout, since=since)
        return None if got is None else got[0] - t0

    def tail(self, which="out", n=1500):
        with self.cond:
            return bytes((self.out if which == "out" else self.err)[-n:]).decode(errors="replace")

    def wait_exit(self, timeout):
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, timeout=10):
        """Ends the process (it was started here): waits briefly, then kills it; saves its output."""
        if self.p.poll() is None:
            try:
                self.p.stdin.close()
            except OSError:
                pass
            if self.wait_exit(0.2) is None:
                self.p.kill()
                self.p.wait(timeout)
        for t in self.threads:
            t.join(2)
        if self in Proc.running:
            Proc.running.remove(self)
        if self.logdir:
            (self.logdir / (self.name + ".out")).write_bytes(bytes(self.out))
            (self.logdir / (self.name + ".err")).write_bytes(bytes(self.err))
            # stderr with the host's monotonic time at which each piece arrived
            with open(self.logdir / (self.name + ".err-times"), "w") as f:
                last = 0
                for t, n in self.err_times:
                    f.write("%.3f %s\n" % (t, bytes(self.err[last:n]).decode(errors="replace").rstrip()))
                    last = n

    @classmethod
    def stop_all(cls):
        for p in list(cls.running):
            try:
                p.stop()
            except Exception as e:  # keep going: every process must end
                log("could not stop %s: %s" % (p.name, e))


class Qmp:
    """A minimal QMP client over a Unix socket (QEMU's and jvmm's)."""

    def __init__(self, path, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX)
                self.sock.settimeout(timeout)
                self.sock.connect(str(path))
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.f = self.sock.makefile("rb")
        greeting = self._read()
        if "QMP" not in greeting:
            raise RuntimeError("no QMP greeting: %r" % greeting)
        self.execute("qmp_capabilities")

    def _read(self):
        while True:
            line = self.f.readline()
            if not line:
                raise EOFError("QMP socket closed")
            line = line.strip()
            if line:
                return json.loads(line)

    def execute(self, name, arguments=None):
        msg = {"execute": name}
        if arguments is not None:
            msg["arguments"] = arguments
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = self._read()
            if "event" in reply:
                continue
            if "error" in reply:
                raise RuntimeError("%s: %s" % (name, reply["error"]))
            return reply.get("return")

    def close(self):
        try:
            self.f.close()
            self.sock.close()
        except OSError:
            pass


class RunningWatcher:
    """Polls a destination's query-status every 20 ms until it says the guest runs; running_at is then when."""

    def __init__(self, path):
        self.path = path
        self.running_at = None
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._poll, daemon=True)
        self.thread.start()

    def _poll(self):
        try:
            q = Qmp(self.path, timeout=10)
        except (OSError, RuntimeError, EOFError):
            return
        try:
            while not self.done.is_set():
                status = q.execute("query-status")
                if status and status.get("running"):
                    self.running_at = time.monotonic()
                    return
                time.sleep(0.02)
        except (OSError, RuntimeError, EOFError):
            pass
        finally:
            q.close()

    def stop(self, wait=10):
        """Gives the destination up to wait seconds more to say it runs, then stops polling."""
        self.thread.join(wait)
        self.done.set()
        self.thread.join(5)


class Bench:
    def __init__(self, a, work):
        self.a = a
        self.work = work
        self.java = os.environ.get("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64") + "/bin/java"
        self.kernel = cache_dir() / "Image"
        self.initrd = cache_dir() / "initramfs.cpio.gz"
        self.loads = []
        self.seq = 0
        self.odd = []  # things worth reporting

    def note(self, msg):
        log("NOTE: " + msg)
        self.odd.append(msg)

    def load(self):
        self.loads.append(os.getloadavg()[0])

    def name(self, base):
        self.seq += 1
        return "%02d-%s" % (self.seq, base)

    def jvmm(self, *args):
        return [self.java, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-jar", self.a.jar] + list(args)

    def qemu(self, memory, qmp, incoming=None):
        cmd = ["qemu-system-riscv64", "-M", "virt", "-m", memory, "-smp", "1", "-nographic", "-bios", "default",
               "-kernel", str(self.kernel), "-initrd", str(self.initrd), "-append", "console=ttyS0",
               "-qmp", "unix:%s,server,nowait" % qmp]
        return cmd + (["-incoming", "tcp:127.0.0.1:%d" % incoming] if incoming else [])

    def sock(self, base):
        return self.work / ("%s-%d.sock" % (base, self.seq))

    def boot(self, vmm, memory):
        """Boots a guest to its shell prompt; returns (Proc, control socket path)."""
        ctl = self.sock(vmm + "-boot")
        if vmm == "jvmm":
            cmd = self.jvmm("run", "--memory", memory, "--control", str(ctl))
        else:
            cmd = self.qemu(memory, ctl)
        p = Proc(self.name("%s-boot-%s" % (vmm, memory)), cmd, self.work)
        log("booting %s with %s ..." % (vmm, memory))
        if p.wait_for(rb"type 'poweroff'", self.a.boot_timeout) is None:
            raise RuntimeError("%s did not boot in %d s; console tail:\n%s" % (vmm, self.a.boot_timeout, p.tail()))
        # The shell may have printed its prompt before the console settled: ask for an answer.
        if p.shell("", timeout=120) is None:
            raise RuntimeError("%s: the shell does not answer; tail:\n%s" % (vmm, p.tail()))
        log("  %s booted in %.0f s" % (vmm, time.monotonic() - p.start))
        return p, ctl

    # ---- 1. migration -------------------------------------------------------------------------

    def migration(self, vmm):
        """Migrates RUNS times per case. jvmm's guest moves on and on (each destination is the next
        source); QEMU's is booted afresh for every migration, because QEMU 7.2 does not carry armed
        RISC-V timers across a migration (fixed upstream in 2025): its migrated guest usually stops
        taking timer interrupts, so it could not be migrated again in a meaningful state."""
        results = {c: [] for c in CASES}
        fresh = vmm == "qemu"
        src = ctl = None
        try:
            for case in CASES:
                for run in range(self.a.runs):
                    if src is None:
                        src, ctl = self.boot(vmm, "512M")
                        self.start_load(src, CASES[:CASES.index(case) + 1])
                    elif run == 0:
                        self.start_load(src, [case])
                    self.load()
                    log("%s migration, %s, %d/%d ..." % (vmm, case, run + 1, self.a.runs))
                    r, dst, dctl = self.migrate_once(vmm, src, ctl, case)
                    if r is not None:
                        results[case].append(r)
                        log("  downtime %s ms, total %s ms, paused (host) %.0f ms, console gap max %.0f ms,"
                            " switch-over %.0f ms" % (r["downtime"], r["total"], r["pause_host"], r["gap_max"],
                                                      r["gap_switch"]))
                    if dst is None:
                        continue  # the guest stays on src (a failed migration leaves it running)
                    if fresh:
                        self.quit(dst, dctl)
                        src = ctl = None
                    else:
                        src, ctl = dst, dctl
        finally:
            if src is not None:
                self.quit(src, ctl)
        return results

    def start_load(self, src, cases):
        """Starts in the guest what the cases need: the console counter for every case, then the dirtying loops."""
        for case in cases:
            if case == "idle":
                usleep = "usleep 20000"
                if src.shell("usleep 1 && echo have-''usleep") is None or b"have-usleep\r" not in src.out:
                    usleep = "sleep 0.02"
                    self.note("the guest's busybox has no usleep; the counter uses sleep 0.02")
                src.shell(COUNTER_CMD % usleep)
                time.sleep(3)
            elif case == "dirty":
                src.shell(DIRT_CMD)
                time.sleep(5)  # let the loop get going
            elif case == "dirty-random":
                src.shell(RANDOM_PREP_CMD, timeout=180)
                src.shell(RANDOM_DIRT_CMD)
                time.sleep(5)

    def quit(self, p, ctl):
        if p.p.poll() is None:
            try:
                q = Qmp(ctl, timeout=5)
                try:
                    q.execute("quit")
                except (EOFError, OSError, RuntimeError):
                    pass
                q.close()
            except (OSError, RuntimeError, EOFError):
                pass
            p.wait_exit(10)
        p.stop()

    def migrate_once(self, vmm, src, sctl, case):
        """Moves the guest from src to a new destination; returns (result or None, destination or None, its socket)."""
        port = free_port()
        dctl = self.sock(vmm + "-dst")
        if vmm == "jvmm":
            dcmd = self.jvmm("run", "--incoming", "tcp:127.0.0.1:%d" % port, "--control", str(dctl))
        else:
            dcmd = self.qemu("512M", dctl, incoming=port)
        dst = Proc(self.name("%s-dst-%s" % (vmm, case)), dcmd, self.work)
        if vmm == "jvmm":
            if dst.wait_for(rb"waiting for a migration", 60, which="err") is None:
                raise RuntimeError("the destination jvmm does not wait: %s" % dst.tail("err"))
        else:
            Qmp(dctl).close()  # it listens once its monitor does
        time.sleep(0.5)
        n_before = len(src.counter)
        period = [b[0] - a[0] for a, b in zip(src.counter[-50:], src.counter[-49:])]
        t_start = time.monotonic()
        info, cli = None, None
        watcher = RunningWatcher(dctl)
        mon = Qmp(sctl)
        try:
            if vmm == "qemu":
                mon.execute("migrate-set-capabilities",
                            {"capabilities": [{"capability": "auto-converge", "state": True}]})
                mon.execute("migrate-set-parameters", {"max-bandwidth": 10 << 30,
                                                       "downtime-limit": QEMU_DOWNTIME_LIMIT_MS})
                mon.execute("migrate", {"uri": "tcp:127.0.0.1:%d" % port})
            else:
                cli = subprocess.Popen(self.jvmm("migrate", "--control", str(sctl), "tcp:127.0.0.1:%d" % port),
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            deadline = t_start + self.a.migrate_timeout
            last = None
            while time.monotonic() < deadline:
                try:
                    last = mon.execute("query-migrate")
                except (EOFError, OSError, RuntimeError) as e:
                    if vmm == "jvmm":
                        break  # the source exits once the guest runs at the destination
                    raise
                if last and last.get("status") in ("completed", "failed", "cancelled"):
                    break
                time.sleep(0.05)
            info = last
            t_end = time.monotonic()
            if info is None or info.get("status") != "completed":
                if vmm == "qemu":
                    try:
                        mon.execute("migrate_cancel")
                    except (EOFError, OSError, RuntimeError):
                        pass
        finally:
            mon.close()
            watcher.stop(10)
        cli_out = ""
        if cli is not None:
            try:
                o, e = cli.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                cli.kill()
                o, e = cli.communicate()
            cli_out = o.decode(errors="replace") + e.decode(errors="replace")
            (self.work / (dst.name + ".migrate.txt")).write_text(cli_out)
        m = re.search(r"completed in ([0-9.]+) s \(downtime (\d+) ms\)", cli_out)
        completed = (info or {}).get("status") == "completed" or m is not None
        if not completed:
            self.note("%s %s migration did not complete (%s; %s); left out" %
                      (vmm, case, json.dumps(info)[:300], cli_out.strip()[-300:]))
            dst.stop()
            return None, None, None
        downtime = (info or {}).get("downtime")
        total = (info or {}).get("total-time")
        if m:
            if downtime is None:
                downtime = int(m.group(2))
            elif int(m.group(2)) != downtime:
                self.note("jvmm migrate printed downtime %s ms, query-migrate said %s ms" % (m.group(2), downtime))
            if total is None:
                total = float(m.group(1)) * 1000
        # The source: QEMU stays paused (postmigrate) until told to quit; jvmm exits by itself.
        if vmm == "qemu":
            self.quit(src, sctl)
        else:
            if src.wait_exit(30) is None:
                self.note("the jvmm source did not exit within 30 s of a completed migration")
            src.stop()
        # Console lines keep arriving at the destination; collect some, then measure.
        time.sleep(3)
        if dst.p.poll() is not None:
            self.note("%s destination exited after the migration: %s" % (vmm, dst.tail("err")))
        s_lines = src.counter[n_before - 5 if n_before >= 5 else 0:]
        d_lines = list(dst.counter)
        # A line the source began and the destination finished ("c-33" ... "8"): it counts as the destination's.
        tail = bytes(src.out[-20:]).rpartition(b"\n")[2]
        if tail and dst.first_line:
            joined = re.match(rb"c-(\d+)", tail + dst.first_line[1])  # kernel messages may follow on that line
            if joined:
                d_lines.insert(0, (dst.first_line[0], int(joined.group(1))))
        (self.work / (dst.name + ".timing.json")).write_text(json.dumps(
            {"t_start": t_start, "t_end": t_end, "source": s_lines, "destination": d_lines, "info": info,
             "cli": cli_out}))
        r = self.console_gap(s_lines, d_lines, t_start)
        last_s = max((t for t, n in s_lines), default=None)
        r["pause_host"] = ((watcher.running_at - last_s) * 1000 if watcher.running_at and last_s
                           else float("nan"))
        r.update(downtime=downtime, total=total, ram=(info or {}).get("ram"), period=statistics.median(period) * 1000
                 if period else None, throttle=(info or {}).get("cpu-throttle-percentage",
                                                                 (info or {}).get("throttle-percent")))
        if vmm == "jvmm" and not m:
            self.note("jvmm migrate's output had no completion line: %r" % cli_out[-300:])
        return r, dst, dctl

    def console_gap(self, s, d, t_start):
        first = {}
        for t, n in s:
            first.setdefault(n, (t, "s"))
        dup = 0
        for t, n in d:
            if n in first and first[n][1] == "s":
                dup += 1
            first.setdefault(n, (t, "d"))
        if dup:
            self.note("%d counter lines appeared on both the source's and the destination's console" % dup)
        ns = sorted(first)
        gaps = []
        missing = 0
        for a, b in zip(ns, ns[1:]):
            if b != a + 1:
                missing += b - a - 1
            if first[b][0] >= t_start:
                gaps.append((first[b][0] - first[a][0], a, b))
        if missing:
            self.note("%d counter values never arrived on either console around a migration" % missing)
        last_s = max((t for t, n in s), default=None)
        first_d = min((t for t, n in d), default=None)
        if not d:
            self.note("no counter line arrived on the destination's console within 3 s of the migration's end")
        return {"alive": bool(d), "gap_max": max(gaps)[0] * 1000 if gaps and d else float("nan"),
                "gap_switch": (first_d - last_s) * 1000 if last_s and first_d else float("nan")}

    # ---- 2. snapshots and 3. clones -----------------------------------------------------------

    def snapshots(self, memory, clones):
        src, ctl = self.boot("jvmm", memory)
        out = {"snapshot": [], "wall": [], "apparent": [], "allocated": [], "restore": [], "restore_host": [], "answer": [],
               "rss_run": None, "rss_restore": [], "clones": None}
        last_dir = None
        try:
            src.shell(HEARTBEAT_CMD)
            time.sleep(2)
            out["rss_run"] = rss(src.p.pid)
            for run in range(self.a.runs):
                self.load()
                d = self.work / ("snap-%s-%d" % (memory, run + 1))
                log("jvmm snapshot %s %d/%d ..." % (memory, run + 1, self.a.runs))
                t0 = time.monotonic()
                r = subprocess.run(self.jvmm("snapshot", "--control", str(ctl), str(d)), capture_output=True,
                                   timeout=300)
                wall = time.monotonic() - t0
                text = (r.stdout + r.stderr).decode(errors="replace")
                m = re.search(r"snapshot written to .* in (\d+) ms", text)
                if r.returncode != 0 or not m:
                    self.note("jvmm snapshot failed (%d): %s" % (r.returncode, text.strip()[-400:]))
                    continue
                st = (d / "memory").stat()
                out["snapshot"].append(int(m.group(1)))
                out["wall"].append(wall * 1000)
                out["apparent"].append(st.st_size)
                out["allocated"].append(st.st_blocks * 512)
                last_dir = d
                rr = self.restore(d, memory)
                if rr:
                    out["restore"].append(rr[0])
                    out["answer"].append(rr[1])
                    out["rss_restore"].append(rr[2])
                    out["restore_host"].append(rr[3])
                    log("  snapshot %s ms, memory %.0f MiB allocated of %.0f, restored in %s ms, answers after %.0f ms"
                        % (m.group(1), st.st_blocks * 512 / 2**20, st.st_size / 2**20, rr[0], rr[1]))
            if clones and last_dir:
                out["clones"] = self.clones(last_dir, clones)
        finally:
            self.quit(src, ctl)
        return out

    def restore(self, d, memory):
        ctl = self.sock("restore")
        p = Proc(self.name("jvmm-restore-%s" % memory), self.jvmm("restore", str(d), "--control", str(ctl)), self.work)
        try:
            got = p.wait_for(rb"restored in (\d+) ms", 120, which="err")
            if got is None:
                self.note("jvmm restore of %s printed no 'restored in': %s" % (d.name, p.tail("err")))
                return None
            restored = int(got[1].group(1))
            restored_host = (got[0] - p.start) * 1000
            answer = p.shell("", timeout=30)
            if answer is None:
                echoed = b"echo M''K" in p.out
                again = p.shell("", timeout=30)
                self.note("the guest restored from %s did not answer a command typed as soon as 'restored in' was"
                          " printed (%s); a second command, 30 s later, %s; left out" % (
                              d.name, "it was echoed" if echoed else "not even echoed: the keystrokes were lost",
                              "was answered" if again is not None else "was not answered either"))
                return None
            # The time the answer arrived, from the process's start.
            since_start = time.monotonic() - p.start
            time.sleep(1)
            hb = p.wait_for(rb"hb-\d+", 5, since=0)
            if hb is None:
                self.note("the restored guest's heartbeat loop printed nothing")
            return restored, since_start * 1000, rss(p.p.pid), restored_host
        finally:
            self.quit(p, ctl)

    def clones(self, d, n):
        self.load()
        log("jvmm restore --clone %d ..." % n)
        con = self.work / ("clone-console-%d" % self.seq)
        p = Proc(self.name("jvmm-clones"), self.jvmm("restore", str(d), "--clone", str(n), "--console", "file:%s" % con),
                 self.work)
        try:
            got = p.wait_for(rb"restored in (\d+) ms", 120, which="err")
            restored = int(got[1].group(1)) if got else None
            # Every clone runs the saved guest's heartbeat loop: wait for two new lines in each clone's console.
            deadline = time.monotonic() + 60
            running = set()
            base = {}
            while time.monotonic() < deadline and len(running) < n:
                for f in con.parent.glob(con.name + ".*"):
                    i = f.name
                    hits = re.findall(rb"hb-(\d+)", f.read_bytes())
                    if hits:
                        base.setdefault(i, int(hits[0]))
                        if int(hits[-1]) >= base[i] + 2:
                            running.add(i)
                time.sleep(0.5)
            if len(running) < n:
                self.note("only %s of %d clones' consoles showed their heartbeat within 60 s (stderr: %s)" %
                          (sorted(running), n, p.tail("err")))
            time.sleep(3)
            r = rss(p.p.pid)
            if p.p.poll() is not None:
                self.note("the clone process exited: %s" % p.tail("err"))
            return {"n": n, "restored": restored, "rss": r, "running": len(running)}
        finally:
            p.stop()


def rss(pid):
    """VmRSS and its parts from /proc/PID/status, and the proportional set size (Pss: a page mapped
    k times counts 1/k, which matters for clones mapping one file several times), in KiB."""
    out = {}
    for name, keys in (("status", ("VmRSS", "RssAnon", "RssFile", "RssShmem", "VmHWM")),
                       ("smaps_rollup", ("Pss", "Pss_Anon", "Pss_File", "Private_Clean", "Private_Dirty",
                                         "Shared_Clean"))):
        try:
            for line in Path("/proc/%d/%s" % (pid, name)).read_text().splitlines():
                k, _, v = line.partition(":")
                if k in keys:
                    out[k] = int(v.split()[0])
        except OSError:
            pass
    return out


def med(xs):
    xs = [x for x in xs if x is not None and x == x]
    return statistics.median(xs) if xs else None


def fmt(xs, scale=1.0, digits=0):
    xs = [x * scale for x in xs if x is not None and x == x]
    if not xs:
        return "-"
    f = "%%.%df" % digits
    if len(xs) == 1:
        return f % xs[0]
    return (f + " [" + f + "-" + f + "]") % (statistics.median(xs), min(xs), max(xs))


def ratio(a, b):
    a, b = med(a), med(b)
    return "%.2f" % (a / b) if a is not None and b else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--phases", default="migration,snapshot,clones")
    ap.add_argument("--only", choices=["jvmm", "qemu"], help="migration: only this VMM")
    ap.add_argument("--jar", default=str(REPO / "jvmm-cli/target/jvmm-cli.jar"))
    ap.add_argument("--clones", type=int, default=4)
    ap.add_argument("--sizes", default="256M,2G", help="guest sizes for snapshots; the first is cloned")
    ap.add_argument("--boot-timeout", type=int, default=400)
    ap.add_argument("--migrate-timeout", type=int, default=180)
    ap.add_argument("--keep", action="store_true", help="keep the work directory (logs, snapshots)")
    a = ap.parse_args()
    phases = a.phases.split(",")
    for f in ("Image", "initramfs.cpio.gz"):
        if not (cache_dir() / f).exists():
            sys.exit("no %s in %s: run ./jvmm image fetch first" % (f, cache_dir()))

    work = Path(tempfile.mkdtemp(prefix="jvmm-statebench-"))
    b = Bench(a, work)
    started = time.monotonic()
    mig, snaps = {}, {}
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        if "migration" in phases:
            for vmm in ([a.only] if a.only else ["jvmm", "qemu"]):
                try:
                    mig[vmm] = b.migration(vmm)
                except (RuntimeError, OSError, EOFError) as e:
                    b.note("%s migration phase aborted: %s" % (vmm, e))
                    Proc.stop_all()
        if "snapshot" in phases or "clones" in phases:
            for i, size in enumerate(a.sizes.split(",")):
                try:
                    snaps[size] = b.snapshots(size, a.clones if (i == 0 and "clones" in phases) else 0)
                except (RuntimeError, OSError, EOFError, subprocess.TimeoutExpired) as e:
                    b.note("snapshot phase for %s aborted: %s" % (size, e))
                    Proc.stop_all()
                # Snapshots of big guests take disk space: drop them once measured.
                if not a.keep:
                    for d in work.glob("snap-%s-*" % size):
                        shutil.rmtree(d, ignore_errors=True)
    finally:
        Proc.stop_all()

    loads = b.loads or [os.getloadavg()[0]]
    print("State benchmark %s: %d runs each, load average %.1f-%.1f while measuring, %.0f min in all"
          % (time.strftime("%Y-%m-%d"), a.runs, min(loads), max(loads), (time.monotonic() - started) / 60))
    if mig:
        print()
        print("Live migration of a 512 MiB guest on 127.0.0.1, median [min-max] (ms):")
        names = [n for n in ("jvmm", "qemu") if n in mig]
        header = "| case | figure | " + " | ".join(names) + (" | jvmm/QEMU |" if len(names) == 2 else " |")
        print(header)
        print("|" + " --- |" * (header.count("|") - 1))
        rows = [("downtime (VMM's own)", "downtime"), ("total time (VMM's own)", "total"),
                ("paused, host-observed: source's last console line to destination's query-status running",
                 "pause_host"),
                ("console gap, largest", "gap_max"), ("console gap, source's last line to destination's first",
                                                        "gap_switch"),
                ("counter period before (20 ms asked)", "period")]
        for case in CASES:
            print("| %s | migrations whose guest printed at the destination | " % case + " | ".join(
                "%d of %d" % (sum(r["alive"] for r in mig[n][case]), len(mig[n][case])) for n in names)
                  + (" | |" if len(names) == 2 else " |"))
            for label, key in rows:
                cols = [[r[key] for r in mig[n][case]] for n in names]
                line = "| %s | %s | " % (case, label) + " | ".join(fmt(c) for c in cols)
                if len(names) == 2:
                    line += " | " + ratio(cols[0], cols[1])
                print(line + " |")
        for case in CASES:
            for n in names:
                rs = [r for r in mig[n][case] if r.get("ram")]
                if rs:
                    print("%s %s: query-migrate's ram.transferred %s MiB, throttle at the end %s %%" % (
                        n, case, fmt([r["ram"].get("transferred", 0) for r in rs], 2**-20),
                        fmt([r.get("throttle") or 0 for r in rs])))
    if snaps:
        print()
        print("Snapshot and restore (jvmm), median [min-max]:")
        sizes = list(snaps)
        print("| figure | " + " | ".join(sizes) + " |")
        print("|" + " --- |" * (len(sizes) + 1))
        rows = [("jvmm snapshot (its own time), ms", "snapshot", 1, 0),
                ("jvmm snapshot, command wall time, ms", "wall", 1, 0),
                ("memory file, apparent size, MiB", "apparent", 2**-20, 0),
                ("memory file, allocated (du), MiB", "allocated", 2**-20, 1),
                ("jvmm restore: its own 'restored in', ms", "restore", 1, 0),
                ("restore start to its 'restored in' line, host-observed, ms", "restore_host", 1, 0),
                ("restore start to a shell answer, ms", "answer", 1, 0)]
        for label, key, scale, digits in rows:
            print("| %s | " % label + " | ".join(fmt(snaps[s][key], scale, digits) for s in sizes) + " |")
        print("| RSS of `jvmm run` at the shell, MiB | " + " | ".join(
            "%.0f" % (snaps[s]["rss_run"].get("VmRSS", 0) / 1024) if snaps[s]["rss_run"] else "-" for s in sizes) + " |")
        print("| RSS of a restored guest at the shell, MiB | " + " | ".join(
            fmt([r.get("VmRSS") for r in snaps[s]["rss_restore"]], 1 / 1024) for s in sizes) + " |")
        for k in ("RssAnon", "RssFile", "Pss"):
            print("| ... its %s, MiB | " % k + " | ".join(
                fmt([r.get(k) for r in snaps[s]["rss_restore"]], 1 / 1024) for s in sizes) + " |")
        print("| `jvmm run` RssAnon / RssFile at the shell, MiB | " + " | ".join(
            "%.0f / %.0f" % (snaps[s]["rss_run"].get("RssAnon", 0) / 1024, snaps[s]["rss_run"].get("RssFile", 0) / 1024)
            if snaps[s]["rss_run"] else "-" for s in sizes) + " |")
        if len(sizes) >= 2:
            print("restore-time ratio %s/%s: 'restored in' %s, host-observed %s, to a shell answer %s (goal: within 2)"
                  % (sizes[1], sizes[0], ratio(snaps[sizes[1]]["restore"], snaps[sizes[0]]["restore"]),
                     ratio(snaps[sizes[1]]["restore_host"], snaps[sizes[0]]["restore_host"]),
                     ratio(snaps[sizes[1]]["answer"], snaps[sizes[0]]["answer"])))
        for s in sizes:
            c = snaps[s].get("clones")
            if not c:
                continue
            r = c["rss"]
            one = med([x.get("VmRSS") for x in snaps[s]["rss_restore"]])
            print()
            print("Clones: `jvmm restore DIR --clone %d` of the %s snapshot (%d of %d seen running, restored in %s ms):"
                  % (c["n"], s, c["running"], c["n"], c["restored"]))
            print("| figure | whole process, MiB | per clone, MiB |")
            print("| --- | --- | --- |")
            for k in ("VmRSS", "RssAnon", "RssFile", "RssShmem", "Pss", "Pss_Anon", "Pss_File"):
                if k in r:
                    print("| %s | %.0f | %.0f |" % (k, r[k] / 1024, r[k] / 1024 / c["n"]))
            if one:
                one_pss = med([x.get("Pss") for x in snaps[s]["rss_restore"]]) or 0
                print("one plain restore: VmRSS %.0f MiB, Pss %.0f MiB; each clone beyond the first adds %.0f MiB"
                      " VmRSS, %.0f MiB Pss" % (one / 1024, one_pss / 1024,
                                                (r.get("VmRSS", 0) - one) / 1024 / max(1, c["n"] - 1),
                                                (r.get("Pss", 0) - one_pss) / 1024 / max(1, c["n"] - 1)))
    if b.odd:
        print()
        print("Observed:")
        for o in b.odd:
            print("- " + o)
    if a.keep or b.odd:
        print("logs in %s" % work)
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

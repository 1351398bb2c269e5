package dev.jvmm.conformance.diff;

import dev.jvmm.conformance.CrossToolchain;
import dev.jvmm.conformance.QemuRun;
import dev.jvmm.conformance.diff.BatchSource.Entry;
import dev.jvmm.cpu.riscv.Engine;
import dev.jvmm.machine.ExitReason;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds batches of random programs, runs each batch on QEMU (the reference) and on jvmm with each
 * of the chosen engines (the interpreter and the translator), and compares each engine's states
 * with QEMU's program by program (so the translator's must equal QEMU's and, through it, the
 * interpreter's; when both differ from QEMU the report also says where the two engines differ).
 * A divergence can then be narrowed to the first unit that makes the states differ by running
 * prefixes of the program (several per boot) on QEMU and on the engine that diverged.
 */
final class DiffHarness {

    static final long QEMU_TIMEOUT_SECONDS = 60;
    static final long JVMM_TIMEOUT_SECONDS = 120;
    private static final List<String> RUNTIME_FILES = List.of("runtime.S", "diff.h", "link.ld");
    /** Prefixes tried per boot while narrowing a divergence. */
    private static final int PROBES_PER_ROUND = 7;

    /** A batch built and run on QEMU (the reference), waiting for its jvmm run. */
    record QemuSide(String name, List<Entry> entries, Path elf, String console, StateDump state) { }

    /** One engine's run of a batch: its console, the records read from its RAM, how it ended. */
    record JvmmSide(String console, StateDump state, ExitReason exit) { }

    /** QEMU's output for one batch and each engine's that ran it. */
    record BatchRun(List<Entry> entries, String qemuConsole, StateDump qemu, Map<Engine, JvmmSide> jvmm) {

        JvmmSide jvmm(Engine engine) {
            JvmmSide side = jvmm.get(engine);
            if (side == null) {
                throw new IllegalArgumentException("the batch did not run on " + engine);
            }
            return side;
        }
    }

    private final Path dir;
    private final List<Engine> engines;
    private final Path sources;
    private final Path divergences;
    private final BatchToolchain toolchain;
    private final PhaseTimes times = new PhaseTimes();
    private int batches;

    /** Works under {@code dir} (sources, ELFs, and divergences/ with reproducers); runs both engines. */
    DiffHarness(Path dir) throws Exception {
        this(dir, List.of(Engine.INTERPRETER, Engine.JIT));
    }

    /**
     * Works under {@code dir} (sources, ELFs, and divergences/ with reproducers) and runs every
     * batch on each of {@code engines}. Fails loudly without gcc or QEMU.
     */
    DiffHarness(Path dir, List<Engine> engines) throws Exception {
        if (engines.isEmpty()) {
            throw new IllegalArgumentException("no engine to compare with QEMU");
        }
        this.engines = List.copyOf(engines);
        if (!CrossToolchain.available()) {
            throw new IllegalStateException("riscv64-linux-gnu-gcc not found: install Debian's gcc-riscv64-linux-gnu "
                    + "(the differential programs are built at test time)");
        }
        if (!QemuRun.available()) {
            throw new IllegalStateException("qemu-system-riscv64 not found: install Debian's qemu-system-misc "
                    + "(QEMU is the reference the differential tests compare jvmm against)");
        }
        this.dir = dir;
        this.sources = dir.resolve("src");
        this.divergences = dir.resolve("divergences");
        copyRuntime(sources);
        this.toolchain = new BatchToolchain(sources);
    }

    private static void copyRuntime(Path to) {
        try {
            Files.createDirectories(to);
            for (String f : RUNTIME_FILES) {
                try (InputStream in = DiffHarness.class.getResourceAsStream("/diff/" + f)) {
                    if (in == null) {
                        throw new IllegalStateException("missing test resource diff/" + f);
                    }
                    Files.write(to.resolve(f), in.readAllBytes());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where the time went so far. */
    PhaseTimes times() {
        return times;
    }

    /** Builds the batch (records only, or printing too); returns its ELF. */
    Path build(String name, List<Entry> entries, boolean print) throws Exception {
        long t = System.nanoTime();
        Path source = sources.resolve(name + ".S");
        Files.writeString(source, BatchSource.render(entries, print));
        times.add(PhaseTimes.Phase.GENERATE, t);
        t = System.nanoTime();
        Path elf = dir.resolve("elf").resolve(name + ".elf");
        Files.createDirectories(elf.getParent());
        toolchain.build(source, elf);
        times.add(PhaseTimes.Phase.BUILD, t);
        return elf;
    }

    /**
     * Builds the batch and runs it on QEMU; fails if QEMU does not finish with every program's
     * record complete (then the generator produced a bad program).
     */
    QemuSide prepare(String name, List<Entry> entries) throws Exception {
        Path elf = build(name, entries, false);
        long t = System.nanoTime();
        QemuDumpRun.Outcome q = QemuDumpRun.run(elf, dir.resolve("run").resolve(name), QEMU_TIMEOUT_SECONDS);
        times.add(PhaseTimes.Phase.QEMU, t);
        t = System.nanoTime();
        StateDump dump = DumpRecord.parse(q.dump(), units(entries));
        times.add(PhaseTimes.Phase.COMPARE, t);
        boolean complete = dump.programs().size() == entries.size()
                && dump.programs().values().stream().allMatch(StateDump.ProgramState::complete);
        if (q.timedOut() || q.exitStatus() != 0 || !complete || !q.console().contains("DONE")) {
            String tail = q.console().length() > 2000 ? q.console().substring(q.console().length() - 2000) : q.console();
            throw new IllegalStateException("the generated batch %s (seeds %s) did not run to completion on QEMU "
                    .formatted(elf, seeds(entries)) + "(exit %d, timed out %b, %d of %d records complete): "
                    .formatted(q.exitStatus(), q.timedOut(), dump.programs().values().stream()
                            .filter(StateDump.ProgramState::complete).count(), entries.size())
                    + "the generator produced a bad program; console tail:\n" + tail);
        }
        return new QemuSide(name, entries, elf, q.console(), dump);
    }

    /** The engines every batch runs on. */
    List<Engine> engines() {
        return engines;
    }

    /** Runs a prepared batch on jvmm with each of the harness's engines. */
    BatchRun finish(QemuSide q) throws Exception {
        return finish(q, engines);
    }

    /** Runs a prepared batch on jvmm with each of {@code on}. */
    BatchRun finish(QemuSide q, List<Engine> on) throws Exception {
        Map<Engine, JvmmSide> sides = new EnumMap<>(Engine.class);
        for (Engine engine : on) {
            long t = System.nanoTime();
            JvmmDumpRun.Outcome j = JvmmDumpRun.run(q.elf(), JVMM_TIMEOUT_SECONDS, engine);
            times.add(engine == Engine.JIT ? PhaseTimes.Phase.JIT : PhaseTimes.Phase.INTERPRETER, t);
            t = System.nanoTime();
            StateDump state = DumpRecord.parse(j.dump(), units(q.entries()));
            times.add(PhaseTimes.Phase.COMPARE, t);
            sides.put(engine, new JvmmSide(j.console(), state, j.reason()));
        }
        return new BatchRun(q.entries(), q.console(), q.state(), sides);
    }

    /** Builds the batch and runs it on QEMU and on each of the harness's engines. */
    BatchRun run(String name, List<Entry> entries) throws Exception {
        return finish(prepare(name, entries));
    }

    /** Builds the batch and runs it on QEMU and on {@code on}. */
    BatchRun run(String name, List<Entry> entries, List<Engine> on) throws Exception {
        return finish(prepare(name, entries), on);
    }

    /** Runs the batch on QEMU only and returns the states of its records. */
    StateDump runQemu(String name, List<Entry> entries) throws Exception {
        QemuSide q = prepare(name, entries);
        discard(name);
        return q.state();
    }

    /** Runs the batch built in print mode on QEMU and returns the console (the states as text). */
    String runQemuPrinted(String name, List<Entry> entries) throws Exception {
        Path elf = build(name, entries, true);
        return QemuRun.run(elf, QEMU_TIMEOUT_SECONDS).console();
    }

    /** Deletes a batch's source, ELF and run directory (a long run would otherwise leave gigabytes). */
    void discard(String name) throws IOException {
        Files.deleteIfExists(sources.resolve(name + ".S"));
        Files.deleteIfExists(dir.resolve("elf").resolve(name + ".elf"));
        try {
            Files.deleteIfExists(dir.resolve("run").resolve(name));
        } catch (DirectoryNotEmptyException e) {
            // something else was left there: keep it for a look
        }
    }

    private static List<Integer> units(List<Entry> entries) {
        return entries.stream().map(Entry::prefix).toList();
    }

    /** The batch's divergences (not yet narrowed), per engine, each with its reproducer written. */
    List<Divergence> compare(BatchRun run) throws IOException {
        List<Divergence> out = new ArrayList<>();
        for (Map.Entry<Engine, JvmmSide> side : run.jvmm().entrySet()) {
            compare(run, side.getKey(), side.getValue(), out);
        }
        return out;
    }

    private void compare(BatchRun run, Engine engine, JvmmSide side, List<Divergence> out) throws IOException {
        Optional<String> exit = side.exit() instanceof ExitReason.PowerOff
                ? Optional.empty() : Optional.of(String.valueOf(side.exit()));
        for (int k = 0; k < run.entries().size(); k++) {
            Optional<StateDump.Difference> d = difference(run, k, engine);
            if (d.isPresent()) {
                RandomProgram p = run.entries().get(k).program();
                Path repro = writeReproducer("seed-" + p.seed(), List.of(Entry.whole(p)));
                Optional<StateDump.Difference> fromInterpreter = Optional.empty();
                JvmmSide interpreter = run.jvmm().get(Engine.INTERPRETER);
                if (engine == Engine.JIT && interpreter != null) {
                    StateDump.ProgramState reference = interpreter.state().programs().get(k);
                    fromInterpreter = reference == null
                            ? Optional.of(new StateDump.Difference("(program output)", "(missing)", "present"))
                            : StateDump.firstDifference(reference, side.state().programs().get(k));
                }
                Divergence div = new Divergence(p.seed(), k, p.units().size(), engine, d.get(), exit, fromInterpreter,
                        Optional.empty(), repro);
                int unit = traceUnit(d.get().name());
                if (unit >= 0 && unit < p.units().size()) {
                    // the trace already names the earliest unit whose result differs
                    Path prefixRepro = writeReproducer("seed-" + p.seed() + "-prefix" + (unit + 1),
                            List.of(new Entry(p, unit + 1)));
                    div = div.withCulprit(new Divergence.Culprit(unit, describeUnit(p, unit), d.get(), prefixRepro));
                }
                out.add(div);
            }
        }
    }

    /** The unit index of a trace line's name ("u001f" is 31), or -1. */
    static int traceUnit(String name) {
        if (name.length() == 5 && name.charAt(0) == 'u') {
            try {
                return Integer.parseInt(name.substring(1), 16);
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    private static Optional<StateDump.Difference> difference(BatchRun run, int k, Engine engine) {
        return StateDump.firstDifference(run.qemu().programs().get(k), run.jvmm(engine).state().programs().get(k));
    }

    /**
     * Finds the shortest prefix of the divergent program that still diverges on the engine that
     * diverged, by running up to {@value #PROBES_PER_ROUND} prefixes per boot; its last unit is
     * the culprit.
     */
    Divergence locate(Divergence d, RandomProgram p) throws Exception {
        if (d.culprit().isPresent()) {
            return d;
        }
        int good = -1;                        // longest prefix known to agree (-1: none tried)
        int bad = p.units().size();           // shortest prefix known to diverge
        StateDump.Difference badDifference = d.difference();
        while (bad - good > 1) {
            int lo = good + 1;
            int hi = bad - 1;
            List<Integer> probes = new ArrayList<>();
            int span = hi - lo + 1;
            for (int j = 0; j < Math.min(PROBES_PER_ROUND, span); j++) {
                int probe = lo + (int) ((long) span * j / Math.min(PROBES_PER_ROUND, span));
                if (probes.isEmpty() || probes.getLast() != probe) {
                    probes.add(probe);
                }
            }
            List<Entry> entries = probes.stream().map(n -> new Entry(p, n)).toList();
            String name = "bisect-" + p.seed() + "-" + (batches++);
            BatchRun r = run(name, entries, List.of(d.engine()));
            discard(name);
            int firstBad = -1;
            for (int j = 0; j < probes.size(); j++) {
                Optional<StateDump.Difference> diff = difference(r, j, d.engine());
                if (diff.isPresent()) {
                    firstBad = j;
                    bad = probes.get(j);
                    badDifference = diff.get();
                    break;
                }
                good = probes.get(j);
            }
            if (firstBad < 0) {
                // every probe agreed: the culprit lies between the last probe and bad
                good = probes.getLast();
            }
        }
        int unit = bad - 1;
        String instruction = unit < 0 ? "(set-up)" : describeUnit(p, unit);
        Path repro = writeReproducer("seed-" + p.seed() + "-prefix" + bad, List.of(new Entry(p, bad)));
        return d.withCulprit(new Divergence.Culprit(unit, instruction, badDifference, repro));
    }

    private static String describeUnit(RandomProgram p, int unit) {
        Unit u = p.units().get(unit);
        String label = BatchSource.label(0, unit);
        String lines = String.join("; ", u.lines().stream().filter(l -> !l.startsWith(".option")).toList())
                .replace(Unit.TARGET, "(later unit " + u.target() + ")");
        return "`" + u.summary().replace(Unit.TARGET, "(later unit " + u.target() + ")") + "` [label " + label
                + ", lines: " + lines + "]";
    }

    /** Writes a stand-alone reproducer (.S plus the runtime files next to it); returns the .S. */
    Path writeReproducer(String name, List<Entry> entries) throws IOException {
        copyRuntime(divergences);
        Path file = divergences.resolve(name + ".S");
        Files.writeString(file, BatchSource.render(entries, true));
        return file;
    }

    static String seeds(List<Entry> entries) {
        return entries.stream().map(e -> e.program().seed() + (e.prefix() < e.program().units().size()
                ? "[:" + e.prefix() + "]" : "")).distinct().toList().toString();
    }
}

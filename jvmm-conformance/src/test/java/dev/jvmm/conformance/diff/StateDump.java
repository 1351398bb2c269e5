package dev.jvmm.conformance.diff;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.TreeMap;

/**
 * The final states a batch printed, parsed from the console: for each sub-program index, its
 * "name value" lines in print order (x1..x31, f0..f31, fcsr, mscratch, traps, the trap log, the
 * memory hashes). A program whose END line is missing is recorded as incomplete.
 */
record StateDump(Map<Integer, ProgramState> programs) {

    /** One program's state; {@code complete} is false when the output stopped before its END line. */
    record ProgramState(SequencedMap<String, String> values, boolean complete) { }

    /** The first line where two states differ, with both values ("(missing)" when a side lacks it). */
    record Difference(String name, String expected, String actual) { }

    static StateDump parse(String console) {
        Map<Integer, ProgramState> programs = new TreeMap<>();
        Integer current = null;
        SequencedMap<String, String> values = null;
        for (String raw : console.split("\n")) {
            String line = raw.strip();
            if (line.startsWith("BEGIN ")) {
                current = parseIndex(line.substring(6));
                values = new LinkedHashMap<>();
                if (current != null) {
                    programs.put(current, new ProgramState(values, false));
                }
            } else if (line.startsWith("END ") && current != null) {
                if (current.equals(parseIndex(line.substring(4)))) {
                    programs.put(current, new ProgramState(values, true));
                }
                current = null;
            } else if (current != null) {
                int space = line.lastIndexOf(' ');
                if (space > 0) {
                    values.put(line.substring(0, space), line.substring(space + 1));
                }
            }
        }
        return new StateDump(programs);
    }

    private static Integer parseIndex(String hex) {
        try {
            return Integer.parseInt(hex.strip(), 16);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The first difference of {@code actual} from {@code expected} for program k, if any. */
    static Optional<Difference> firstDifference(ProgramState expected, ProgramState actual) {
        if (actual == null) {
            return Optional.of(new Difference("(program output)", "present", "(missing)"));
        }
        List<String> names = new ArrayList<>(expected.values().keySet());
        for (String n : actual.values().keySet()) {
            if (!expected.values().containsKey(n)) {
                names.add(n);
            }
        }
        for (String n : names) {
            String e = expected.values().getOrDefault(n, "(missing)");
            String a = actual.values().getOrDefault(n, "(missing)");
            if (!e.equals(a)) {
                return Optional.of(new Difference(n, e, a));
            }
        }
        if (expected.complete() != actual.complete()) {
            return Optional.of(new Difference("(END line)", expected.complete() ? "present" : "missing",
                    actual.complete() ? "present" : "missing"));
        }
        return Optional.empty();
    }
}

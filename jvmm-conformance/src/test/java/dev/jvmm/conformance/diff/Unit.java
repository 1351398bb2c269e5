package dev.jvmm.conformance.diff;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One indivisible step of a random program: a few assembly lines (an instruction and whatever sets
 * up its address or operands). Branches land only on unit boundaries, so a unit always runs whole.
 * After the unit, the batch records its destination register (and, for FP, the flags it raised) in
 * the unit's trace slot, so that a wrong result is seen even when a later unit overwrites it.
 *
 * @param summary what the unit tests, for reports (usually its main instruction)
 * @param lines   assembly lines; {@link #TARGET} stands for the label of unit {@code target}
 * @param target  the unit index a branch or jump goes to (always later than this unit), or -1
 * @param dest    the register whose value the trace records ("x5", "f3"), or "" for none
 */
record Unit(String summary, List<String> lines, int target, String dest) {

    /** Placeholder in {@link #lines} for the branch target's label. */
    static final String TARGET = "%TARGET%";

    private static final Set<String> NO_DEST = Set.of("sb", "sh", "sw", "sd", "fsw", "fsd", "c.sw", "c.sd",
            "c.swsp", "c.sdsp", "c.fsd", "c.fsdsp", "beq", "bne", "blt", "bge", "bltu", "bgeu", "c.beqz",
            "c.bnez", "jal", "jalr", "c.j", "c.jr", "c.jalr", "fence", "fence.i", "ecall", "ebreak", "c.ebreak",
            "c.nop");

    /** Compiled once: the generator asks this for every unit. */
    private static final Pattern OPERAND_SEPARATOR = Pattern.compile("[ ,]+");
    private static final Pattern TRACED_REGISTER = Pattern.compile("x([1-9]|[12][0-9]|3[01])|f([0-9]|[12][0-9]|3[01])");

    Unit {
        lines = List.copyOf(lines);
    }

    Unit(String summary, List<String> lines, int target) {
        this(summary, lines, target, destinationOf(summary));
    }

    static Unit of(String summary, String... lines) {
        return new Unit(summary, List.of(lines), -1);
    }

    static Unit of(String line) {
        return new Unit(line, List.of(line), -1);
    }

    Unit withDest(String register) {
        return new Unit(summary, lines, target, register);
    }

    /** The register an instruction written as text writes ("" for none, or x0). Jumps are not traced. */
    static String destinationOf(String insn) {
        String[] parts = OPERAND_SEPARATOR.split(insn.strip());
        if (parts.length < 2 || NO_DEST.contains(parts[0]) || parts[0].startsWith(".")) {
            return "";
        }
        String r = parts[1];
        return TRACED_REGISTER.matcher(r).matches() ? r : "";
    }
}

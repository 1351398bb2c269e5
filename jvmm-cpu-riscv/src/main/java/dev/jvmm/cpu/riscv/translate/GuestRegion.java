package dev.jvmm.cpu.riscv.translate;

import dev.jvmm.cpu.riscv.Decoder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Guest code compiled as one method: the instructions of several basic blocks of one 4 KiB
 * page, reachable from the entry {@code pc} (RAM offset {@code offset}) through direct
 * branches, JAL and predicted returns. {@code instructions} are sorted by pc and do not
 * overlap; {@code labels} are the pcs control may jump to inside the region (the entry, and
 * every covered target); {@code predictions} maps the pc of a JALR to the labels it is
 * compared with at run time to continue inside the region: for a return, the region's call
 * return sites; after an AUIPC of its base register (a far call or jump), that constant
 * target; then the targets it was seen to take while its block ran decoded.
 * {@code entryBlockLength} is the length of the entry's basic block (what the interpreter runs
 * for an uncompiled entry). {@code code}
 * holds the bytes of the covered range, which starts at RAM offset {@code codeOffset}, exactly
 * as decoded (not to be modified).
 *
 * <p>Edges to a higher pc are forward; since every cycle contains a backward edge, the
 * compiled code checks the budget only on backward edges, against {@link #forwardRun}: the
 * most instructions control can retire from a label before it meets the next backward edge or
 * leaves the region.
 */
public record GuestRegion(long pc, long offset, List<GuestBlock.Instruction> instructions, Set<Long> labels,
        Map<Long, List<Long>> predictions, int entryBlockLength, long codeOffset, byte[] code) {

    /** "No target": odd, so never a real target (guest pcs are even; kernel pcs are negative). */
    static final long NO_TARGET = -1;

    /** The most labels one JALR is compared with (a switch's cases seen at run time among them). */
    static final int MAX_PREDICTIONS = Translation.MAX_JUMP_TARGETS;

    /** Returns through a link register ({@code jalr x0, 0(ra|t0)}) are predicted to return sites. */
    static boolean isReturn(int insn) {
        int rs1 = (insn >>> 15) & 31;
        return (insn & 0x7f) == 0x67 && ((insn >>> 7) & 31) == 0 && (rs1 == 1 || rs1 == 5);
    }

    /** A region of a single block (its start is the only label). */
    static GuestRegion of(GuestBlock block) {
        return new GuestRegion(block.pc(), block.offset(), block.instructions(), Set.of(block.pc()), Map.of(),
                block.size(), block.offset(), block.code());
    }

    public int size() {
        return instructions.size();
    }

    /** Index in {@link #instructions()} of each instruction pc. */
    Map<Long, Integer> indexByPc() {
        Map<Long, Integer> m = new HashMap<>();
        for (int k = 0; k < instructions.size(); k++) {
            m.put(instructions.get(k).pc(), k);
        }
        return m;
    }

    /** Whether instruction {@code k} continues to the next one in pc order when it does not jump. */
    boolean fallsInto(int k) {
        GuestBlock.Instruction i = instructions.get(k);
        int op = i.insn() & 0x7f;
        return op != 0x6f && op != 0x67 && k + 1 < instructions.size()
                && instructions.get(k + 1).pc() == i.nextPc();
    }

    /**
     * The target of JALR {@code insn} at {@code pc} if the instruction before it in memory,
     * {@code previous}, is an AUIPC of its base register; {@link #NO_TARGET} otherwise. Only a prediction: the
     * JALR may also be reached by a jump.
     */
    static long auipcTarget(GuestBlock.Instruction previous, long pc, int insn) {
        if ((insn & 0x7f) != 0x67 || previous == null || previous.nextPc() != pc) {
            return NO_TARGET;
        }
        int a = previous.insn();
        int rs1 = (insn >>> 15) & 31;
        if ((a & 0x7f) != 0x17 || ((a >>> 7) & 31) != rs1 || rs1 == 0) {
            return NO_TARGET;
        }
        return (previous.pc() + (a & 0xfffff000) + Decoder.immI(insn)) & ~1L;
    }

    /** The branch or JAL target of {@code insn} at {@code pc}, or {@link #NO_TARGET}. */
    static long directTarget(long pc, int insn) {
        return switch (insn & 0x7f) {
            case 0x63 -> pc + Decoder.immB(insn);
            case 0x6f -> pc + Decoder.immJ(insn);
            default -> NO_TARGET;
        };
    }

    /**
     * For each instruction, the most instructions that can retire from it (inclusive) along
     * forward edges until a backward edge (inclusive) or an exit.
     */
    int[] forwardRuns() {
        Map<Long, Integer> index = indexByPc();
        int n = instructions.size();
        int[] run = new int[n];
        for (int k = n - 1; k >= 0; k--) {
            GuestBlock.Instruction i = instructions.get(k);
            int best = 0;
            if (fallsInto(k)) {
                best = run[k + 1];
            }
            long t = directTarget(i.pc(), i.insn());
            if (t > i.pc() && labels.contains(t)) {
                best = Math.max(best, run[index.get(t)]);
            }
            for (long site : predictions.getOrDefault(i.pc(), List.of())) {
                if (site > i.pc()) {
                    best = Math.max(best, run[index.get(site)]);
                }
            }
            run[k] = 1 + best;
        }
        return run;
    }

    /** The most instructions one execution of the region retires before its first budget check. */
    public int entryRun() {
        return forwardRuns()[indexByPc().get(pc)];
    }
}

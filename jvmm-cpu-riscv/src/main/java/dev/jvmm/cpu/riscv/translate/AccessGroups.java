package dev.jvmm.cpu.riscv.translate;

import dev.jvmm.cpu.riscv.Decoder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads (or stores) of one region through the same base register, in straight-line code (no
 * region label between them) and with the register unchanged in between: a function's saves of
 * its registers to the stack, a table cleared field by field. Their offsets span less than a
 * page, so one TLB check at the first covers them all whenever the span lies in one page: the
 * others then use the same host offset without a check of their own (and keep theirs for when
 * it does not). Nothing in straight-line code changes the TLB or makes a page hold code.
 */
final class AccessGroups {

    /**
     * A group: its number (for its locals), the index of its first member, and the offsets from
     * the base register that its accesses cover, {@code [low, high)}.
     */
    record Group(int id, int first, long low, long high) {
    }

    private final Group[] groupOf;

    private AccessGroups(Group[] groupOf) {
        this.groupOf = groupOf;
    }

    /** The group of instruction {@code k}, or null when its access is checked on its own. */
    Group of(int k) {
        return groupOf[k];
    }

    /** Finds the groups of {@code region} that have at least two members. */
    static AccessGroups find(GuestRegion region) {
        List<GuestBlock.Instruction> list = region.instructions();
        int n = list.size();
        Group[] groupOf = new Group[n];
        Map<Integer, Open> open = new HashMap<>();
        List<Open> closed = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            GuestBlock.Instruction i = list.get(k);
            if (k > 0 && (!region.fallsInto(k - 1) || region.labels().contains(i.pc()))) {
                closed.addAll(open.values()); // control may arrive here without passing the members
                open.clear();
            }
            int insn = i.insn();
            int size = accessSize(insn);
            int base = (insn >>> 15) & 31;
            if (size > 0 && base != 0) {
                boolean store = (insn & 0x20) != 0;
                long imm = store ? Decoder.immS(insn) : Decoder.immI(insn);
                int key = base << 1 | (store ? 1 : 0);
                Open g = open.get(key);
                if (g != null && Math.max(g.high, imm + size) - Math.min(g.low, imm) > 4096) {
                    closed.add(open.remove(key));
                    g = null;
                }
                if (g == null) {
                    g = new Open(k);
                    g.low = imm;
                    g.high = imm + size;
                    open.put(key, g);
                }
                g.members.add(k);
                g.low = Math.min(g.low, imm);
                g.high = Math.max(g.high, imm + size);
            }
            int rd = (insn >>> 7) & 31;
            if (mayWriteX(insn) && rd != 0) {
                Open a = open.remove(rd << 1);
                Open b = open.remove(rd << 1 | 1);
                if (a != null) {
                    closed.add(a);
                }
                if (b != null) {
                    closed.add(b);
                }
            }
        }
        closed.addAll(open.values());
        closed.sort((a, b) -> Integer.compare(a.first, b.first));
        int id = 0;
        for (Open g : closed) {
            if (g.members.size() < 2) {
                continue;
            }
            Group group = new Group(id++, g.first, g.low, g.high);
            for (int k : g.members) {
                groupOf[k] = group;
            }
        }
        return new AccessGroups(groupOf);
    }

    /** Bytes accessed by an integer or FP load or store (the translator's), 0 for anything else. */
    private static int accessSize(int insn) {
        int f3 = (insn >>> 12) & 7;
        return switch (insn & 0x7f) {
            case 0x03 -> f3 == 7 ? 0 : 1 << (f3 & 3);
            case 0x23 -> f3 > 3 ? 0 : 1 << f3;
            case 0x07, 0x27 -> f3 == 2 ? 4 : f3 == 3 ? 8 : 0;
            default -> 0;
        };
    }

    /** Whether {@code insn} may write x{rd}: all but stores, branches and FP loads and fused operations. */
    private static boolean mayWriteX(int insn) {
        return switch (insn & 0x7f) {
            case 0x23, 0x27, 0x63, 0x07, 0x43, 0x47, 0x4b, 0x4f -> false;
            default -> true;
        };
    }

    /** A group being collected. */
    private static final class Open {
        final int first;
        final List<Integer> members = new ArrayList<>();
        long low;
        long high;

        Open(int first) {
            this.first = first;
        }
    }
}

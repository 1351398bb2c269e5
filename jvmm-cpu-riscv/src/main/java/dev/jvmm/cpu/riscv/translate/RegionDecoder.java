package dev.jvmm.cpu.riscv.translate;

import dev.jvmm.memory.GuestMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Discovers a {@link GuestRegion}: starting at the entry, decodes basic blocks (with
 * {@link BlockDecoder}) at the targets of direct branches and JALs, at the fall-through of
 * branches and of blocks cut at their maximum length, after calls (return sites), at the
 * constant targets of AUIPC+JALR pairs and at the targets computed jumps were seen to take
 * (a switch's cases, from {@link Translation#jumpTargets}), as long
 * as they lie in the entry's page and the instruction budget lasts. A {@link RegionShape#LOOP}
 * region then keeps only the instructions on a cycle through the entry (of fall-throughs,
 * branches, JALs, returns to the return sites found and computed jumps to the targets seen), or
 * the entry's basic block when there
 * is none. The page is copied out of
 * RAM once and every block is decoded from that copy, so the region's bytes are consistent
 * even if another thread writes the page meanwhile. A target inside an already decoded
 * instruction (possible with compressed code) is left out: jumping there leaves the region.
 */
final class RegionDecoder {

    private static final long[] NONE = {};

    /**
     * How much larger a region may grow once it holds a computed jump with seen targets. The
     * cpubench "interp" kernel (a bytecode switch of 11 cases, about 110 instructions with the
     * dispatch; 2026-11-28, runs 2-3 of 2 rounds): 2.67-3.14 s with the cases as blocks of their
     * own, about 2.3 s with the cases that fit in 32 instructions, 1.72-1.81 s with all of them.
     * The boot and the other kernels alike.
     */
    static final int SWITCH_REGION_FACTOR = 4;

    private RegionDecoder() {
    }

    /**
     * The region entered at virtual {@code pc}, RAM offset {@code offset}; its entry block
     * holds at most {@code maxBlock} instructions and the whole region at most
     * {@code maxRegion} (at least the entry block). Empty when the entry is not translatable.
     */
    static GuestRegion decode(MemorySegment ram, long pc, long offset, int maxBlock, int maxRegion, RegionShape shape) {
        return decode(ram, pc, offset, maxBlock, maxRegion, shape, Map.of());
    }

    /**
     * As above, where {@code jumpTargets} maps the pc of a computed jump to the targets it was
     * seen to take (only predictions: the compiled jump compares its target with them). Once the
     * region holds such a jump, it may grow to {@link #SWITCH_REGION_FACTOR} times
     * {@code maxRegion}: a switch's cases are one loop with the dispatch, and a loop region of
     * the usual size holds only a few of them.
     */
    static GuestRegion decode(MemorySegment ram, long pc, long offset, int maxBlock, int maxRegion, RegionShape shape,
            Map<Long, long[]> jumpTargets) {
        long pageOffset = offset & ~0xfffL;
        long pagePc = pc & ~0xfffL;
        int available = offset < 0 || offset >= ram.byteSize() ? 0
                : (int) Math.min(GuestMemory.PAGE_SIZE, ram.byteSize() - pageOffset);
        byte[] page = new byte[available];
        MemorySegment.copy(ram, ValueLayout.JAVA_BYTE, pageOffset, page, 0, available);
        MemorySegment snapshot = MemorySegment.ofArray(page);

        TreeMap<Long, GuestBlock.Instruction> covered = new TreeMap<>();
        Set<Long> targets = new HashSet<>();
        List<Long> callReturns = new ArrayList<>();
        ArrayDeque<Long> work = new ArrayDeque<>();
        work.add(pc);
        int entryBlockLength = -1;
        int limit = maxRegion;
        while (!work.isEmpty() && covered.size() < limit) {
            long start = work.poll();
            if (covered.containsKey(start) || overlaps(covered, start, 2)) {
                continue;
            }
            int max = entryBlockLength < 0 ? maxBlock : Math.min(maxBlock, limit - covered.size());
            GuestBlock block = BlockDecoder.decode(snapshot, start, start - pagePc, max);
            if (entryBlockLength < 0) {
                entryBlockLength = block.size();
            }
            boolean joined = false;
            for (GuestBlock.Instruction i : block.instructions()) {
                if (covered.containsKey(i.pc())) {
                    joined = true; // fell into code decoded before
                    break;
                }
                if (overlaps(covered, i.pc(), i.length())) {
                    joined = true; // the previous instruction's fall-through leaves the region
                    break;
                }
                covered.put(i.pc(), i);
                long t = GuestRegion.directTarget(i.pc(), i.insn());
                if (t == GuestRegion.NO_TARGET) {
                    var previous = covered.lowerEntry(i.pc());
                    t = GuestRegion.auipcTarget(previous == null ? null : previous.getValue(), i.pc(), i.insn());
                }
                if (t != GuestRegion.NO_TARGET && (t & ~0xfffL) == pagePc && targets.add(t)) {
                    work.add(t);
                }
                long[] seenTargets = jumpTargets.getOrDefault(i.pc(), NONE);
                if (seenTargets.length > 0) {
                    limit = Math.max(limit, maxRegion * SWITCH_REGION_FACTOR);
                }
                for (long seen : seenTargets) {
                    if ((seen & ~0xfffL) == pagePc && targets.add(seen)) {
                        work.add(seen);
                    }
                }
                int op = i.insn() & 0x7f;
                boolean calleeHere = t != GuestRegion.NO_TARGET && (t & ~0xfffL) == pagePc; // its return may come back into the region
                if ((op == 0x6f || op == 0x67) && ((i.insn() >>> 7) & 31) != 0 && calleeHere
                        && (i.nextPc() & ~0xfffL) == pagePc && !callReturns.contains(i.nextPc())) {
                    callReturns.add(i.nextPc());
                    work.add(i.nextPc());
                }
                if (op == 0x63 && (i.nextPc() & ~0xfffL) == pagePc) {
                    work.add(i.nextPc()); // not taken
                }
            }
            if (!joined && !block.instructions().isEmpty() && !block.endsWithControlTransfer()
                    && (block.nextPc() & ~0xfffL) == pagePc) {
                work.add(block.nextPc()); // cut at the maximum length: continue after it
            }
            if (entryBlockLength == 0) {
                break;
            }
        }
        if (shape == RegionShape.LOOP && entryBlockLength > 0) {
            covered = loopThrough(pc, covered, entryBlockLength, callReturns, jumpTargets);
        }
        List<GuestBlock.Instruction> instructions = List.copyOf(covered.values());
        Set<Long> labels = new HashSet<>();
        labels.add(pc);
        for (long t : targets) {
            if (covered.containsKey(t)) {
                labels.add(t);
            }
        }
        List<Long> returnSites = new ArrayList<>();
        for (long r : callReturns) {
            if (covered.containsKey(r)) {
                labels.add(r);
                returnSites.add(r);
            }
        }
        if (instructions.isEmpty()) {
            return new GuestRegion(pc, offset, List.of(), Set.of(pc), Map.of(), 0, offset, new byte[0]);
        }
        Map<Long, List<Long>> predictions = new HashMap<>();
        GuestBlock.Instruction previous = null;
        for (GuestBlock.Instruction i : instructions) {
            List<Long> p = new ArrayList<>();
            long t = GuestRegion.auipcTarget(previous, i.pc(), i.insn());
            if (t != GuestRegion.NO_TARGET && labels.contains(t)) {
                p.add(t);
            }
            if (GuestRegion.isReturn(i.insn())) {
                for (long r : returnSites) {
                    if (p.size() < GuestRegion.MAX_PREDICTIONS && !p.contains(r)) {
                        p.add(r);
                    }
                }
            }
            for (long seen : jumpTargets.getOrDefault(i.pc(), NONE)) {
                if (p.size() < GuestRegion.MAX_PREDICTIONS && labels.contains(seen) && !p.contains(seen)) {
                    p.add(seen);
                }
            }
            if (!p.isEmpty()) {
                predictions.put(i.pc(), List.copyOf(p));
            }
            previous = i;
        }
        int lo = (int) (instructions.getFirst().pc() - pagePc);
        int hi = (int) (instructions.getLast().nextPc() - pagePc);
        return new GuestRegion(pc, offset, instructions, Set.copyOf(labels), Map.copyOf(predictions),
                entryBlockLength, pageOffset + lo, Arrays.copyOfRange(page, lo, hi));
    }

    /**
     * The instructions of {@code covered} on a cycle through {@code pc} (reachable from it and
     * reaching it again; a return may go to any of {@code returnSites}), or, if there is none,
     * the entry's basic block (its first {@code entryBlockLength} instructions, which every
     * cycle through the entry holds too).
     */
    private static TreeMap<Long, GuestBlock.Instruction> loopThrough(long pc, TreeMap<Long, GuestBlock.Instruction> covered,
            int entryBlockLength, List<Long> returnSites, Map<Long, long[]> jumpTargets) {
        Map<Long, List<Long>> predecessors = new HashMap<>();
        for (GuestBlock.Instruction i : covered.values()) {
            for (long s : successors(covered, i, returnSites, jumpTargets)) {
                predecessors.computeIfAbsent(s, k -> new ArrayList<>()).add(i.pc());
            }
        }
        Set<Long> reachable = new HashSet<>(List.of(pc));
        ArrayDeque<Long> work = new ArrayDeque<>(reachable);
        while (!work.isEmpty()) {
            for (long s : successors(covered, covered.get(work.poll()), returnSites, jumpTargets)) {
                if (reachable.add(s)) {
                    work.add(s);
                }
            }
        }
        Set<Long> cycle = new HashSet<>(); // reachable and reaching the entry
        work.add(pc);
        while (!work.isEmpty()) {
            for (long p : predecessors.getOrDefault(work.poll(), List.of())) {
                if (reachable.contains(p) && cycle.add(p)) {
                    work.add(p);
                }
            }
        }
        TreeMap<Long, GuestBlock.Instruction> kept = new TreeMap<>();
        if (cycle.isEmpty()) {
            for (GuestBlock.Instruction i : covered.tailMap(pc, true).values()) {
                if (kept.size() == entryBlockLength) {
                    break;
                }
                kept.put(i.pc(), i);
            }
        } else {
            for (long p : cycle) {
                kept.put(p, covered.get(p));
            }
        }
        return kept;
    }

    /**
     * Where control may go after {@code i} inside {@code covered}: its fall-through, its branch
     * or JAL target, for a return the return sites, for a computed jump the targets it was seen
     * to take (as the compiled region predicts them).
     */
    private static List<Long> successors(TreeMap<Long, GuestBlock.Instruction> covered, GuestBlock.Instruction i,
            List<Long> returnSites, Map<Long, long[]> jumpTargets) {
        List<Long> next = new ArrayList<>(2);
        int op = i.insn() & 0x7f;
        if (op != 0x6f && op != 0x67 && covered.containsKey(i.nextPc())) {
            next.add(i.nextPc());
        }
        long t = GuestRegion.directTarget(i.pc(), i.insn());
        if (t != GuestRegion.NO_TARGET && covered.containsKey(t)) {
            next.add(t);
        }
        if (GuestRegion.isReturn(i.insn())) {
            for (long r : returnSites) {
                if (covered.containsKey(r)) {
                    next.add(r);
                }
            }
        }
        for (long seen : jumpTargets.getOrDefault(i.pc(), NONE)) {
            if (covered.containsKey(seen)) {
                next.add(seen);
            }
        }
        return next;
    }

    /** Whether [{@code pc}, {@code pc + length}) overlaps a covered instruction that does not start at {@code pc}. */
    private static boolean overlaps(TreeMap<Long, GuestBlock.Instruction> covered, long pc, int length) {
        var below = covered.lowerEntry(pc);
        if (below != null && below.getValue().nextPc() > pc) {
            return true;
        }
        Long above = covered.higherKey(pc);
        return above != null && above < pc + length;
    }
}

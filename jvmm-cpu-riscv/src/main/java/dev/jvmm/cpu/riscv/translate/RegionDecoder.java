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
 * constant targets of AUIPC+JALR pairs and at the targets computed jumps were seen to take (a
 * switch's cases, from {@link Translation#jumpTargets}), as long as they lie in the entry's page
 * and the instruction budget lasts. A {@link RegionShape#LOOP} region then keeps only the
 * instructions on a cycle through the entry (of fall-throughs, branches, JALs, returns to the
 * return sites found and computed jumps to the targets seen), or the loop nest around the entry
 * in the function's own body if that is larger and fits (found in a decoding of
 * {@link #LOOP_SEARCH_FACTOR} times the budget, calls and returns not counted as edges: an inner
 * loop's header, where a run that used up its budget leaves, then enters the whole nest again);
 * where there is no loop through the entry, the entry's basic block and the code after it up to
 * the first loop met (see {@link #straightFrom}). The page is copied out of RAM once and every
 * block is decoded from that copy, so the region's bytes are consistent even if another thread
 * writes the page meanwhile. A target inside an already decoded instruction (possible with
 * compressed code) is left out: jumping there leaves the region.
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

    /**
     * How much larger than a loop region the straight-line code around an entry on no loop may
     * be (see {@link #straightFrom}). cpubench's string kernel (libc's strspn and strcspn: 40
     * straight instructions that fill a table on the stack, then a loop) ran each basic block as
     * a method of its own, chained by calls. 2026-11-28, runs 2-4 of 3 rounds: 2.68 -> 2.56 s
     * with straight regions, 1.99 s with them and HotSpot's inlining unclipped (see the launcher);
     * 1, 2 and 4 alike within the noise. Other kernels and the boot alike.
     */
    static final int STRAIGHT_REGION_FACTOR = 2;

    /**
     * How far beyond a loop region's size the decoder looks for loops around an entry. An entry
     * on a loop larger than a region (nbody's inner loop of 55 instructions) keeps its single
     * block, else the straight region would run part of the loop and leave it in the middle
     * (nbody 2.2 -> 4.4 s). A loop nest that fits a region is found even where the region's own
     * decoding spent its budget on a call path first: quicksort's partition (31 instructions,
     * two inner loops) was entered at its inner loops' headers after each budget exit and ran
     * there as three smaller regions (cpubench qsort 616 -> 545 ms, 2026-11-28, 2 rounds).
     */
    static final int LOOP_SEARCH_FACTOR = 8;

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

        Discovery d = discover(snapshot, pc, pagePc, maxBlock, maxRegion, jumpTargets);
        TreeMap<Long, GuestBlock.Instruction> covered = d.covered;
        if (shape == RegionShape.LOOP && d.entryBlockLength > 0) {
            TreeMap<Long, GuestBlock.Instruction> kept = cycleThrough(pc, covered, d.callReturns, jumpTargets, true);
            // A decoding that the budget did not cut holds all the page's code reachable from
            // the entry: a wider one would find the same, and a nest without calls' edges is
            // then part of the cycle already found.
            boolean cut = covered.size() >= d.limit;
            Discovery wide = cut ? discover(snapshot, pc, pagePc, maxBlock, maxRegion * LOOP_SEARCH_FACTOR, jumpTargets) : d;
            TreeMap<Long, GuestBlock.Instruction> nest = cut
                    ? cycleThrough(pc, wide.covered, wide.callReturns, jumpTargets, false) : new TreeMap<>();
            if (nest.size() > kept.size() && nest.size() <= d.limit) {
                kept = nest;
                d = wide;
            } else if (kept.isEmpty()) {
                kept = straightFrom(pc, wide.covered, wide.entryBlockLength, maxRegion * STRAIGHT_REGION_FACTOR,
                        wide.callReturns, jumpTargets);
                d = wide;
            }
            covered = kept;
        }
        Set<Long> targets = d.targets;
        List<Long> callReturns = d.callReturns;
        int entryBlockLength = d.entryBlockLength;
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

    /** What {@link #discover} found: the covered instructions by pc, the direct targets, the calls' return sites. */
    private record Discovery(TreeMap<Long, GuestBlock.Instruction> covered, Set<Long> targets, List<Long> callReturns,
            int entryBlockLength, int limit) {
    }

    /** Decodes the blocks reachable from {@code pc} in its page (see the class comment), up to {@code maxRegion} instructions. */
    private static Discovery discover(MemorySegment snapshot, long pc, long pagePc, int maxBlock, int maxRegion,
            Map<Long, long[]> jumpTargets) {
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
        return new Discovery(covered, targets, callReturns, entryBlockLength, limit);
    }

    /**
     * The instructions of {@code covered} on a cycle through {@code pc} (reachable from it and
     * reaching it again; a return may go to any of {@code returnSites}, if {@code calls} are
     * edges); empty if there is none.
     */
    private static TreeMap<Long, GuestBlock.Instruction> cycleThrough(long pc, TreeMap<Long, GuestBlock.Instruction> covered,
            List<Long> returnSites, Map<Long, long[]> jumpTargets, boolean calls) {
        Set<Long> reachable = reachable(pc, covered, returnSites, jumpTargets, calls);
        Map<Long, List<Long>> predecessors = new HashMap<>();
        for (GuestBlock.Instruction i : covered.values()) {
            for (long s : successors(covered, i, returnSites, jumpTargets, calls)) {
                predecessors.computeIfAbsent(s, k -> new ArrayList<>()).add(i.pc());
            }
        }
        TreeMap<Long, GuestBlock.Instruction> cycle = new TreeMap<>(); // reachable and reaching the entry
        ArrayDeque<Long> work = new ArrayDeque<>(List.of(pc));
        while (!work.isEmpty()) {
            for (long p : predecessors.getOrDefault(work.poll(), List.of())) {
                if (reachable.contains(p) && cycle.put(p, covered.get(p)) == null) {
                    work.add(p);
                }
            }
        }
        return cycle;
    }

    /**
     * For an entry on no cycle of {@code covered}: its basic block (the first
     * {@code entryBlockLength} instructions) and, up to {@code limit} instructions in all, the
     * code control reaches from there without entering a cycle. A loop met on the way leaves the
     * region and is compiled as a region of its own (entered at its header), so this region runs
     * each instruction at most once; for an entry on a cycle (a loop too large for a loop
     * region) the entry's basic block alone.
     */
    private static TreeMap<Long, GuestBlock.Instruction> straightFrom(long pc, TreeMap<Long, GuestBlock.Instruction> covered,
            int entryBlockLength, int limit, List<Long> returnSites, Map<Long, long[]> jumpTargets) {
        Set<Long> onCycle = onCycles(covered, returnSites, jumpTargets);
        TreeMap<Long, GuestBlock.Instruction> kept = new TreeMap<>();
        for (GuestBlock.Instruction i : covered.tailMap(pc, true).values()) {
            if (kept.size() == entryBlockLength) {
                break;
            }
            kept.put(i.pc(), i);
        }
        if (onCycle.contains(pc)) {
            return kept;
        }
        ArrayDeque<Long> work = new ArrayDeque<>(List.of(kept.lastKey()));
        while (!work.isEmpty() && kept.size() < limit) {
            for (long s : successors(covered, covered.get(work.poll()), returnSites, jumpTargets, true)) {
                if (!onCycle.contains(s) && !kept.containsKey(s) && kept.size() < limit) {
                    kept.put(s, covered.get(s));
                    work.add(s);
                }
            }
        }
        return kept;
    }

    /**
     * The pcs of {@code covered} that lie on a cycle: those in a strongly connected component
     * of more than one instruction, or jumping to themselves (Tarjan's algorithm, without
     * recursion: a region may hold a page's 2048 instructions).
     */
    private static Set<Long> onCycles(TreeMap<Long, GuestBlock.Instruction> covered, List<Long> returnSites,
            Map<Long, long[]> jumpTargets) {
        int n = covered.size();
        long[] pcs = new long[n];
        Map<Long, Integer> index = new HashMap<>();
        for (long p : covered.keySet()) {
            pcs[index.size()] = p;
            index.put(p, index.size());
        }
        int[][] next = new int[n][];
        Set<Long> cyclic = new HashSet<>();
        for (int v = 0; v < n; v++) {
            List<Long> s = successors(covered, covered.get(pcs[v]), returnSites, jumpTargets, true);
            next[v] = s.stream().mapToInt(index::get).toArray();
            if (s.contains(pcs[v])) {
                cyclic.add(pcs[v]);
            }
        }
        int[] order = new int[n]; // discovery order + 1 (0: not visited)
        int[] low = new int[n];
        int[] edge = new int[n]; // next successor to look at
        boolean[] onStack = new boolean[n];
        int[] stack = new int[n];
        int[] path = new int[n];
        int stackTop = 0;
        int visited = 0;
        for (int root = 0; root < n; root++) {
            if (order[root] != 0) {
                continue;
            }
            int depth = 0;
            path[depth++] = root;
            order[root] = low[root] = ++visited;
            stack[stackTop++] = root;
            onStack[root] = true;
            while (depth > 0) {
                int v = path[depth - 1];
                if (edge[v] < next[v].length) {
                    int w = next[v][edge[v]++];
                    if (order[w] == 0) {
                        order[w] = low[w] = ++visited;
                        stack[stackTop++] = w;
                        onStack[w] = true;
                        path[depth++] = w;
                    } else if (onStack[w]) {
                        low[v] = Math.min(low[v], order[w]);
                    }
                    continue;
                }
                depth--;
                if (depth > 0) {
                    int parent = path[depth - 1];
                    low[parent] = Math.min(low[parent], low[v]);
                }
                if (low[v] == order[v]) { // v is the root of a component: pop it
                    int size = 0;
                    int first = stackTop;
                    int w;
                    do {
                        w = stack[--stackTop];
                        onStack[w] = false;
                        size++;
                    } while (w != v);
                    if (size > 1) {
                        for (int k = stackTop; k < first; k++) {
                            cyclic.add(pcs[stack[k]]);
                        }
                    }
                }
            }
        }
        return cyclic;
    }

    /** The pcs of {@code covered} that control reaches from {@code from} (included). */
    private static Set<Long> reachable(long from, TreeMap<Long, GuestBlock.Instruction> covered, List<Long> returnSites,
            Map<Long, long[]> jumpTargets, boolean calls) {
        Set<Long> seen = new HashSet<>(List.of(from));
        ArrayDeque<Long> work = new ArrayDeque<>(seen);
        while (!work.isEmpty()) {
            for (long s : successors(covered, covered.get(work.poll()), returnSites, jumpTargets, calls)) {
                if (seen.add(s)) {
                    work.add(s);
                }
            }
        }
        return seen;
    }

    /**
     * Where control may go after {@code i} inside {@code covered}: its fall-through, its branch
     * or JAL target, for a return the return sites, for a computed jump the targets it was seen
     * to take (as the compiled region predicts them). Without {@code calls}, a call (a JAL or
     * JALR that links) and a return go nowhere: the edges of the function's own body.
     */
    private static List<Long> successors(TreeMap<Long, GuestBlock.Instruction> covered, GuestBlock.Instruction i,
            List<Long> returnSites, Map<Long, long[]> jumpTargets, boolean calls) {
        List<Long> next = new ArrayList<>(2);
        int op = i.insn() & 0x7f;
        if (op != 0x6f && op != 0x67 && covered.containsKey(i.nextPc())) {
            next.add(i.nextPc());
        }
        boolean links = (op == 0x6f || op == 0x67) && ((i.insn() >>> 7) & 31) != 0;
        if (!calls && (links || GuestRegion.isReturn(i.insn()))) {
            return next;
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

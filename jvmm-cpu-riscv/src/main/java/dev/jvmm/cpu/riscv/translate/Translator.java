package dev.jvmm.cpu.riscv.translate;

import java.lang.classfile.ClassHierarchyResolver;
import java.lang.constant.ClassDesc;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.LongStream;

/**
 * One hart's code cache. Entries are keyed by (virtual pc, RAM offset): the virtual pc is
 * baked into the code (link addresses, trap pcs), the offset names the bytes; the caller finds
 * the offset through the fetch TLB, so permission and mapping changes need no work here.
 * Entries start as stubs holding the decoded block (which the runtime's block interpreter
 * runs); once their heat (runs, a long block's weighted by its length, see
 * {@link Translation#heatPerRun}) reaches {@link TranslatorOptions#hotThreshold()} they are
 * compiled into hidden classes (not strongly linked to their loader, so dropping an entry lets
 * the class be unloaded).
 *
 * <p>Invalidation: every entry marks its RAM page through the {@link CodePageTracker};
 * a CPU store of this hart there calls {@link #invalidatePage}, before the bytes change. Other
 * writers (other harts, device DMA, the host) are not seen; the guest must execute FENCE.I
 * (or ask for a remote one) before it may rely on running what they wrote. So FENCE.I and
 * remote fences call {@link #fence}, which only starts a new epoch (and not even that when the
 * runtime knows no other writer wrote since the last one): every entry keeps the bytes it was
 * decoded from and, at its first lookup in a new epoch, compares them with RAM; an entry whose
 * bytes changed drops its page's translations and is decoded afresh. Mapping changes
 * (satp, SFENCE.VMA) need nothing: lookups go through the fetch TLB to the RAM offset, which is
 * part of the key. When the cache holds {@code maxBlocks} compiled blocks it is dropped whole.
 * Not thread-safe: used by its hart's thread only.
 */
public final class Translator {

    private static final int JUMP_CACHE_BITS = 12;
    private static final int JUMP_CACHE_MASK = (1 << JUMP_CACHE_BITS) - 1;
    private static final System.Logger LOG = System.getLogger(Translator.class.getName());
    /** For studying generated code: every class compiled is also written to this directory ({@code jvmm.jit.dump}). */
    private static final String DUMP_DIRECTORY = System.getProperty("jvmm.jit.dump");

    private final MethodHandles.Lookup lookup;
    private final MemorySegment ram;
    private final Supplier<HartConstants> constants;
    private final CodePageTracker tracker;
    private final TranslatorOptions options;
    private final BlockCompiler compiler;
    private final String classPrefix;

    private final Translation[] table;
    private final int tableMask;
    private final int maxEntries;
    private int entries;
    private int liveBlocks;
    private final Translation[] jumpCache = new Translation[1 << JUMP_CACHE_BITS];
    private final Map<Long, List<Translation>> byPage = new HashMap<>();
    /** The compiled blocks with a link, for {@link #unlinkAll()}. */
    private final List<TranslatedBlock> linkedBlocks = new ArrayList<>();

    private long blocksCompiled;
    private long compileFailures;
    private long pageInvalidations;
    private long flushes;
    private long evictions;
    private long fences;
    private long checkedFences;
    private long staleBlocks;
    private long regionInstructions;
    private int largestMethodBytes;
    /** Bumped by every fence; an entry from an older epoch re-checks its bytes before use. */
    private long epoch;
    private long classCounter;

    /**
     * @param lookup a full-privilege lookup in the runtime's package (generated classes join it)
     * @param ram the guest RAM segment that offsets index (read when decoding)
     * @param constants the hart's constants for generated code as they are now (asked at each
     *     compile: the data TLB arrays are those of the privilege in effect)
     */
    public Translator(MethodHandles.Lookup lookup, MemorySegment ram, Supplier<HartConstants> constants,
            CodePageTracker tracker, TranslatorOptions options) {
        this.lookup = lookup;
        this.ram = ram;
        this.constants = constants;
        this.tracker = tracker;
        this.options = options;
        this.compiler = new BlockCompiler(ClassHierarchyResolver.defaultResolver()
                .orElse(ClassHierarchyResolver.ofClassLoading(lookup)));
        this.classPrefix = lookup.lookupClass().getPackageName() + ".Block$";
        this.maxEntries = Math.max(1 << 17, options.maxBlocks() * 4); // stubs are cheap, recompiling is not
        int size = Integer.highestOneBit(maxEntries * 2 - 1) << 1;
        this.table = new Translation[size];
        this.tableMask = size - 1;
    }

    /** The entry for the block at virtual {@code pc}, RAM offset {@code offset}; created (as a stub) if absent. */
    public Translation lookup(long pc, long offset) {
        int j = (int) (pc >>> 1) & JUMP_CACHE_MASK;
        Translation t = jumpCache[j];
        if (t == null || t.pc != pc || t.offset != offset) {
            t = find(pc, offset);
            if (t == null) {
                t = create(pc, offset);
            }
            jumpCache[j] = t;
        }
        if (t.epoch != epoch) {
            t = revalidate(t);
            jumpCache[j] = t;
        }
        return t;
    }

    /**
     * The compiled block for {@code pc} at RAM offset {@code offset} if the jump cache holds it
     * and it needs no re-check in this epoch; else null (the dispatcher's full lookup will do).
     */
    public TranslatedBlock compiledAt(long pc, long offset) {
        Translation t = jumpCache[(int) (pc >>> 1) & JUMP_CACHE_MASK];
        if (t == null || t.pc != pc || t.offset != offset || t.epoch != epoch) {
            return null;
        }
        return t.block;
    }

    /**
     * Links exit slot {@code slot} of {@code from} to {@code to}, the compiled block the
     * dispatcher found at {@code target} right after {@code from} returned there (so in the
     * same mapping), if that slot leads there.
     */
    public void link(TranslatedBlock from, int slot, long target, TranslatedBlock to) {
        if (from.link(slot, target, to) && !from.linked) {
            from.linked = true;
            linkedBlocks.add(from);
        }
    }

    /** Resets every compiled block's links (translations may have gone stale: a fence, a dropped page, a flush). */
    public void unlinkAll() {
        for (TranslatedBlock b : linkedBlocks) {
            b.unlink();
        }
        linkedBlocks.clear();
    }

    /** After a fence: {@code t} if its bytes are unchanged, else a fresh entry (its page's others dropped). */
    private Translation revalidate(Translation t) {
        if (matchesRam(t.code, t.codeOffset)) {
            t.epoch = epoch;
            return t;
        }
        staleBlocks++;
        dropPage(t.offset >>> 12);
        return create(t.pc, t.offset);
    }

    /** Whether RAM at {@code offset} holds {@code code} (compared in place: no view is made, this runs after every fence). */
    private boolean matchesRam(byte[] code, long offset) {
        for (int i = 0; i < code.length; i++) {
            if (ram.get(ValueLayout.JAVA_BYTE, offset + i) != code[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Counts one run of {@code t}'s stub and compiles it when it becomes hot; returns the
     * compiled block or null.
     */
    public TranslatedBlock noteRun(Translation t) {
        if (t.block != null) {
            return t.block;
        }
        if (t.failed || t.length == 0 || (t.heat += t.heatPerRun) < options.hotThreshold()) {
            return null;
        }
        compile(t);
        return t.block;
    }

    private int bucket(long pc, long offset) {
        long h = pc * 0x9E3779B97F4A7C15L ^ offset * 0xC2B2AE3D27D4EB4FL;
        return (int) (h ^ (h >>> 29)) & tableMask;
    }

    private Translation find(long pc, long offset) {
        for (Translation t = table[bucket(pc, offset)]; t != null; t = t.next) {
            if (t.pc == pc && t.offset == offset) {
                return t;
            }
        }
        return null;
    }

    private Translation create(long pc, long offset) {
        if (entries >= maxEntries) {
            evictions++;
            clear();
        }
        // Marked before decoding, as for compiling: the block interpreter runs the decoded
        // form, so CPU stores to the page must drop it from now on.
        tracker.markCodePage(offset >>> 12);
        GuestBlock block = BlockDecoder.decode(ram, pc, offset, options.maxBlockInstructions(), true);
        Translation t = new Translation(pc, offset, block, epoch);
        int b = bucket(pc, offset);
        t.next = table[b];
        table[b] = t;
        entries++;
        byPage.computeIfAbsent(offset >>> 12, k -> new ArrayList<>()).add(t);
        return t;
    }

    private void compile(Translation t) {
        if (liveBlocks >= options.maxBlocks()) {
            evictions++;
            clear();
            // t is no longer in the table: put it back so the compiled block is found again.
            int b = bucket(t.pc, t.offset);
            t.next = table[b];
            table[b] = t;
            entries++;
            byPage.computeIfAbsent(t.offset >>> 12, k -> new ArrayList<>()).add(t);
        }
        // Mark the page first: from now on every CPU store to it is reported, so the bytes
        // read below stay valid as long as the entry lives.
        tracker.markCodePage(t.offset >>> 12);
        int budget = options.maxRegionInstructions();
        Map<Long, long[]> jumpTargets = jumpTargetsOnPage(t);
        GuestRegion region = RegionDecoder.decode(ram, t.pc, t.offset, options.maxBlockInstructions(), budget,
                options.regionShape(), jumpTargets);
        t.length = region.entryBlockLength();
        t.code = region.code();
        t.codeOffset = region.codeOffset();
        t.epoch = epoch;
        if (region.size() == 0) {
            return;
        }
        try {
            ClassDesc name = ClassDesc.of(classPrefix + Long.toHexString(t.pc) + "$" + (classCounter++));
            byte[] bytes = compiler.compile(region, name);
            // HotSpot does not JIT-compile huge methods (they would stay in its bytecode
            // interpreter, far slower than ours): shrink the region, then the entry block
            // itself (long straight-line code with many loads and stores), until it fits.
            int blockLimit = options.maxBlockInstructions();
            int length = BlockCompiler.codeLength(bytes);
            while (length > BlockCompiler.MAX_CODE_LENGTH && (budget > 1 || blockLimit > 1)) {
                if (budget > 1) {
                    budget /= 2;
                } else {
                    blockLimit /= 2;
                }
                region = RegionDecoder.decode(ram, t.pc, t.offset, blockLimit, budget, options.regionShape(), jumpTargets);
                bytes = compiler.compile(region, name);
                length = BlockCompiler.codeLength(bytes);
            }
            t.length = region.entryBlockLength();
            t.code = region.code();
            t.codeOffset = region.codeOffset();
            t.entryRun = region.entryRun();
            regionInstructions += region.size();
            largestMethodBytes = Math.max(largestMethodBytes, length);
            if (DUMP_DIRECTORY != null) {
                java.nio.file.Files.write(java.nio.file.Path.of(DUMP_DIRECTORY, "Block$" + Long.toHexString(t.pc) + ".class"), bytes);
            }
            MethodHandles.Lookup hidden = lookup.defineHiddenClassWithClassData(bytes, constants.get().classData(), true);
            TranslatedBlock compiled = (TranslatedBlock) hidden.findConstructor(hidden.lookupClass(),
                    MethodType.methodType(void.class)).invoke();
            compiled.initialize(t.pc, t.entryRun);
            t.block = compiled;
            blocksCompiled++;
            liveBlocks++;
        } catch (Throwable e) {
            t.failed = true;
            if (compileFailures++ == 0) {
                LOG.log(System.Logger.Level.WARNING, "translating the block at 0x" + Long.toHexString(t.pc) + " failed", e);
            }
        }
    }

    /**
     * The targets the computed jumps of {@code t}'s page (in its mapping) were seen to take, by
     * the pc of the jump: each decoded block's last instruction.
     */
    private Map<Long, long[]> jumpTargetsOnPage(Translation t) {
        Map<Long, long[]> m = new HashMap<>();
        for (Translation e : byPage.getOrDefault(t.offset >>> 12, List.of())) {
            long[] seen = e.jumpTargets();
            if (seen.length > 0 && ((e.pc ^ t.pc) >>> 12) == 0 && e.offset - e.pc == t.offset - t.pc) {
                long[] code = e.decoded();
                // Several decoded blocks may end at the same jump (entered at different pcs).
                m.merge(DecodedBlock.pcOf(e.pc, code, code.length - 1), seen,
                        (a, b) -> LongStream.concat(Arrays.stream(a), Arrays.stream(b)).distinct().toArray());
            }
        }
        return m;
    }

    /** A CPU store is about to change RAM page {@code pageIndex}: forget every translation on it. */
    public void invalidatePage(long pageIndex) {
        if (dropPage(pageIndex)) {
            pageInvalidations++;
        }
    }

    /** Forgets every translation on RAM page {@code pageIndex}; returns whether there were any. */
    private boolean dropPage(long pageIndex) {
        List<Translation> list = byPage.remove(pageIndex);
        tracker.unmarkCodePage(pageIndex);
        if (list == null) {
            return false;
        }
        for (Translation t : list) {
            unlink(t);
            if (t.block != null) {
                liveBlocks--;
            }
            int j = (int) (t.pc >>> 1) & JUMP_CACHE_MASK;
            if (jumpCache[j] == t) {
                jumpCache[j] = null;
            }
        }
        return true;
    }

    private void unlink(Translation t) {
        int b = bucket(t.pc, t.offset);
        Translation prev = null;
        for (Translation e = table[b]; e != null; prev = e, e = e.next) {
            if (e == t) {
                if (prev == null) {
                    table[b] = e.next;
                } else {
                    prev.next = e.next;
                }
                entries--;
                return;
            }
        }
    }

    /**
     * FENCE.I or a remote fence (SFENCE.VMA or FENCE.I from the SBI, which does not say which):
     * writes by anyone before it must be seen by later fetches, so if RAM may have been
     * {@code writtenBehind} this hart's back since the last such fence, every entry re-checks
     * its bytes at its next use; otherwise the fence is only counted.
     */
    public void fence(boolean writtenBehind) {
        fences++;
        if (writtenBehind) {
            epoch++;
            checkedFences++;
        }
    }

    /** Forgets every translation (reset, state restore: RAM may have been replaced wholesale). */
    public void invalidateAll() {
        flushes++;
        clear();
    }

    private void clear() {
        Arrays.fill(table, null);
        Arrays.fill(jumpCache, null);
        byPage.clear();
        entries = 0;
        liveBlocks = 0;
        tracker.unmarkAllCodePages();
    }

    /** The counters, with the runtime's instruction counts filled in by the caller. */
    public TranslatorStats stats(long translatedInstructions, long interpretedInstructions, long decodedInstructions,
            long translatedRuns) {
        return new TranslatorStats(blocksCompiled, compileFailures, pageInvalidations, flushes, evictions, liveBlocks,
                translatedInstructions, interpretedInstructions, decodedInstructions, fences, checkedFences, staleBlocks, regionInstructions, translatedRuns, largestMethodBytes);
    }
}

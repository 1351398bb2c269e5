package dev.jvmm.cpu.riscv;

import dev.jvmm.memory.AddressSpace;
import dev.jvmm.memory.DirectRam;
import dev.jvmm.memory.DirtyPageLog;
import dev.jvmm.memory.GuestMemory;
import dev.jvmm.memory.MmioRegion;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Virtual-to-physical translation (bare, Sv39, Sv48) and every guest memory access.
 *
 * <p>Three direct-mapped TLBs (fetch, load, store) map a virtual page number to an offset
 * into RAM, so a hit costs one compare and one add (and {@link DirectRam}'s bounds check).
 * There is one set of TLBs per effective privilege (U, S, M); a privilege change only switches
 * sets. Entries are filled
 * only for RAM pages that the page tables and PMP fully allow for that kind of access (store
 * entries only once the PTE's D bit is set), so a hit needs no further checks. MMIO is never
 * cached. Misaligned accesses that cross a page translate both pages before touching memory.
 *
 * <p>Every store into RAM here goes through {@link DirectRam}, which does not mark the
 * {@link DirtyPageLog} (live migration resends marked pages): the store TLB is a cached writer
 * under the log's rules. A page is marked when a store entry for it is filled and when the
 * entry is dropped (replaced, flushed), and {@link #syncDirtyLog} marks and drops every store
 * entry once the log was collected; the slow path marks after each store. AMOs, LR/SC and A/D
 * updates go through {@link GuestMemory}'s atomics, which mark by themselves.
 */
final class Mmu {

    static final int FETCH = 0;
    static final int LOAD = 1;
    static final int STORE = 2;

    /**
     * 4096 entries per access type: a 256-entry TLB missed on every page of a few megabytes
     * walked again (cpubench's hash and string buffers, quicksort's array). A flush costs only
     * the entries filled since the last one (see {@code Tlb.flush}).
     */
    static final int TLB_BITS = 12;
    static final int TLB_SIZE = 1 << TLB_BITS;
    /** A TLB array's length: entry i's tag is at 2i (a virtual page number, -1 when empty), its host add at 2i + 1. */
    static final int TLB_LENGTH = 2 * TLB_SIZE;
    /** {@link #slot}'s mask. */
    static final int SLOT_MASK = TLB_LENGTH - 2;
    /** Fills a TLB set remembers for its next flush (see {@code Tlb.filled}). */
    private static final int FILL_LOG = 512;

    /**
     * Where the entry for {@code va}'s page lies in a TLB array: its tag there, the add (RAM
     * offset minus virtual address) after it. Tag and add side by side cost one cache line and,
     * in generated code, one register for the array instead of two (guest loops run out of them).
     * A page's entry lies only at its own slot, and neighbouring pages have different slots, so
     * the tag at {@code slot(va)} equals the page of an access's last byte,
     * {@code (va + size - 1) >>> 12}, only if the entry maps va's page and the access does not
     * run into the next one: fast paths check both with one compare.
     */
    static int slot(long va) {
        return (int) ((va >>> 11) & SLOT_MASK); // masked as a long: no zero-extension before indexing
    }

    private static final long PTE_V = 1;
    private static final long PTE_R = 2;
    private static final long PTE_W = 4;
    private static final long PTE_X = 8;
    private static final long PTE_U = 16;
    private static final long PTE_A = 64;
    private static final long PTE_D = 128;

    private static final int[] PAGE_FAULT = {
        Traps.INSTRUCTION_PAGE_FAULT, Traps.LOAD_PAGE_FAULT, Traps.STORE_PAGE_FAULT
    };
    private static final int[] ACCESS_FAULT = {
        Traps.INSTRUCTION_ACCESS_FAULT, Traps.LOAD_ACCESS_FAULT, Traps.STORE_ACCESS_FAULT
    };
    private static final int[] PMP_NEED = {Pmp.X, Pmp.R, Pmp.W};

    /** One privilege level's TLBs. */
    private static final class Tlb {
        /** Per access type, the entries as {@link #slot} lays them out. */
        final long[][] entries = new long[3][TLB_LENGTH];
        /** Where a dropped store entry's page is marked (see the class comment). */
        private final DirtyPageLog dirty;
        /** Whether S-mode entries for U pages (allowed by SUM) are cached. */
        boolean hasUserPages;
        /**
         * The virtual page numbers spanned by the superpages some entries came from (first >
         * last when none): an SFENCE.VMA for an address inside must drop every entry, as the
         * one leaf PTE it names may back many of them; outside, only the address's own entry.
         */
        long superpageFirst;
        long superpageLast;
        /**
         * The entries filled since the last flush (access type times the array's length, plus
         * the slot), so that a flush, which Linux does when it switches address spaces, costs
         * what was filled rather than the whole TLB; when more were filled than it holds, the
         * flush clears everything.
         */
        private final int[] filled = new int[FILL_LOG];
        private int fills;

        Tlb(DirtyPageLog dirty) {
            this.dirty = dirty;
            for (long[] e : entries) {
                clearTags(e);
            }
            flush();
        }

        /** Notes that the entry at slot {@code i} of access type {@code type} was filled. */
        void noteFill(int type, int i) {
            if (fills < filled.length) {
                filled[fills] = type * TLB_LENGTH + i;
                fills++;
            } else {
                fills = filled.length + 1; // past the log: the next flush clears everything (never wraps)
            }
        }

        private static void clearTags(long[] e) {
            for (int i = 0; i < e.length; i += 2) {
                e[i] = -1L;
            }
        }

        void flush() {
            if (fills > filled.length) {
                dropStoreEntries();
                for (long[] e : entries) {
                    clearTags(e);
                }
            } else {
                for (int k = 0; k < fills; k++) {
                    int type = filled[k] / TLB_LENGTH;
                    int i = filled[k] % TLB_LENGTH;
                    if (type == STORE) {
                        dropStoreEntry(i); // an entry dropped since then is -1 already: no mark
                    } else {
                        entries[type][i] = -1L;
                    }
                }
            }
            fills = 0;
            hasUserPages = false;
            superpageFirst = Long.MAX_VALUE;
            superpageLast = Long.MIN_VALUE;
        }

        /** Notes that an entry came from a superpage of {@code 1 << 9 * level} pages around {@code vpn}. */
        void noteSuperpage(long vpn, int level) {
            long span = (1L << (9 * level)) - 1;
            superpageFirst = Math.min(superpageFirst, vpn & ~span);
            superpageLast = Math.max(superpageLast, vpn | span);
        }

        /**
         * Drops the entries for the 4 KiB page of {@code va}, or everything if a cached
         * superpage covers it (Linux's per-page fences after user page faults then cost one
         * entry, not the kernel's whole linear map).
         */
        void flushPage(long va) {
            long vpn = va >>> 12;
            if (vpn >= superpageFirst && vpn <= superpageLast) {
                flush();
                return;
            }
            int i = slot(va);
            if (entries[STORE][i] == vpn) {
                dropStoreEntry(i);
            }
            for (long[] e : entries) {
                if (e[i] == vpn) {
                    e[i] = -1L;
                }
            }
        }

        /** Drops the store entry at slot {@code i} (if valid), marking its page: stores through it may have come after the last collection. */
        void dropStoreEntry(int i) {
            long[] e = entries[STORE];
            long vpn = e[i];
            if (vpn != -1L) {
                dirty.markOffset((vpn << 12) + e[i + 1]);
                e[i] = -1L;
            }
        }

        void dropStoreEntries() {
            for (int i = 0; i < TLB_LENGTH; i += 2) {
                dropStoreEntry(i);
            }
        }
    }

    private final AddressSpace bus;
    private final GuestMemory ram;
    final MemorySegment segment;
    /** The same bytes as {@link #segment}, for the accesses here and the interpreter's fetches. */
    final DirectRam direct;
    private final long ramBase;
    private final long ramSize;
    private final Csrs csrs;
    private final Pmp pmp;
    private Traps traps;

    private final DirtyPageLog dirty;
    /** The log's {@link DirtyPageLog#collections()} at the last {@link #syncDirtyLog}. */
    private int collectionsSeen;
    private final Tlb[] sets;

    // Current arrays (switched with privilege/MPRV): the interpreter's fast path reads these.
    long[] fetchTlb;
    long[] loadTlb;
    long[] storeTlb;
    private Tlb dataSet;

    /** Bumped whenever fetch translations may have changed, so cached code pages are dropped. */
    int fetchEpoch;

    Mmu(AddressSpace bus, Csrs csrs, Pmp pmp) {
        this.bus = bus;
        this.ram = bus.ram();
        ram.attachHart(); // its stores bypass the memory's accessors
        this.segment = ram.segment();
        this.direct = ram.direct();
        this.ramBase = ram.base();
        this.ramSize = ram.size();
        this.dirty = ram.dirtyPages();
        this.collectionsSeen = dirty.collections();
        this.sets = new Tlb[] {new Tlb(dirty), new Tlb(dirty), null, new Tlb(dirty)};
        this.csrs = csrs;
        this.pmp = pmp;
    }

    void attach(Traps traps) {
        this.traps = traps;
    }

    GuestMemory ram() {
        return ram;
    }

    // ---- TLB management ----

    void flushAll() {
        for (Tlb t : sets) {
            if (t != null) {
                t.flush();
            }
        }
        fetchEpoch++;
    }

    /** SFENCE.VMA with an address: drops that page's translations in every privilege's set. */
    void flushPage(long va) {
        for (Tlb t : sets) {
            if (t != null) {
                t.flushPage(va);
            }
        }
        fetchEpoch++;
    }

    /**
     * The dirty-page log's rule for cached writers: if the log was collected since the last
     * call, marks the page of every store entry and drops them (stores through them may have
     * followed the collector's clearing). Called on the hart's thread at every slice and before
     * it stops running; costs one volatile read otherwise.
     */
    void syncDirtyLog() {
        int c = dirty.collections();
        if (c != collectionsSeen) {
            collectionsSeen = c;
            for (Tlb t : sets) {
                if (t != null) {
                    t.dropStoreEntries();
                }
            }
        }
    }

    private int dataPrivilege() {
        int p = csrs.priv;
        if (p == Csrs.PRIV_M && (csrs.mstatus & Csrs.MSTATUS_MPRV) != 0) {
            return (int) ((csrs.mstatus & Csrs.MSTATUS_MPP) >>> Csrs.MSTATUS_MPP_SHIFT);
        }
        return p;
    }

    /** Points the fast-path arrays at the sets for the current effective privileges. */
    void selectSets() {
        Tlb f = sets[csrs.priv];
        fetchTlb = f.entries[FETCH];
        Tlb d = sets[dataPrivilege()];
        dataSet = d;
        loadTlb = d.entries[LOAD];
        storeTlb = d.entries[STORE];
        fetchEpoch++;
    }

    void onStatusChange(long old, long now) {
        long changed = old ^ now;
        if ((changed & (Csrs.MSTATUS_MPRV | Csrs.MSTATUS_MPP)) != 0) {
            selectSets();
        }
        if ((changed & Csrs.MSTATUS_MXR) != 0) {
            sets[Csrs.PRIV_S].flush();
            sets[Csrs.PRIV_U].flush();
        }
        // SUM 0 -> 1 only allows more, so nothing cached is wrong; 1 -> 0 must drop U pages.
        if ((changed & Csrs.MSTATUS_SUM) != 0 && (now & Csrs.MSTATUS_SUM) == 0 && sets[Csrs.PRIV_S].hasUserPages) {
            sets[Csrs.PRIV_S].flush();
        }
    }

    // ---- fast paths ----

    long load64(long va) {
        int i = slot(va);
        if (loadTlb[i] == (va + 7) >>> 12) {
            return direct.load64(va + loadTlb[i + 1]);
        }
        return loadSlow(va, 8);
    }

    int load32(long va) {
        int i = slot(va);
        if (loadTlb[i] == (va + 3) >>> 12) {
            return direct.load32(va + loadTlb[i + 1]);
        }
        return (int) loadSlow(va, 4);
    }

    short load16(long va) {
        int i = slot(va);
        if (loadTlb[i] == (va + 1) >>> 12) {
            return direct.load16(va + loadTlb[i + 1]);
        }
        return (short) loadSlow(va, 2);
    }

    byte load8(long va) {
        int i = slot(va);
        if (loadTlb[i] == (va >>> 12)) {
            return direct.load8(va + loadTlb[i + 1]);
        }
        return (byte) loadSlow(va, 1);
    }

    void store64(long va, long value) {
        int i = slot(va);
        if (storeTlb[i] == (va + 7) >>> 12) {
            long off = va + storeTlb[i + 1];
            direct.store64(off, value);
            return;
        }
        storeSlow(va, 8, value);
    }

    void store32(long va, int value) {
        int i = slot(va);
        if (storeTlb[i] == (va + 3) >>> 12) {
            long off = va + storeTlb[i + 1];
            direct.store32(off, value);
            return;
        }
        storeSlow(va, 4, value);
    }

    void store16(long va, short value) {
        int i = slot(va);
        if (storeTlb[i] == (va + 1) >>> 12) {
            long off = va + storeTlb[i + 1];
            direct.store16(off, value);
            return;
        }
        storeSlow(va, 2, value);
    }

    void store8(long va, byte value) {
        int i = slot(va);
        if (storeTlb[i] == (va >>> 12)) {
            long off = va + storeTlb[i + 1];
            direct.store8(off, value);
            return;
        }
        storeSlow(va, 1, value);
    }

    // ---- slow paths ----

    /** Zero-extended value of a load of {@code size} bytes at {@code va}. */
    long loadSlow(long va, int size) {
        if ((va & 0xfff) + size > GuestMemory.PAGE_SIZE) {
            // Crosses a page: translate both halves first so a fault is precise.
            int first = (int) (GuestMemory.PAGE_SIZE - (va & 0xfff));
            long pa1 = translate(va, LOAD, first);
            long pa2 = translate(va + first, LOAD, size - first);
            long v = 0;
            for (int b = size - 1; b >= 0; b--) {
                long pa = b < first ? pa1 + b : pa2 + (b - first);
                v = (v << 8) | (physicalRead(pa, 1, va, LOAD) & 0xff);
            }
            return v;
        }
        long pa = translate(va, LOAD, size);
        return physicalRead(pa, size, va, LOAD);
    }

    void storeSlow(long va, int size, long value) {
        if ((va & 0xfff) + size > GuestMemory.PAGE_SIZE) {
            int first = (int) (GuestMemory.PAGE_SIZE - (va & 0xfff));
            long pa1 = translate(va, STORE, first);
            long pa2 = translate(va + first, STORE, size - first);
            for (int b = 0; b < size; b++) {
                long pa = b < first ? pa1 + b : pa2 + (b - first);
                physicalWrite(pa, 1, value >>> (8 * b), va);
            }
            return;
        }
        long pa = translate(va, STORE, size);
        physicalWrite(pa, size, value, va);
    }

    private long physicalRead(long pa, int size, long va, int type) {
        if (ram.contains(pa, size)) {
            long off = pa - ramBase;
            return switch (size) {
                case 1 -> direct.load8(off) & 0xffL;
                case 2 -> direct.load16(off) & 0xffffL;
                case 4 -> direct.load32(off) & 0xffffffffL;
                default -> direct.load64(off);
            };
        }
        MmioRegion region = bus.findMmio(pa, size);
        if (region == null || type == FETCH) {
            throw traps.raise(ACCESS_FAULT[type], va);
        }
        long v;
        try {
            v = region.device().read(pa - region.base(), size);
        } catch (RuntimeException e) {
            throw traps.raise(ACCESS_FAULT[type], va);
        }
        return size == 8 ? v : v & ((1L << (8 * size)) - 1);
    }

    private void physicalWrite(long pa, int size, long value, long va) {
        if (ram.contains(pa, size)) {
            long off = pa - ramBase;
            if (codePages != null) {
                noteCodeWrite(off);
            }
            switch (size) {
                case 1 -> direct.store8(off, (byte) value);
                case 2 -> direct.store16(off, (short) value);
                case 4 -> direct.store32(off, (int) value);
                default -> direct.store64(off, value);
            }
            dirty.markOffset(off); // never across a page: storeSlow splits such stores
            return;
        }
        MmioRegion region = bus.findMmio(pa, size);
        if (region == null) {
            throw traps.raise(Traps.STORE_ACCESS_FAULT, va);
        }
        try {
            region.device().write(pa - region.base(), size, size == 8 ? value : value & ((1L << (8 * size)) - 1));
        } catch (RuntimeException e) {
            throw traps.raise(Traps.STORE_ACCESS_FAULT, va);
        }
    }

    /**
     * The segment offset of the 4 KiB RAM code page holding {@code va} minus the page's
     * virtual address, i.e. {@code offset = va + result}; raises fetch faults. The fetch TLB
     * is filled as a side effect when the whole page may be cached.
     */
    long fetchPageAdd(long va) {
        int i = slot(va);
        if (fetchTlb[i] == (va >>> 12)) {
            return fetchTlb[i + 1];
        }
        long pa = translate(va, FETCH, 2);
        if (!ram.contains(pa, 2)) {
            throw traps.raise(Traps.INSTRUCTION_ACCESS_FAULT, va);
        }
        if (fetchTlb[i] == (va >>> 12)) {
            return fetchTlb[i + 1];
        }
        return Long.MIN_VALUE; // not cacheable: caller must fetch through fetchParcel
    }

    /** A 16-bit instruction parcel at {@code va}, through the slow path. */
    int fetchParcel(long va) {
        long pa = translate(va, FETCH, 2);
        if (!ram.contains(pa, 2)) {
            throw traps.raise(Traps.INSTRUCTION_ACCESS_FAULT, va);
        }
        return direct.load16(pa - ramBase) & 0xffff;
    }

    /** The physical address for an AMO/LR/SC, which must be naturally aligned and in RAM. */
    long translateAtomic(long va, int size, boolean store) {
        if ((va & (size - 1)) != 0) {
            throw traps.raise(store ? Traps.STORE_MISALIGNED : Traps.LOAD_MISALIGNED, va);
        }
        int type = store ? STORE : LOAD;
        long pa = translate(va, type, size);
        if (!ram.contains(pa, size)) {
            throw traps.raise(ACCESS_FAULT[type], va);
        }
        if (store && codePages != null) {
            noteCodeWrite(pa - ramBase);
        }
        return pa;
    }

    // ---- pages holding translated code (JIT engine only) ----
    // Store TLB entries are never filled for such pages, so every CPU store to them takes the
    // slow path, which tells the translator before the bytes change.

    /** One bit per RAM page that holds translated code; null while no translator is attached. */
    private long[] codePages;
    private JitRuntime codeWatcher;

    void trackCode(JitRuntime watcher) {
        codeWatcher = watcher;
        codePages = watcher == null ? null : new long[(int) (((ramSize >>> 12) + 63) >>> 6)];
    }

    private boolean isCodePage(long pageIndex) {
        long[] bits = codePages;
        return bits != null && ((bits[(int) (pageIndex >>> 6)] >>> pageIndex) & 1) != 0;
    }

    /** Marks a RAM page (index from RAM base) as holding code and drops store TLB entries for it. */
    void markCodePage(long pageIndex) {
        if (codePages == null || pageIndex < 0 || pageIndex >= (ramSize >>> 12) || isCodePage(pageIndex)) {
            return;
        }
        codePages[(int) (pageIndex >>> 6)] |= 1L << pageIndex;
        long pageOffset = pageIndex << 12;
        for (Tlb t : sets) {
            if (t != null) {
                long[] e = t.entries[STORE];
                for (int i = 0; i < e.length; i += 2) {
                    if (e[i] != -1L && (e[i] << 12) + e[i + 1] == pageOffset) {
                        t.dropStoreEntry(i);
                    }
                }
            }
        }
    }

    void unmarkCodePage(long pageIndex) {
        if (codePages != null && pageIndex >= 0 && pageIndex < (ramSize >>> 12)) {
            codePages[(int) (pageIndex >>> 6)] &= ~(1L << pageIndex);
        }
    }

    void unmarkAllCodePages() {
        if (codePages != null) {
            Arrays.fill(codePages, 0);
        }
    }

    /** A CPU store (or the page walker's A/D update) to RAM offset {@code off} is about to happen (never across a page). */
    private void noteCodeWrite(long off) {
        long pageIndex = off >>> 12;
        if (isCodePage(pageIndex)) {
            codeWatcher.codeWritten(pageIndex);
        }
    }

    // ---- translation ----

    /**
     * Translates {@code va} for an access of {@code size} bytes (within one page) and checks
     * PMP for it; fills the TLB for that access type when the whole page may be cached.
     */
    long translate(long va, int type, int size) {
        int priv = type == FETCH ? csrs.priv : dataPrivilege();
        long satp = csrs.satp;
        long mode = satp >>> Csrs.SATP_MODE_SHIFT;
        long pa;
        boolean userPage = false;
        if (priv == Csrs.PRIV_M || mode == Csrs.SATP_MODE_BARE) {
            pa = va;
            walkLevel = 0;
        } else {
            long pte = walk(va, type, priv, satp, mode);
            userPage = (pte & PTE_U) != 0;
            pa = walkPa;
        }
        int need = PMP_NEED[type];
        if (!pmp.allows(pa, size, need, priv)) {
            throw traps.raise(ACCESS_FAULT[type], va);
        }
        long page = pa & ~0xfffL;
        if (ram.contains(page, GuestMemory.PAGE_SIZE) && pmp.allows(page, GuestMemory.PAGE_SIZE, need, priv)
                && !(type == STORE && isCodePage((page - ramBase) >>> 12))) {
            Tlb set = type == FETCH ? sets[priv] : dataSet;
            int i = slot(va);
            if (type == STORE) {
                // Cached write access: the page is marked now, the replaced entry's page as it goes.
                set.dropStoreEntry(i);
                dirty.markOffset(page - ramBase);
            }
            set.entries[type][i] = va >>> 12;
            set.entries[type][i + 1] = (page - ramBase) - (va & ~0xfffL);
            set.noteFill(type, i);
            if (userPage && priv == Csrs.PRIV_S) {
                set.hasUserPages = true;
            }
            if (walkLevel > 0) {
                set.noteSuperpage(va >>> 12, walkLevel);
            }
        }
        return pa;
    }

    /** The physical address and leaf level found by the last {@link #walk}. */
    private long walkPa;
    private int walkLevel;

    /** Walks the page tables; returns the leaf PTE (after A/D update) and sets {@link #walkPa}. */
    private long walk(long va, int type, int priv, long satp, long mode) {
        int levels = mode == Csrs.SATP_MODE_SV39 ? 3 : 4;
        int vaBits = 12 + 9 * levels;
        if (((va << (64 - vaBits)) >> (64 - vaBits)) != va) {
            throw traps.raise(PAGE_FAULT[type], va);
        }
        while (true) {
            long table = (satp & Csrs.SATP_PPN_MASK) << 12;
            for (int level = levels - 1; level >= 0; level--) {
                long pteAddr = table + (((va >>> (12 + 9 * level)) & 0x1ff) << 3);
                if (!ram.contains(pteAddr, 8) || !pmp.allows(pteAddr, 8, Pmp.R, Csrs.PRIV_S)) {
                    throw traps.raise(ACCESS_FAULT[type], va);
                }
                long pte = ram.atomicReadLong(pteAddr);
                if ((pte & PTE_V) == 0 || (pte & (PTE_R | PTE_W)) == PTE_W || (pte >>> 54) != 0) {
                    throw traps.raise(PAGE_FAULT[type], va);
                }
                long ppn = (pte >>> 10) & ((1L << 44) - 1);
                if ((pte & (PTE_R | PTE_X)) == 0) {
                    if (level == 0 || (pte & (PTE_A | PTE_D | PTE_U)) != 0) {
                        throw traps.raise(PAGE_FAULT[type], va);
                    }
                    table = ppn << 12;
                    continue;
                }
                checkLeafPermissions(pte, va, type, priv);
                long superMask = (1L << (9 * level)) - 1;
                if ((ppn & superMask) != 0) {
                    throw traps.raise(PAGE_FAULT[type], va); // misaligned superpage
                }
                long wanted = pte | PTE_A | (type == STORE ? PTE_D : 0);
                if (wanted != pte) {
                    // The A/D update is a store like any other: translated code on that page goes stale.
                    if (codePages != null) {
                        noteCodeWrite(pteAddr - ramBase);
                    }
                    if (ram.atomicCompareExchangeLong(pteAddr, pte, wanted) != pte) {
                        break; // PTE changed under us: walk again
                    }
                    pte = wanted;
                }
                long pageOffsetMask = (1L << (12 + 9 * level)) - 1;
                walkPa = ((ppn << 12) & ~pageOffsetMask) | (va & pageOffsetMask);
                walkLevel = level;
                return pte;
            }
        }
    }

    private void checkLeafPermissions(long pte, long va, int type, int priv) {
        boolean user = (pte & PTE_U) != 0;
        if (priv == Csrs.PRIV_U && !user) {
            throw traps.raise(PAGE_FAULT[type], va);
        }
        if (priv == Csrs.PRIV_S && user && (type == FETCH || (csrs.mstatus & Csrs.MSTATUS_SUM) == 0)) {
            throw traps.raise(PAGE_FAULT[type], va);
        }
        boolean ok = switch (type) {
            case FETCH -> (pte & PTE_X) != 0;
            case LOAD -> (pte & PTE_R) != 0 || ((csrs.mstatus & Csrs.MSTATUS_MXR) != 0 && (pte & PTE_X) != 0);
            default -> (pte & PTE_W) != 0;
        };
        if (!ok) {
            throw traps.raise(PAGE_FAULT[type], va);
        }
    }
}

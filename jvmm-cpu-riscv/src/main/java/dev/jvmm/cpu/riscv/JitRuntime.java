package dev.jvmm.cpu.riscv;

import dev.jvmm.cpu.riscv.translate.CodePageTracker;
import dev.jvmm.cpu.riscv.translate.HartConstants;
import dev.jvmm.cpu.riscv.translate.TranslatedBlock;
import dev.jvmm.cpu.riscv.translate.Translation;
import dev.jvmm.cpu.riscv.translate.Translator;
import dev.jvmm.cpu.riscv.translate.TranslatorOptions;
import dev.jvmm.cpu.riscv.translate.TranslatorStats;
import dev.jvmm.memory.GuestMemory;
import java.lang.invoke.MethodHandles;

/**
 * The translator tier's side of the hart: the dispatch loop that finds the block at pc
 * (through the fetch TLB) and runs it, the slow paths generated code calls, and the link
 * between the MMU's code-page tracking and the {@link Translator}. Generated classes are
 * defined in this package through this class's lookup and use the fields below directly
 * (see {@code translate.RuntimeLinkage}). Everything not translated runs in the
 * {@link Interpreter}, one block length (or one instruction) at a time.
 */
final class JitRuntime implements CodePageTracker {

    // The hart's parts; generated code holds them and this runtime as constants (see HartConstants).
    final long[] x;
    final Mmu mmu;
    final Interpreter interp;
    final Csrs csrs;

    private final Translator translator;
    private final BlockInterpreter blocks;

    /**
     * Heat of taken-jump targets in interpreted code (shared with the interpreter): at a target
     * reaching the warm threshold the runtime looks up (and decodes) the block; targets with a
     * decoded or compiled block are set to {@link #TRANSLATED_HEAT} so the interpreter stops at
     * them. Slots are shared by pcs that collide; that only costs a lookup.
     */
    private final int[] jumpHeat = new int[1 << 16];
    /** Far above any threshold, far below overflow: a jump here always stops the interpreter. */
    private static final int TRANSLATED_HEAT = 1 << 30;

    /**
     * The block interpreter's links made in another epoch are not followed; bumped (and the
     * compiled blocks' links reset) whenever a translation may have gone stale.
     */
    int linkEpoch;
    // Chaining (read and written by generated code; see TranslatedBlock).
    /** Instructions retired by the blocks of the current dispatch that called the running one. */
    int chained;
    /** The block that last returned to the dispatcher through an exit, and that exit's link slot (-1: none). */
    TranslatedBlock exitBlock;
    int exitSlot;

    /** Instructions a faulting block retired before the faulting one (set by the slow paths). */
    private int trapRetired;
    /** Set when a CPU store hit a page holding translated code (read by the block interpreter and after an atomic). */
    boolean codeWritten;

    private long translatedInstructions;
    private long interpretedInstructions;
    private long decodedInstructions;
    private long translatedRuns;

    JitRuntime(Interpreter interp, Csrs csrs, Mmu mmu, TranslatorOptions options) {
        this.x = interp.x;
        this.mmu = mmu;
        this.interp = interp;
        this.csrs = csrs;
        FloatUnit fp = interp.fp;
        this.translator = new Translator(MethodHandles.lookup(), mmu.segment, () -> new HartConstants(this, interp,
                mmu.direct, x, fp.f, csrs, fp.fpu, mmu, mmu.loadTlb, mmu.storeTlb),
                this, options);
        this.blocks = new BlockInterpreter(this, translator);
        interp.profileJumps(jumpHeat, options.warmThreshold());
        if (Boolean.getBoolean("jvmm.jit.stats")) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.println(
                    "jvmm jit stats: " + stats() + " localFences=" + localFences + " remoteFences=" + remoteFences
                            + " translatedShare=" + stats().translatedShare())));
        }
    }

    /**
     * Runs blocks until at least {@code chunk} instructions were attempted (as the
     * interpreter's runBlock counts them), never more than {@code limit}; returns early after
     * a trap, WFI or an instruction that needs the run loop's attention (CSR write, xRET,
     * FENCE.I, ...), exactly where the interpreter's runBlock would.
     *
     * <p>Where nothing is decoded the interpreter runs on until a taken jump reaches a target
     * that is warm or decoded ({@link Interpreter#jumped}); only there, and where decoded or
     * compiled code ends, does this loop look up the block at pc. A block is run compiled if it
     * is, else decoded, and compiled once it is hot (see {@link Translator#noteRun}).
     */
    int run(int chunk, long limit) {
        Interpreter in = interp;
        Mmu m = mmu;
        Csrs c = csrs;
        int[] heat = jumpHeat;
        int done = 0;
        boolean warmJump = false;
        TranslatedBlock from = null; // the block that returned here through a link slot
        int fromSlot = -1;
        while (done < chunk) {
            long pc = in.pc;
            long left = limit - done;
            Translation t = null;
            int i = Mmu.slot(pc);
            if (m.fetchTlb[i] == (pc >>> 12) && (pc & 1) == 0) {
                t = translator.lookup(pc, pc + m.fetchTlb[i + 1]);
            }
            TranslatedBlock b = null;
            if (t != null && t.length() != 0) {
                b = t.block();
                if (b == null && t.length() <= left) {
                    b = translator.noteRun(t);
                }
            }
            if (from != null) {
                if (b != null) {
                    translator.link(from, fromSlot, pc, b); // its next run calls b directly
                }
                from = null;
            }
            if (warmJump) {
                // Decoded or compiled: the interpreter stops here from now on; else count afresh.
                heat[(int) (pc >>> 1) & (heat.length - 1)] = t != null && t.length() != 0 ? TRANSLATED_HEAT : 0;
                warmJump = false;
            }
            if (b == null && t != null && t.decoded() != null && t.decoded().length <= left) {
                long before = c.instret;
                int n = blocks.runChain(t, chunk - done, left);
                done += n;
                long retired = c.instret - before;
                decodedInstructions += retired;
                if (retired != n) {
                    return done; // trapped: the handler is entered
                }
                continue;
            }
            if (b == null || t.entryRun() > left) {
                // Fetch TLB miss (the interpreter raises any fetch fault), nothing translated
                // here, or not enough budget left for the whole block or region run. Where the
                // code cache has an entry that the block interpreter cannot run (it starts with
                // a SYSTEM instruction or one that crosses into the next page), the interpreter
                // runs only that block: straight-line code after it is decoded, but the
                // interpreter would only stop at a taken jump.
                int run = (int) Math.min(left, chunk - done);
                if (t != null && b == null && t.decoded() == null) {
                    run = Math.min(run, Math.max(1, t.length()));
                }
                long before = c.instret;
                int n = in.runBlock(run);
                done += n;
                long retired = c.instret - before;
                interpretedInstructions += retired;
                if (in.atWarmTarget) {
                    in.atWarmTarget = false;
                    int h = heat[(int) (in.pc >>> 1) & (heat.length - 1)];
                    warmJump = h < TRANSLATED_HEAT; // else decoded already (or a slot it shares)
                    continue;
                }
                if (retired != n || in.breakBlock || in.waiting) {
                    return done;
                }
                continue;
            }
            int allowed = (int) Math.min(left, Math.max(chunk - done, t.entryRun()));
            try {
                translatedRuns++;
                chained = 0;
                int n = b.execute(allowed, 0) + chained;
                if (n == 0) {
                    // A guard stopped the block before its first instruction (FP disabled,
                    // invalid frm, another privilege's data TLB): the interpreter runs it (and
                    // raises the trap, if any).
                    long before = c.instret;
                    done += in.runBlock(1);
                    interpretedInstructions += c.instret - before;
                    if (c.instret == before || in.breakBlock || in.waiting) {
                        return done;
                    }
                    continue;
                }
                c.instret += n;
                translatedInstructions += n;
                done += n;
                if (exitBlock != null) {
                    from = exitSlot >= 0 ? exitBlock : null;
                    fromSlot = exitSlot;
                    exitBlock = null;
                }
            } catch (Traps.Trap trap) {
                // The slow path set pc to the faulting instruction and counted the retired ones.
                translatedInstructions += trapRetired;
                in.enterTrap(trap);
                return done + trapRetired + 1;
            }
        }
        return done;
    }

    // ---- slow paths called by generated code ----

    /**
     * At an exit without a link slot (a computed pc, another page): the compiled block to call
     * there, if the fetch TLB maps pc (so the current privilege may execute it) and the code
     * cache has a block for that mapping in the current epoch; else {@link TranslatedBlock#NONE}
     * and the block returns to the dispatcher.
     */
    TranslatedBlock chainTarget(long pc) {
        Mmu m = mmu;
        int i = Mmu.slot(pc);
        if (m.fetchTlb[i] != (pc >>> 12) || (pc & 1) != 0) {
            return TranslatedBlock.NONE;
        }
        TranslatedBlock b = translator.compiledAt(pc, pc + m.fetchTlb[i + 1]);
        return b != null ? b : TranslatedBlock.NONE;
    }

    /**
     * A load that missed the TLB inline: {@code retired} instructions of the block ran before
     * it, at {@code pc}. instret is exact while the access runs (MMIO may look at it). The
     * block leaves after it (its page walk may have set an A bit in translated code).
     */
    long loadSlow(long va, int size, long pc, int retired) {
        int before = enterSlowPath(retired);
        long v;
        try {
            v = mmu.loadSlow(va, size);
        } catch (Traps.Trap t) {
            throw trapAt(t, pc, before);
        }
        csrs.instret -= before;
        return v;
    }

    /**
     * A store that missed the store TLB (or hit a code page); the block leaves after it (it may
     * have overwritten translated code).
     */
    void storeSlow(long va, int size, long value, long pc, int retired) {
        int before = enterSlowPath(retired);
        try {
            mmu.storeSlow(va, size, value);
        } catch (Traps.Trap t) {
            throw trapAt(t, pc, before);
        }
        csrs.instret -= before;
    }

    /**
     * An AMO, LR or SC of translated code, {@code retired} instructions into its run: returns
     * the value for rd; {@link #codeWritten} tells whether it overwrote translated code.
     */
    long atomic(int insn, long va, long src, long pc, int retired) {
        int before = enterSlowPath(retired);
        long v;
        try {
            v = interp.atomic(insn, va, src);
        } catch (Traps.Trap t) {
            throw trapAt(t, pc, before);
        }
        csrs.instret -= before;
        return v;
    }

    /**
     * Starts a slow path {@code retired} instructions into a block's run: makes instret exact
     * for the access (counting the chain's callers too) and clears {@link #codeWritten};
     * returns the instructions retired before it, which the caller takes off instret again.
     */
    private int enterSlowPath(int retired) {
        int before = retired + chained;
        csrs.instret += before;
        codeWritten = false;
        return before;
    }

    /** A slow path's trap: the faulting instruction's pc and the count retired before it, for the dispatcher. */
    private Traps.Trap trapAt(Traps.Trap t, long pc, int before) {
        interp.pc = pc;
        trapRetired = before;
        return t;
    }

    // ---- code invalidation ----

    /** From the MMU: a CPU store is about to change a page holding translated code. */
    void codeWritten(long pageIndex) {
        codeWritten = true;
        translator.invalidatePage(pageIndex);
    }

    void invalidateAll() {
        newLinkEpoch();
        translator.invalidateAll();
        java.util.Arrays.fill(jumpHeat, 0);
    }

    long localFences;
    long remoteFences;
    /** The memory's {@link GuestMemory#accessorWrites()} when the last fence made the code cache re-check its entries. */
    private long accessorWritesChecked = -1;

    /** FENCE.I executed by this hart. */
    void instructionFence() {
        localFences++;
        fence();
    }

    /** A remote SFENCE.VMA or FENCE.I (from the SBI), on this hart's thread. */
    void remoteFence() {
        remoteFences++;
        fence();
    }

    /**
     * Makes writes by others before the fence visible to later fetches: every entry re-checks
     * its bytes at its next use, and no link is followed before that. Needless when this hart
     * is the only one on its memory and nothing wrote through the memory's accessors (devices,
     * the host) since the last check: its own stores into translated code dropped that code as
     * they happened. A Linux boot fences some 40,000 times, mostly after patching its own text.
     */
    private void fence() {
        GuestMemory ram = mmu.ram();
        long writes = ram.accessorWrites(); // read first: a write counted later is seen at the next fence
        boolean writtenBehind = writes != accessorWritesChecked || ram.attachedHarts() != 1;
        if (writtenBehind) {
            accessorWritesChecked = writes;
            newLinkEpoch();
        }
        translator.fence(writtenBehind);
    }

    @Override
    public void markCodePage(long pageIndex) {
        mmu.markCodePage(pageIndex);
    }

    @Override
    public void unmarkCodePage(long pageIndex) {
        newLinkEpoch(); // its translations are dropped: no link may lead there any more
        mmu.unmarkCodePage(pageIndex);
    }

    @Override
    public void unmarkAllCodePages() {
        newLinkEpoch();
        mmu.unmarkAllCodePages();
    }

    /** No link made so far is followed again (by either tier). */
    private void newLinkEpoch() {
        linkEpoch++;
        translator.unlinkAll();
    }

    TranslatorStats stats() {
        return translator.stats(translatedInstructions, interpretedInstructions, decodedInstructions, translatedRuns);
    }
}

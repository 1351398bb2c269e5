package dev.jvmm.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.IntPredicate;

/**
 * One mark per guest page, set on every write to the page: by the harts' stores (including the
 * translator's), by atomics and by device DMA. Live migration sends the marked pages round
 * after round; a snapshot could write only what changed.
 *
 * <p>Writers store the data first and the mark second, with release ordering; the collector
 * clears a mark (volatile) before it copies the page. So a write is either seen by that copy or
 * leaves its page marked for the next round, and no write is ever lost between rounds.
 *
 * <p>Cached writers (a hart's store TLB) write without marking, under three rules: mark a
 * page when caching write access to it and again when dropping that access; whenever
 * {@link #collections()} changed since they last looked, mark every page they hold and drop
 * them; look at least at every slice boundary of their thread and before it parks for a pause.
 * A write through a cached entry after the collector cleared its page is then marked again
 * when the entry goes, or when its writer next looks, which is after the collection ended; so
 * a paused machine's log is exact, and a running one's may miss such writes until each writer
 * next looks (a hart waiting for an interrupt looks when it runs again or pauses).
 * Marking is always on and needs no switching of the harts' fast paths.
 */
public final class DirtyPageLog {

    private static final VarHandle MARK = MethodHandles.arrayElementVarHandle(byte[].class);
    private static final VarHandle COLLECTIONS;

    static {
        try {
            COLLECTIONS = MethodHandles.lookup().findVarHandle(DirtyPageLog.class, "collections", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final byte[] marks;
    /** Collections finished (see {@link #collections()}). */
    private volatile int collections;

    DirtyPageLog(long memorySize) {
        long pages = memorySize / GuestMemory.PAGE_SIZE;
        if (pages > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("guest memory too large for the dirty-page log: " + memorySize);
        }
        this.marks = new byte[(int) pages];
        java.util.Arrays.fill(marks, (byte) 1); // everything is "dirty" relative to nothing sent
    }

    /** Pages covered. */
    public int pageCount() {
        return marks.length;
    }

    /** Marks the page holding RAM offset {@code offset} (not the guest address); call after the write. */
    public void markOffset(long offset) {
        MARK.setRelease(marks, (int) (offset >>> 12), (byte) 1);
    }

    /** Marks every page touched by {@code length} bytes from RAM offset {@code offset}. */
    public void markRange(long offset, long length) {
        if (length <= 0) {
            return;
        }
        int first = (int) (offset >>> 12);
        int last = (int) ((offset + length - 1) >>> 12);
        for (int p = first; p <= last; p++) {
            MARK.setRelease(marks, p, (byte) 1);
        }
    }

    /** Whether page {@code page} is marked. */
    public boolean isDirty(int page) {
        return (byte) MARK.getAcquire(marks, page) != 0;
    }

    /** Marks every page (e.g. before the first round of a migration). */
    public void markAll() {
        for (int p = 0; p < marks.length; p++) {
            MARK.setRelease(marks, p, (byte) 1);
        }
    }

    /**
     * For each marked page in order: clears its mark, then hands it to {@code sink} (which copies
     * it). Stops early, leaving later marks set, when {@code sink} returns false. Returns the
     * number of pages handed over. If {@code sink} throws, the page it was given is marked again.
     * Cached writers learn of every collection, however it ends (see the class comment).
     */
    public int collect(IntPredicate sink) {
        try {
            return collectMarked(sink);
        } finally {
            COLLECTIONS.getAndAdd(this, 1); // atomic: two collectors must not make one change
        }
    }

    /**
     * How many {@link #collect} calls have ended: a cached writer that sees it change must
     * mark every page it holds write access to, and drop them.
     */
    public int collections() {
        return collections;
    }

    private int collectMarked(IntPredicate sink) {
        int count = 0;
        for (int p = 0; p < marks.length; p++) {
            if (marks[p] != 0) {
                MARK.getAndSet(marks, p, (byte) 0);
                VarHandle.fullFence();
                count++;
                boolean more;
                try {
                    more = sink.test(p);
                } catch (RuntimeException | Error e) {
                    // The page was not copied: keep it for the next round.
                    MARK.setRelease(marks, p, (byte) 1);
                    throw e;
                }
                if (!more) {
                    return count;
                }
            }
        }
        return count;
    }

    /** How many pages are marked now (a moment's view while harts run). */
    public int dirtyCount() {
        int n = 0;
        for (byte b : marks) {
            n += b != 0 ? 1 : 0;
        }
        return n;
    }
}

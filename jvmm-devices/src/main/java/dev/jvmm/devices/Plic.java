package dev.jvmm.devices;

import dev.jvmm.memory.InterruptLine;
import dev.jvmm.memory.MmioDevice;
import dev.jvmm.memory.state.StateException;
import dev.jvmm.memory.state.StateReader;
import dev.jvmm.memory.state.StateWriter;
import dev.jvmm.memory.state.Stateful;
import java.util.List;
import java.util.Objects;

/**
 * The RISC-V PLIC as on QEMU's {@code virt} board (base 0xC00_0000, size 0x60_0000). Context
 * 2h is hart h's M-mode, 2h+1 its S-mode.
 *
 * <p>Register map: source priorities at 0x0 + 4·s, pending bits at 0x1000, per-context enable
 * bits at 0x2000 + 0x80·c, per-context threshold at 0x20_0000 + 0x1000·c and claim/complete
 * 4 bytes after it. Priorities and thresholds have 3 bits (0..7), as QEMU's {@code virt}:
 * a priority write keeps the low 3 bits, a threshold write above 7 is ignored. Registers are
 * 32 bits; an 8-byte aligned access acts as two 4-byte accesses, other sizes read 0 and are
 * ignored, as are sources, contexts and offsets that do not exist.
 *
 * <p>Gateways are level-triggered: a source whose line is high becomes pending unless it is in
 * service; the pending bit stays latched until claimed, even if the line falls meanwhile. A
 * claim returns the enabled pending source with the highest priority above the context's
 * threshold (ties go to the lowest id), clears its pending bit and puts it in service. A
 * completion for a source enabled in that context ends the service and samples the line again
 * (a completion for a source not enabled there is ignored, as the PLIC specification says).
 * A context's output line is high while some enabled, pending source has a priority above its
 * threshold.
 *
 * <p>Thread-safe; output lines are driven while this PLIC's lock is held, so their sinks must
 * not call back into the PLIC.
 *
 * <p>State: priorities, pending, in-service and input-level bits, and each context's enables and
 * threshold. A record is rejected if it could not have come from a PLIC of the same size: a
 * bit for a source that does not exist, a value out of range, a source both pending and in
 * service, or a high, idle source that is not pending. A restore drives every context line to
 * match. Sources re-driven by their devices' own restores before or after it agree with it, so
 * the order of restoring the PLIC and its devices does not matter.
 */
public final class Plic implements MmioDevice, Stateful {

    /** QEMU virt's source count (sources 1..95; 0 is reserved). */
    public static final int VIRT_SOURCES = 96;
    /** Highest priority and threshold value (3 bits, as QEMU virt). */
    public static final int MAX_PRIORITY = 7;
    /** Most sources the register layout has room for. */
    public static final int MAX_SOURCES = 1024;
    /** Most contexts the register layout has room for. */
    public static final int MAX_CONTEXTS = 15872;

    private static final long PRIORITY_BASE = 0x0;
    private static final long PENDING_BASE = 0x1000;
    private static final long ENABLE_BASE = 0x2000;
    private static final long ENABLE_STRIDE = 0x80;
    private static final long CONTEXT_BASE = 0x20_0000;
    private static final long CONTEXT_STRIDE = 0x1000;
    private static final long THRESHOLD = 0x0;
    private static final long CLAIM_COMPLETE = 0x4;

    private final int sources;
    private final int words;
    private final InterruptLine[] outputs;
    private final InterruptLine[] inputs;
    private final int[] priority;
    private final int[] pending;
    private final int[] inService;
    private final int[] level;
    private final int[][] enable;
    private final int[] threshold;
    private final boolean[] outputLevel;

    public Plic(int sources, List<InterruptLine> contextLines) {
        if (sources < 1 || sources > MAX_SOURCES) {
            throw new IllegalArgumentException("PLIC source count out of range: " + sources);
        }
        if (contextLines.size() > MAX_CONTEXTS) {
            throw new IllegalArgumentException("too many PLIC contexts: " + contextLines.size());
        }
        this.sources = sources;
        this.words = (sources + 31) / 32;
        this.outputs = contextLines.toArray(InterruptLine[]::new);
        for (InterruptLine line : outputs) {
            Objects.requireNonNull(line, "context line");
        }
        int contexts = outputs.length;
        this.priority = new int[sources];
        this.pending = new int[words];
        this.inService = new int[words];
        this.level = new int[words];
        this.enable = new int[contexts][words];
        this.threshold = new int[contexts];
        this.outputLevel = new boolean[contexts];
        this.inputs = new InterruptLine[sources];
        for (int n = 1; n < sources; n++) {
            int source = n;
            inputs[n] = high -> setSourceLevel(source, high);
        }
    }

    /** The input wire of source {@code n} (1 <= n < sources). */
    public InterruptLine source(int n) {
        if (n < 1 || n >= sources) {
            throw new IllegalArgumentException("no PLIC source " + n + " (have 1.." + (sources - 1) + ")");
        }
        return inputs[n];
    }

    @Override
    public long read(long offset, int size) {
        if (size == 8 && (offset & 7) == 0) {
            return readWord(offset) | readWord(offset + 4) << 32;
        }
        if (size == 4 && (offset & 3) == 0) {
            return readWord(offset);
        }
        return 0;
    }

    @Override
    public void write(long offset, int size, long value) {
        if (size == 8 && (offset & 7) == 0) {
            writeWord(offset, (int) value);
            writeWord(offset + 4, (int) (value >>> 32));
        } else if (size == 4 && (offset & 3) == 0) {
            writeWord(offset, (int) value);
        }
    }

    private synchronized long readWord(long offset) {
        if (offset >= PRIORITY_BASE && offset < PRIORITY_BASE + 4L * sources) {
            return priority[(int) ((offset - PRIORITY_BASE) >>> 2)];
        }
        if (offset >= PENDING_BASE && offset < PENDING_BASE + 4L * words) {
            return pending[(int) ((offset - PENDING_BASE) >>> 2)] & 0xFFFF_FFFFL;
        }
        if (offset >= ENABLE_BASE && offset < ENABLE_BASE + ENABLE_STRIDE * outputs.length) {
            int context = (int) ((offset - ENABLE_BASE) / ENABLE_STRIDE);
            int word = (int) (((offset - ENABLE_BASE) % ENABLE_STRIDE) >>> 2);
            return word < words ? enable[context][word] & 0xFFFF_FFFFL : 0;
        }
        if (offset >= CONTEXT_BASE && offset < CONTEXT_BASE + CONTEXT_STRIDE * outputs.length) {
            int context = (int) ((offset - CONTEXT_BASE) / CONTEXT_STRIDE);
            long register = (offset - CONTEXT_BASE) % CONTEXT_STRIDE;
            if (register == THRESHOLD) {
                return threshold[context];
            }
            if (register == CLAIM_COMPLETE) {
                return claim(context);
            }
        }
        return 0;
    }

    private synchronized void writeWord(long offset, int value) {
        if (offset >= PRIORITY_BASE && offset < PRIORITY_BASE + 4L * sources) {
            int source = (int) ((offset - PRIORITY_BASE) >>> 2);
            if (source != 0) {
                priority[source] = value & MAX_PRIORITY; // WARL: unsupported bits read as 0
                updateOutputs();
            }
        } else if (offset >= ENABLE_BASE && offset < ENABLE_BASE + ENABLE_STRIDE * outputs.length) {
            int context = (int) ((offset - ENABLE_BASE) / ENABLE_STRIDE);
            int word = (int) (((offset - ENABLE_BASE) % ENABLE_STRIDE) >>> 2);
            if (word < words) {
                enable[context][word] = value & implementedBits(word);
                updateOutputs();
            }
        } else if (offset >= CONTEXT_BASE && offset < CONTEXT_BASE + CONTEXT_STRIDE * outputs.length) {
            int context = (int) ((offset - CONTEXT_BASE) / CONTEXT_STRIDE);
            long register = (offset - CONTEXT_BASE) % CONTEXT_STRIDE;
            if (register == THRESHOLD) {
                if (Integer.compareUnsigned(value, MAX_PRIORITY) <= 0) {
                    threshold[context] = value;
                    updateOutputs();
                }
            } else if (register == CLAIM_COMPLETE) {
                complete(context, value);
            }
        }
        // Pending bits are read-only; everything else is unimplemented.
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public synchronized void saveState(StateWriter out) {
        out.putInt(sources);
        out.putInt(outputs.length);
        for (int p : priority) {
            out.putInt(p);
        }
        putWords(out, pending);
        putWords(out, inService);
        putWords(out, level);
        for (int context = 0; context < outputs.length; context++) {
            putWords(out, enable[context]);
            out.putInt(threshold[context]);
        }
    }

    private static void putWords(StateWriter out, int[] words) {
        for (int w : words) {
            out.putInt(w);
        }
    }

    @Override
    public void restoreState(StateReader in, int version) throws StateException {
        if (version != 1) {
            throw in.bad("version", version + " is not understood (this PLIC writes 1)");
        }
        int savedSources = in.getInt("source count");
        int savedContexts = in.getInt("context count");
        if (savedSources != sources || savedContexts != outputs.length) {
            throw in.bad("size", "%d sources and %d contexts do not match this PLIC's %d and %d"
                    .formatted(savedSources, savedContexts, sources, outputs.length));
        }
        int[] newPriority = new int[sources];
        for (int source = 0; source < sources; source++) {
            newPriority[source] = in.getInt("priority of source " + source, 0, source == 0 ? 0 : MAX_PRIORITY);
        }
        int[] newPending = getWords(in, "pending");
        int[] newInService = getWords(in, "in service");
        int[] newLevel = getWords(in, "level");
        int[][] newEnable = new int[outputs.length][];
        int[] newThreshold = new int[outputs.length];
        for (int context = 0; context < outputs.length; context++) {
            newEnable[context] = getWords(in, "enable of context " + context);
            newThreshold[context] = in.getInt("threshold of context " + context, 0, MAX_PRIORITY);
        }
        in.expectEnd();
        for (int word = 0; word < words; word++) {
            if ((newPending[word] & newInService[word]) != 0) {
                throw in.bad("pending", "has a source that is also in service");
            }
            if ((newLevel[word] & ~newInService[word] & ~newPending[word]) != 0) {
                throw in.bad("pending", "misses a source whose line is high and that is not in service");
            }
        }
        synchronized (this) {
            System.arraycopy(newPriority, 0, priority, 0, sources);
            System.arraycopy(newPending, 0, pending, 0, words);
            System.arraycopy(newInService, 0, inService, 0, words);
            System.arraycopy(newLevel, 0, level, 0, words);
            for (int context = 0; context < outputs.length; context++) {
                System.arraycopy(newEnable[context], 0, enable[context], 0, words);
            }
            System.arraycopy(newThreshold, 0, threshold, 0, outputs.length);
            for (int context = 0; context < outputs.length; context++) {
                // Driven even where unchanged: the harts at the far ends are restored too.
                outputLevel[context] = bestCandidate(context) != 0;
                outputs[context].set(outputLevel[context]);
            }
        }
    }

    /** One bit per source, {@link #words} words; bits for sources that do not exist are refused. */
    private int[] getWords(StateReader in, String field) throws StateException {
        int[] bits = new int[words];
        for (int word = 0; word < words; word++) {
            bits[word] = in.getInt(field);
            if ((bits[word] & ~implementedBits(word)) != 0) {
                throw in.bad(field, "word %d has bits for sources that do not exist: 0x%x".formatted(word, bits[word]));
            }
        }
        return bits;
    }

    /** Bits of enable/pending word {@code word} that name real sources (source 0 is not one). */
    private int implementedBits(int word) {
        int bits = -1;
        if (word == 0) {
            bits &= ~1;
        }
        int lastBits = sources - 32 * word;
        if (lastBits < 32) {
            bits &= (1 << lastBits) - 1;
        }
        return bits;
    }

    private synchronized void setSourceLevel(int source, boolean high) {
        setBit(level, source, high);
        if (high && !bit(inService, source)) {
            setBit(pending, source, true);
        }
        updateOutputs();
    }

    // Caller holds the lock.
    private int claim(int context) {
        int best = bestCandidate(context);
        if (best != 0) {
            setBit(pending, best, false);
            setBit(inService, best, true);
            updateOutputs();
        }
        return best;
    }

    // Caller holds the lock.
    private void complete(int context, int source) {
        if (source <= 0 || source >= sources || !bit(enable[context], source)) {
            return;
        }
        setBit(inService, source, false);
        if (bit(level, source)) {
            setBit(pending, source, true); // the gateway samples the still-high line again
        }
        updateOutputs();
    }

    /** The enabled pending source with the highest priority above threshold (lowest id wins ties), or 0. */
    private int bestCandidate(int context) {
        int best = 0;
        int bestPriority = threshold[context];
        int[] enabled = enable[context];
        for (int word = 0; word < words; word++) {
            int candidates = pending[word] & enabled[word];
            while (candidates != 0) {
                int bitIndex = Integer.numberOfTrailingZeros(candidates);
                candidates &= candidates - 1;
                int source = 32 * word + bitIndex;
                if (priority[source] > bestPriority) {
                    best = source;
                    bestPriority = priority[source];
                }
            }
        }
        return best;
    }

    // Caller holds the lock.
    private void updateOutputs() {
        for (int context = 0; context < outputs.length; context++) {
            boolean high = bestCandidate(context) != 0;
            if (outputLevel[context] != high) {
                outputLevel[context] = high;
                outputs[context].set(high);
            }
        }
    }

    private static boolean bit(int[] bits, int index) {
        return (bits[index >>> 5] & (1 << (index & 31))) != 0;
    }

    private static void setBit(int[] bits, int index, boolean value) {
        if (value) {
            bits[index >>> 5] |= 1 << (index & 31);
        } else {
            bits[index >>> 5] &= ~(1 << (index & 31));
        }
    }
}

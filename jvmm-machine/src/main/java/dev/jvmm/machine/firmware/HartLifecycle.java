package dev.jvmm.machine.firmware;

import dev.jvmm.memory.state.StateException;
import dev.jvmm.memory.state.StateReader;
import dev.jvmm.memory.state.StateWriter;
import dev.jvmm.memory.state.Stateful;
import java.util.Arrays;
import java.util.Optional;

/**
 * Which harts run, as the SBI HSM extension sees them. The built-in SBI changes states on
 * the guest's request; each hart's run loop (in the machine) obeys them: a STOPPED hart
 * parks in {@link #awaitStart}, a SUSPENDED one waits for an interrupt and then
 * {@link #resume}s. Thread-safe.
 */
public final class HartLifecycle implements Stateful {

    /** Where a hart goes when it (re)starts in S-mode: pc, and a1 ({@code opaque}); a0 is its id. */
    public record Entry(long address, long opaque) {
    }

    private final HartState[] states;
    private final Entry[] entries;

    /** Hart 0 STARTED and the others STOPPED (the built-in SBI), or all STARTED (M-mode firmware). */
    public HartLifecycle(int harts, boolean allStarted) {
        if (harts < 1) {
            throw new IllegalArgumentException("no harts");
        }
        states = new HartState[harts];
        entries = new Entry[harts];
        Arrays.fill(states, HartState.STOPPED);
        if (allStarted) {
            Arrays.fill(states, HartState.STARTED);
        } else {
            states[0] = HartState.STARTED;
        }
    }

    public int harts() {
        return states.length;
    }

    public synchronized HartState state(int hart) {
        return states[hart];
    }

    /** STOPPED → START_PENDING with an entry; false if the hart was not stopped. */
    public synchronized boolean requestStart(int hart, Entry entry) {
        if (states[hart] != HartState.STOPPED) {
            return false;
        }
        states[hart] = HartState.START_PENDING;
        entries[hart] = entry;
        notifyAll();
        return true;
    }

    /**
     * For a stopped hart's thread: waits up to {@code timeoutNanos} for a start request and
     * returns its entry (the state moves to STARTED), or empty.
     */
    public synchronized Optional<Entry> awaitStart(int hart, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (states[hart] != HartState.START_PENDING) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            wait(Math.max(1, left / 1_000_000));
        }
        states[hart] = HartState.STARTED;
        Entry e = entries[hart];
        entries[hart] = null;
        return Optional.of(e);
    }

    /** STARTED → STOPPED, on the hart's own request; false if it was not running. */
    public synchronized boolean stop(int hart) {
        if (states[hart] != HartState.STARTED) {
            return false;
        }
        states[hart] = HartState.STOPPED;
        return true;
    }

    /**
     * STARTED → SUSPENDED. {@code resumeEntry} is empty for a retentive suspend (the hart
     * continues after its ECALL) and the restart point for a non-retentive one.
     */
    public synchronized boolean suspend(int hart, Optional<Entry> resumeEntry) {
        if (states[hart] != HartState.STARTED) {
            return false;
        }
        states[hart] = HartState.SUSPENDED;
        entries[hart] = resumeEntry.orElse(null);
        return true;
    }

    /** SUSPENDED → STARTED; returns the non-retentive restart point, if any. */
    public synchronized Optional<Entry> resume(int hart) {
        if (states[hart] != HartState.SUSPENDED) {
            return Optional.empty();
        }
        states[hart] = HartState.STARTED;
        Entry e = entries[hart];
        entries[hart] = null;
        return Optional.ofNullable(e);
    }

    /** Whether no hart is running or about to run (then nothing can ever start one again). */
    public synchronized boolean allStopped() {
        for (HartState s : states) {
            if (s != HartState.STOPPED) {
                return false;
            }
        }
        return true;
    }

    /** Wakes every thread in {@link #awaitStart} (the machine is stopping). */
    public synchronized void wakeAll() {
        notifyAll();
    }

    @Override
    public int stateVersion() {
        return 1;
    }

    @Override
    public synchronized void saveState(StateWriter out) {
        out.putInt(states.length);
        for (int h = 0; h < states.length; h++) {
            out.putString(states[h].name());
            out.putBoolean(entries[h] != null);
            if (entries[h] != null) {
                out.putLong(entries[h].address()).putLong(entries[h].opaque());
            }
        }
    }

    @Override
    public synchronized void restoreState(StateReader in, int version) throws StateException {
        in.getInt("hart count", states.length, states.length);
        HartState[] s = new HartState[states.length];
        Entry[] e = new Entry[states.length];
        for (int h = 0; h < s.length; h++) {
            String name = in.getString("hart state", 32);
            try {
                s[h] = HartState.valueOf(name);
            } catch (IllegalArgumentException ex) {
                throw in.bad("hart state", "'" + name + "' is unknown");
            }
            if (in.getBoolean("entry present")) {
                e[h] = new Entry(in.getLong("entry address"), in.getLong("entry opaque"));
            }
        }
        in.expectEnd();
        System.arraycopy(s, 0, states, 0, s.length);
        System.arraycopy(e, 0, entries, 0, e.length);
        notifyAll();
    }
}

package dev.jvmm.memory.state;

/**
 * A component whose state is part of a snapshot or a migration.
 *
 * <p>{@link #saveState} and {@link #restoreState} are called only while the machine is paused:
 * no hart runs and no back end delivers into the component. The record holds guest-visible
 * state only; caches (TLBs, translated code) and host resources (files, sockets, threads) are
 * not state. {@link #restoreState} is called on a freshly assembled component of the same
 * configuration; it either applies the whole record or throws and leaves the component as it was
 * built.
 */
public interface Stateful {

    /**
     * The version of the record this component writes. Raise it whenever the layout changes;
     * {@link #restoreState} keeps accepting the older versions it can still read.
     */
    int stateVersion();

    /** Writes the component's state. */
    void saveState(StateWriter out);

    /**
     * Replaces the component's state with a record of version {@code version} (at most
     * {@link #stateVersion()}); throws if the record is malformed, holds an impossible value, or
     * its version is not understood.
     */
    void restoreState(StateReader in, int version) throws StateException;
}

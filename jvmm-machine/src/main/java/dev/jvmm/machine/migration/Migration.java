package dev.jvmm.machine.migration;

/** A migration under way from this process; the source machine keeps running until it completes. */
public interface Migration {

    /** A moment's view of the migration. */
    MigrationStatus status();

    /** Waits until the migration completed or failed, then returns its final status. */
    MigrationStatus awaitEnd() throws InterruptedException;
}

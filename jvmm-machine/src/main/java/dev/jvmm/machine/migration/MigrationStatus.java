package dev.jvmm.machine.migration;

import java.util.Optional;

/**
 * A moment's view of a migration, as {@code query-migrate} reports it.
 *
 * @param state                   where the migration is
 * @param totalPages              guest pages in all
 * @param sentPages               pages sent so far (a page sent in several rounds counts each time)
 * @param remainingPages          pages marked dirty and not yet sent
 * @param dirtyPagesPerSecond     how fast the guest dirtied pages in the last round
 * @param expectedDowntimeMillis  how long the final stop-and-copy would take now
 * @param downtimeMillis          once completed: how long the guest was paused
 * @param totalMillis             time since the migration started (or its whole duration once ended)
 * @param throttlePercent         how much the source's harts are slowed to let the migration converge
 * @param error                   why it failed, once failed
 * @param sentBytes               bytes written to the stream so far (pages of zeros cost five bytes, not a page)
 */
public record MigrationStatus(State state, long totalPages, long sentPages, long remainingPages,
                              long dirtyPagesPerSecond, long expectedDowntimeMillis, long downtimeMillis,
                              long totalMillis, int throttlePercent, Optional<String> error,
                              long sentBytes) {

    /** QMP's names for the phases, lower case: {@code setup}, {@code active}, {@code completed}, {@code failed}. */
    public enum State { SETUP, ACTIVE, COMPLETED, FAILED }
}

package dev.jvmm.cli.control;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import dev.jvmm.machine.migration.MigrationStatus;
import dev.jvmm.memory.GuestMemory;

/**
 * A migration's progress as {@code query-migrate} reports it, in bytes and milliseconds. The
 * server makes it from the machine's {@link MigrationStatus} and writes it in QMP's shape
 * ({@link #toQmp()}); the client reads it back ({@link #fromQmp(Map)}).
 *
 * @param status           {@code setup}, {@code active}, {@code completed} or {@code failed}
 * @param totalBytes       guest RAM
 * @param transferredBytes bytes sent so far (a page sent in several rounds counts each time; a page of zeros costs a few bytes)
 * @param remainingBytes   dirty RAM not yet sent
 * @param dirtyPagesRate   pages the guest dirtied a second, in the last round
 * @param expectedDowntime the final stop-and-copy would take this long now (ms)
 * @param downtime         once completed: how long the guest was paused (ms)
 * @param totalTime        since the migration started, or its whole duration once ended (ms)
 * @param throttlePercent  how much the source's harts are slowed so that the migration converges
 * @param error            why it failed, once failed
 */
public record MigrationInfo(String status, long totalBytes, long transferredBytes, long remainingBytes,
                            long dirtyPagesRate, long expectedDowntime, long downtime, long totalTime,
                            int throttlePercent, Optional<String> error) {

    static final int PAGE_SIZE = GuestMemory.PAGE_SIZE;

    public static MigrationInfo of(MigrationStatus s) {
        return new MigrationInfo(s.state().name().toLowerCase(Locale.ROOT), s.totalPages() * PAGE_SIZE,
                s.sentBytes(), s.remainingPages() * PAGE_SIZE, s.dirtyPagesPerSecond(),
                s.expectedDowntimeMillis(), s.downtimeMillis(), s.totalMillis(), s.throttlePercent(), s.error());
    }

    public boolean completed() {
        return status.equals("completed");
    }

    public boolean failed() {
        return status.equals("failed");
    }

    /** How much of RAM is across, 0 to 1: all but what is still dirty. */
    public double fractionDone() {
        if (totalBytes <= 0) {
            return completed() ? 1 : 0;
        }
        return Math.clamp((double) (totalBytes - remainingBytes) / totalBytes, 0.0, 1.0);
    }

    /** Average throughput so far, in megabits a second (QMP's {@code mbps}). */
    public double mbps() {
        return totalTime <= 0 ? 0 : transferredBytes * 8.0 / 1e3 / totalTime;
    }

    /**
     * QMP's {@code query-migrate} reply: {@code status}, {@code total-time}, then
     * {@code expected-downtime} while under way or {@code downtime} once completed, {@code ram}
     * with QMP's member names, jvmm's {@code throttle-percent} (and QMP's
     * {@code cpu-throttle-percentage} while throttled), and {@code error-desc} once failed.
     */
    public Map<String, Object> toQmp() {
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("status", status);
        reply.put("total-time", totalTime);
        if (completed()) {
            reply.put("downtime", downtime);
        } else if (!failed()) {
            reply.put("expected-downtime", expectedDowntime);
        }
        Map<String, Object> ram = new LinkedHashMap<>();
        ram.put("transferred", transferredBytes);
        ram.put("remaining", remainingBytes);
        ram.put("total", totalBytes);
        ram.put("dirty-pages-rate", dirtyPagesRate);
        ram.put("page-size", PAGE_SIZE);
        ram.put("mbps", mbps());
        reply.put("ram", ram);
        reply.put("throttle-percent", throttlePercent);
        if (throttlePercent > 0) {
            reply.put("cpu-throttle-percentage", throttlePercent);
        }
        error.ifPresent(e -> reply.put("error-desc", e));
        return reply;
    }

    /**
     * Reads a {@code query-migrate} reply; absent numbers read as 0. An empty reply (no migration
     * started yet) reads as {@code setup}.
     */
    public static MigrationInfo fromQmp(Map<?, ?> reply) {
        Map<?, ?> ram = reply.get("ram") instanceof Map<?, ?> m ? m : Map.of();
        String status = reply.get("status") instanceof String s ? s : "setup";
        return new MigrationInfo(status, number(ram, "total"), number(ram, "transferred"), number(ram, "remaining"),
                number(ram, "dirty-pages-rate"), number(reply, "expected-downtime"), number(reply, "downtime"),
                number(reply, "total-time"), (int) number(reply, "throttle-percent"),
                Optional.ofNullable(reply.get("error-desc") instanceof String e ? e : null));
    }

    private static long number(Map<?, ?> map, String key) {
        return map.get(key) instanceof Number n ? n.longValue() : 0;
    }
}

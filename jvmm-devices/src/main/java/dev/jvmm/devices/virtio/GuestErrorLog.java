package dev.jvmm.devices.virtio;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Rate-limited warnings for driver mistakes, shared by all virtio devices so a hostile or buggy
 * guest cannot flood the host log: at most {@link #BURST} messages per minute, then one summary.
 */
public final class GuestErrorLog {

    static final int BURST = 10;
    private static final long WINDOW_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final System.Logger LOG = System.getLogger("dev.jvmm.devices.virtio");
    private static final Object LOCK = new Object();
    private static long windowStart = System.nanoTime();
    private static int inWindow;
    private static final AtomicLong suppressed = new AtomicLong();

    /** Logs {@code message} (with {@link String#format} arguments) unless the budget is spent. */
    public static void warn(String format, Object... args) {
        long dropped = 0;
        synchronized (LOCK) {
            long now = System.nanoTime();
            if (now - windowStart > WINDOW_NANOS) {
                windowStart = now;
                inWindow = 0;
                dropped = suppressed.getAndSet(0);
            }
            if (inWindow >= BURST) {
                suppressed.incrementAndGet();
                return;
            }
            inWindow++;
        }
        if (dropped > 0) {
            LOG.log(System.Logger.Level.WARNING, "virtio: " + dropped + " driver errors not logged");
        }
        LOG.log(System.Logger.Level.WARNING, String.format(format, args));
    }

    private GuestErrorLog() {
    }
}

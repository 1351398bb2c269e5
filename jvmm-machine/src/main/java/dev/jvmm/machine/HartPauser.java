package dev.jvmm.machine;

/**
 * Brings every hart thread to a stop between run slices (so at an instruction boundary) and
 * lets them go again. The machine asks each hart to leave its slice; each hart thread, on
 * seeing {@link #pauseRequested()}, calls {@link #parkIfPaused()} and stays there until
 * {@link #release()}. A hart thread that has ended counts as parked.
 */
final class HartPauser {

    private final int harts;
    private int parked;
    private int ended;
    private volatile boolean requested;

    HartPauser(int harts) {
        this.harts = harts;
    }

    /** Whether hart threads should park now; cheap, read on every slice. */
    boolean pauseRequested() {
        return requested;
    }

    /** Asks the harts to park; the caller then makes each leave its slice and waits in {@link #awaitParked}. */
    synchronized void request() {
        requested = true;
    }

    /** Waits until every hart thread is parked or ended; false if {@code timeoutMillis} passed first. */
    synchronized boolean awaitParked(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (parked + ended < harts) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                return false;
            }
            wait(left);
        }
        return true;
    }

    /** Lets the parked harts run on. */
    synchronized void release() {
        requested = false;
        notifyAll();
    }

    /** Called by a hart thread between slices: parks while a pause is requested. */
    synchronized void parkIfPaused() throws InterruptedException {
        if (!requested) {
            return;
        }
        parked++;
        notifyAll();
        try {
            while (requested) {
                wait();
            }
        } finally {
            parked--;
        }
    }

    /** Called once by a hart thread as it ends. */
    synchronized void ended() {
        ended++;
        notifyAll();
    }
}

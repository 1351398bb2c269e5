package dev.jvmm.devices;

import dev.jvmm.memory.InterruptLine;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A test interrupt line that remembers its level and every change driven onto it. */
final class RecordingLine implements InterruptLine {

    private final List<Boolean> history = new CopyOnWriteArrayList<>();
    private volatile boolean level;

    @Override
    public synchronized void set(boolean level) {
        this.level = level;
        history.add(level);
        notifyAll();
    }

    boolean level() {
        return level;
    }

    List<Boolean> history() {
        return List.copyOf(history);
    }

    /** Waits until the line is at {@code wanted}; returns whether it got there in time. */
    synchronized boolean awaitLevel(boolean wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (level != wanted) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}

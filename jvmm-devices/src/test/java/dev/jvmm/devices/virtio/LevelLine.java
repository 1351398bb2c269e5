package dev.jvmm.devices.virtio;

import dev.jvmm.memory.InterruptLine;
import java.util.concurrent.atomic.AtomicInteger;

/** A test interrupt line that remembers its level and counts rising edges. */
public final class LevelLine implements InterruptLine {

    private volatile boolean level;
    private final AtomicInteger risingEdges = new AtomicInteger();

    @Override
    public synchronized void set(boolean level) {
        if (level && !this.level) {
            risingEdges.incrementAndGet();
        }
        this.level = level;
    }

    public boolean level() {
        return level;
    }

    public int risingEdges() {
        return risingEdges.get();
    }
}

package dev.jvmm.devices.virtio.net;

import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link NetMetrics}; updated from hart and backend threads. */
final class NetCounters {

    private final LongAdder rxFrames = new LongAdder();
    private final LongAdder rxBytes = new LongAdder();
    private final LongAdder rxDropped = new LongAdder();
    private final LongAdder txFrames = new LongAdder();
    private final LongAdder txBytes = new LongAdder();
    private final LongAdder txDropped = new LongAdder();

    void received(int bytes) {
        rxFrames.increment();
        rxBytes.add(bytes);
    }

    void receiveDropped(int frames) {
        rxDropped.add(frames);
    }

    void transmitted(int bytes) {
        txFrames.increment();
        txBytes.add(bytes);
    }

    void transmitDropped() {
        txDropped.increment();
    }

    NetMetrics snapshot() {
        return new NetMetrics(rxFrames.sum(), rxBytes.sum(), rxDropped.sum(),
                txFrames.sum(), txBytes.sum(), txDropped.sum());
    }
}

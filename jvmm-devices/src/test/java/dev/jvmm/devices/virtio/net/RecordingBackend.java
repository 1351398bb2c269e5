package dev.jvmm.devices.virtio.net;

import dev.jvmm.net.NetBackend;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** A test backend: records what the guest sends and lets a test deliver frames through the sink. */
final class RecordingBackend implements NetBackend {

    final List<byte[]> sent = new CopyOnWriteArrayList<>();
    final AtomicInteger starts = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();
    private volatile FrameSink sink;
    private volatile Consumer<byte[]> onSend = frame -> { };

    @Override
    public void start(FrameSink toGuest) {
        starts.incrementAndGet();
        sink = toGuest;
    }

    @Override
    public void send(ByteBuffer frame) {
        byte[] copy = new byte[frame.remaining()];
        frame.get(copy);
        sent.add(copy);
        onSend.accept(copy);
    }

    @Override
    public void close() {
        closes.incrementAndGet();
    }

    /** Runs {@code action} inside every {@link #send}, after recording the frame. */
    void onSend(Consumer<byte[]> action) {
        onSend = action;
    }

    /** Delivers {@code frame} to the device as the backend's thread would. */
    void deliver(byte[] frame) throws InterruptedException {
        sink.deliver(ByteBuffer.wrap(frame));
    }
}

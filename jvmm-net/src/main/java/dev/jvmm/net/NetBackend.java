package dev.jvmm.net;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The far side of a virtual NIC: it takes Ethernet frames the guest sends and delivers
 * frames for the guest. Frames are whole Ethernet II frames (destination MAC first, no FCS,
 * no virtio header), at most {@link #MAX_FRAME} bytes.
 *
 * <p>Lifecycle: the device calls {@link #start(FrameSink)} once, then {@link #send(ByteBuffer)}
 * for every frame the guest transmits (on whatever thread the device runs), and
 * {@link #close()} when the machine goes away. The backend delivers frames on its own
 * threads through the sink.
 */
public interface NetBackend extends AutoCloseable {

    /** The largest frame either side passes: 1514 bytes of Ethernet plus room for a VLAN tag. */
    int MAX_FRAME = 1518;

    /** Starts delivering frames for the guest to {@code toGuest}. */
    void start(FrameSink toGuest) throws IOException;

    /** A frame the guest sent; the buffer is only valid during the call. Malformed frames are dropped. */
    void send(ByteBuffer frame);

    @Override
    void close() throws IOException;

    /** Where a backend delivers frames for the guest. */
    @FunctionalInterface
    interface FrameSink {

        /**
         * Hands one frame to the device; the buffer is only valid during the call. Blocks while
         * the device's receive backlog is full, so a backend slows down instead of losing data
         * it cannot resend.
         */
        void deliver(ByteBuffer frame) throws InterruptedException;
    }
}

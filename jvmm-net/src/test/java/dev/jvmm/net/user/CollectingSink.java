package dev.jvmm.net.user;

import dev.jvmm.net.NetBackend;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** A frame sink that keeps every frame the backend delivers, for the test to take. */
final class CollectingSink implements NetBackend.FrameSink {

    private final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();

    @Override
    public void deliver(ByteBuffer frame) {
        byte[] f = new byte[frame.remaining()];
        frame.get(f);
        if (f.length > NetBackend.MAX_FRAME) {
            throw new AssertionError("backend delivered an oversized frame: " + f.length);
        }
        frames.add(f);
    }

    /** The next frame, or null after {@code millis}. */
    byte[] poll(long millis) throws InterruptedException {
        return frames.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Skips frames until {@code parser} yields non-null; fails after {@code millis}. */
    <T> T await(Function<byte[], T> parser, long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (true) {
            long left = (end - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new AssertionError("no matching frame within " + millis + " ms");
            }
            byte[] f = poll(left);
            if (f != null) {
                T t = parser.apply(f);
                if (t != null) {
                    return t;
                }
            }
        }
    }
}

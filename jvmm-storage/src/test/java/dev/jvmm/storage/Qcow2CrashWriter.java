package dev.jvmm.storage;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;

/**
 * Child-process main for {@link Qcow2CrashTest}: writes 4 KiB slots of a qcow2 image in a
 * fixed scattered order, flushing every few writes and printing "F i" once writes 0..i are
 * durable, until the parent kills it with SIGKILL.
 */
public final class Qcow2CrashWriter {

    static final int SLOT = 4096;
    static final int FLUSH_EVERY = 8;

    private Qcow2CrashWriter() {
    }

    static long slotOffset(int i, long size) {
        long slots = size / SLOT;
        return (i * 7919L % slots) * SLOT;
    }

    static byte[] pattern(int i) {
        byte[] b = new byte[SLOT];
        new Random(1_000_003L * i + 17).nextBytes(b);
        return b;
    }

    public static void main(String[] args) throws Exception {
        try (Qcow2Image img = Qcow2Image.open(Path.of(args[0]), false)) {
            long slots = img.size() / SLOT;
            for (int i = 0; i < slots; i++) {
                img.write(slotOffset(i, img.size()), ByteBuffer.wrap(pattern(i)));
                if (i % FLUSH_EVERY == FLUSH_EVERY - 1) {
                    img.flush();
                    System.out.println("F " + i);
                    System.out.flush();
                }
            }
        }
        System.out.println("DONE");
    }
}

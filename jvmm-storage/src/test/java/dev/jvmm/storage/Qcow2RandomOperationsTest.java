package dev.jvmm.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Random writes, reads, discards, flushes and reopens on a qcow2 image (optionally over a
 * backing file) compared with a byte-array model; at the end the image must pass qemu-img check.
 */
class Qcow2RandomOperationsTest {

    private static final int SIZE = 256 * 1024 + 512 * 3;

    sealed interface Op permits Write, Read, Discard, Flush, Reopen {
    }

    record Write(int offset, int length, long seed) implements Op {
    }

    record Read(int offset, int length) implements Op {
    }

    record Discard(int offset, int length) implements Op {
    }

    record Flush() implements Op {
    }

    record Reopen() implements Op {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Integer> offset = Arbitraries.integers().between(0, SIZE - 1);
        Arbitrary<Integer> length = Arbitraries.oneOf(Arbitraries.integers().between(1, 700),
                Arbitraries.integers().between(1, 40_000));
        Arbitrary<Op> write = Combinators.combine(offset, length, Arbitraries.longs())
                .as((o, l, s) -> new Write(o, Math.min(l, SIZE - o), s));
        Arbitrary<Op> read = Combinators.combine(offset, length).as((o, l) -> new Read(o, Math.min(l, SIZE - o)));
        Arbitrary<Op> discard = Combinators.combine(offset, length).as((o, l) -> new Discard(o, Math.min(l, SIZE - o)));
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, write), net.jqwik.api.Tuple.of(4, read), net.jqwik.api.Tuple.of(2, discard),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Flush())),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Reopen())));
        return op.list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 40, seed = "20261126")
    void qcow2BehavesLikeAByteArray(@ForAll("ops") List<Op> ops,
                                    @ForAll @IntRange(min = 9, max = 16) int clusterBits,
                                    @ForAll boolean withBacking) throws Exception {
        Path dir = Files.createTempDirectory("qcow2-prop");
        try {
            byte[] model = new byte[SIZE];
            Path img = dir.resolve("img.qcow2");
            if (withBacking) {
                new Random(clusterBits).nextBytes(model);
                Files.write(dir.resolve("base.raw"), model);
                Qcow2Image.create(img, SIZE, 1 << clusterBits, "base.raw", ImageFormat.RAW);
            } else {
                Qcow2Image.create(img, SIZE, 1 << clusterBits, null, null);
            }
            int clusterSize = 1 << clusterBits;
            BlockBackend q = Qcow2Image.open(img, false);
            try {
                for (Op op : ops) {
                    switch (op) {
                        case Write w -> {
                            byte[] data = new byte[w.length()];
                            new Random(w.seed()).nextBytes(data);
                            q.write(w.offset(), ByteBuffer.wrap(data));
                            System.arraycopy(data, 0, model, w.offset(), data.length);
                        }
                        case Read r -> {
                            ByteBuffer buf = ByteBuffer.allocate(r.length());
                            q.read(r.offset(), buf);
                            assertThat(buf.array()).as("read %s", r)
                                    .isEqualTo(Arrays.copyOfRange(model, r.offset(), r.offset() + r.length()));
                        }
                        case Discard d -> {
                            q.discard(d.offset(), d.length());
                            // Whole clusters inside the range read as zeros afterwards (v3, with or without backing).
                            long first = (d.offset() + clusterSize - 1L) / clusterSize * clusterSize;
                            long end = d.offset() + d.length() == SIZE ? SIZE
                                    : (long) (d.offset() + d.length()) / clusterSize * clusterSize;
                            if (end > first) {
                                Arrays.fill(model, (int) first, (int) end, (byte) 0);
                            }
                        }
                        case Flush f -> q.flush();
                        case Reopen r -> {
                            q.close();
                            q = Qcow2Image.open(img, false);
                        }
                    }
                }
                ByteBuffer all = ByteBuffer.allocate(SIZE);
                q.read(0, all);
                assertThat(all.array()).isEqualTo(model);
            } finally {
                q.close();
            }
            QemuTools.assertCheckClean(img);
            try (BlockBackend r = Qcow2Image.open(img, true)) {
                ByteBuffer all = ByteBuffer.allocate(SIZE);
                r.read(0, all);
                assertThat(all.array()).isEqualTo(model);
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}

package dev.jvmm.machine.boot;

import java.util.List;

/** A kernel or firmware file, understood: either relocatable flat bytes or segments at fixed addresses. */
public sealed interface BootImage {

    /**
     * A Linux RISC-V {@code Image} (or a raw firmware binary): goes wherever the board puts
     * it and starts at its first byte. {@code memorySize} covers its BSS ({@code image_size}).
     */
    record Flat(byte[] bytes, long memorySize) implements BootImage {
        public Flat {
            if (memorySize < bytes.length) {
                throw new IllegalArgumentException("memory size smaller than the image");
            }
        }
    }

    /** An ELF64 RISC-V executable: PT_LOAD segments at their physical addresses, and the entry point. */
    record Elf(List<Segment> segments, long entry) implements BootImage {
        public Elf {
            segments = List.copyOf(segments);
            if (segments.isEmpty()) {
                throw new IllegalArgumentException("an ELF image needs at least one segment");
            }
        }

        public long low() {
            return segments.stream().mapToLong(Segment::address).min().orElseThrow();
        }

        public long high() {
            return segments.stream().mapToLong(Segment::end).max().orElseThrow();
        }
    }
}

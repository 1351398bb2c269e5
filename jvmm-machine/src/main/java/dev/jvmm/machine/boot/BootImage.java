package dev.jvmm.machine.boot;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/** A kernel or firmware file, understood: either relocatable flat bytes or segments at fixed addresses. */
public sealed interface BootImage {

    /**
     * A Linux RISC-V {@code Image} (or a raw firmware binary): goes wherever the board puts
     * it and starts at its first byte. {@code memorySize} covers its BSS ({@code image_size}).
     * The bytes may be a mapped file, valid while the arena it was read in is open.
     */
    record Flat(MemorySegment bytes, long memorySize) implements BootImage {
        public Flat {
            if (memorySize < bytes.byteSize()) {
                throw new IllegalArgumentException("memory size smaller than the image");
            }
        }

        /** Bytes held in the heap. */
        public Flat(byte[] bytes, long memorySize) {
            this(MemorySegment.ofArray(bytes), memorySize);
        }
    }

    /**
     * An ELF64 RISC-V executable: PT_LOAD segments at their physical addresses, the (physical)
     * entry point, and the physical addresses of those symbols the board looks for
     * ({@link ImageFiles#HOST_SYMBOLS}) that the file defines.
     */
    record Elf(List<Segment> segments, long entry, Map<String, Long> symbols) implements BootImage {
        public Elf {
            segments = List.copyOf(segments);
            symbols = Map.copyOf(symbols);
            if (segments.isEmpty()) {
                throw new IllegalArgumentException("an ELF image needs at least one segment");
            }
        }

        /** An ELF image without symbols. */
        public Elf(List<Segment> segments, long entry) {
            this(segments, entry, Map.of());
        }

        /** The physical address of symbol {@code name}, if the file defines it (and the board looked for it). */
        public OptionalLong symbol(String name) {
            Long value = symbols.get(name);
            return value == null ? OptionalLong.empty() : OptionalLong.of(value);
        }

        public long low() {
            return segments.stream().mapToLong(Segment::address).min().orElseThrow();
        }

        public long high() {
            return segments.stream().mapToLong(Segment::end).max().orElseThrow();
        }
    }
}

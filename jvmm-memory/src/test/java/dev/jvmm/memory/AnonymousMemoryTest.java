package dev.jvmm.memory;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Guest RAM's host mapping is aligned for the host's huge pages. */
class AnonymousMemoryTest {

    private static final long HUGE_PAGE = 2L << 20;

    @Test
    void ramStartsOnAHugePageBoundaryWhateverItsSize() {
        for (long size : new long[] {(64L << 20) + GuestMemory.PAGE_SIZE, 3 * GuestMemory.PAGE_SIZE, 6L << 20}) {
            try (GuestMemory ram = GuestMemory.allocate(0x8000_0000L, size)) {
                long start = ram.segment().address();
                assertThat(start % HUGE_PAGE).as("host address 0x%x of %d bytes, modulo 2 MiB", start, size).isZero();
                assertThat(ram.segment().byteSize()).isEqualTo(size);
                ram.writeLong(0x8000_0000L + size - 8, -1L);
                assertThat(ram.readLong(0x8000_0000L + size - 8)).isEqualTo(-1L);
                assertThat(ram.readLong(0x8000_0000L)).isZero();
            }
        }
    }
}

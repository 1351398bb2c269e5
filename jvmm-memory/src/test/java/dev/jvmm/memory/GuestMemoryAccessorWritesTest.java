package dev.jvmm.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** The count of writes through the accessors, which tells a hart whether RAM was written behind its back. */
class GuestMemoryAccessorWritesTest {

    private static final long BASE = 0x8000_0000L;

    @Test
    void everyWritingAccessorIsCountedAndNothingElse() {
        try (GuestMemory memory = GuestMemory.allocate(BASE, 4 * GuestMemory.PAGE_SIZE)) {
            assertThat(memory.accessorWrites()).isZero();
            memory.writeByte(BASE, (byte) 1);
            memory.writeShort(BASE + 2, (short) 1);
            memory.writeInt(BASE + 4, 1);
            memory.writeLong(BASE + 8, 1);
            memory.write(BASE + 16, new byte[] {1, 2, 3});
            memory.write(BASE + 32, MemorySegment.ofArray(new byte[] {4, 5}));
            memory.zero(BASE + 64, 100);
            assertThat(memory.accessorWrites()).as("seven writes").isEqualTo(7);

            memory.readLong(BASE);
            memory.read(BASE, new byte[8], 0, 8);
            memory.atomicCompareExchangeLong(BASE + 8, 1, 2); // the harts' AMOs, which they track themselves
            memory.atomicReadInt(BASE + 4);
            memory.direct().store64(24, 5); // a hart's store
            assertThat(memory.accessorWrites()).as("reads, atomics and direct stores are not counted").isEqualTo(7);
        }
    }

    @Test
    void hartsAttachThemselves() {
        try (GuestMemory memory = GuestMemory.allocate(BASE, GuestMemory.PAGE_SIZE)) {
            assertThat(memory.attachedHarts()).isZero();
            memory.attachHart();
            memory.attachHart();
            assertThat(memory.attachedHarts()).isEqualTo(2);
        }
    }
}

package dev.jvmm.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DirectRamTest {

    private static final long BASE = 0x8000_0000L;
    private static final long SIZE = 4 * GuestMemory.PAGE_SIZE;

    private GuestMemory memory;
    private DirectRam direct;

    @BeforeEach
    void allocate() {
        memory = GuestMemory.allocate(BASE, SIZE);
        direct = memory.direct();
    }

    @AfterEach
    void free() {
        memory.close();
    }

    @Test
    void readsAndWritesTheSameBytesAsTheMemoryLittleEndianAtAnyAlignment() {
        memory.writeLong(BASE + 0x101, 0x1122334455667788L);
        assertThat(direct.load64(0x101)).isEqualTo(0x1122334455667788L);
        assertThat(direct.load32(0x101)).isEqualTo(0x55667788);
        assertThat(direct.load16(0x103)).isEqualTo((short) 0x5566);
        assertThat(direct.load8(0x108)).isEqualTo((byte) 0x11);

        direct.store64(0x2ffd, 0x0102030405060708L); // across a page boundary
        assertThat(memory.readLong(BASE + 0x2ffd)).isEqualTo(0x0102030405060708L);
        direct.store32(0x7, 0xcafef00d);
        assertThat(memory.readInt(BASE + 0x7)).isEqualTo(0xcafef00d);
        direct.store16(0x1, (short) 0xbeef);
        assertThat(memory.readShort(BASE + 0x1)).isEqualTo((short) 0xbeef);
        direct.store8(0x0, (byte) 0x7f);
        assertThat(memory.readByte(BASE)).isEqualTo((byte) 0x7f);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 8})
    void reachesTheLastBytesOfRamButNothingBeyondOrBefore(int width) {
        long last = SIZE - width;
        store(width, last, -1L);
        assertThat(load(width, last)).isEqualTo(width == 8 ? -1L : (1L << (8 * width)) - 1);
        for (long outside : new long[] {last + 1, SIZE, -1, -width, Long.MIN_VALUE, Long.MAX_VALUE, Long.MAX_VALUE - width + 2}) {
            assertThatThrownBy(() -> load(width, outside)).as("load at %d", outside)
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> store(width, outside, 0)).as("store at %d", outside)
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
        assertThat(load(width, last)).as("no refused store wrote").isEqualTo(width == 8 ? -1L : (1L << (8 * width)) - 1);
    }

    @Test
    void refusesAWindowWithoutMemory() {
        assertThatThrownBy(() -> new DirectRam(0, SIZE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DirectRam(direct.address(), 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DirectRam(direct.address(), Long.BYTES - 1)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Marking is the caller's (the MMU caches write access and marks per page, see DirtyPageLog): stores here leave the log alone. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 8})
    void storesLeaveTheDirtyPageLogToTheirCaller(int width) {
        DirtyPageLog log = memory.dirtyPages();
        log.collect(p -> true);
        store(width, GuestMemory.PAGE_SIZE + 12, 1);
        store(width, 3 * GuestMemory.PAGE_SIZE - 1, 1); // from page 2 into page 3
        assertThat(load(width, GuestMemory.PAGE_SIZE + 12)).isEqualTo(1);
        assertThat(marked(log)).isEmpty();
    }

    private static java.util.List<Integer> marked(DirtyPageLog log) {
        java.util.List<Integer> pages = new java.util.ArrayList<>();
        log.collect(p -> pages.add(p));
        return pages;
    }

    private long load(int width, long offset) {
        return switch (width) {
            case 1 -> direct.load8(offset) & 0xffL;
            case 2 -> direct.load16(offset) & 0xffffL;
            case 4 -> direct.load32(offset) & 0xffffffffL;
            default -> direct.load64(offset);
        };
    }

    private void store(int width, long offset, long value) {
        switch (width) {
            case 1 -> direct.store8(offset, (byte) value);
            case 2 -> direct.store16(offset, (short) value);
            case 4 -> direct.store32(offset, (int) value);
            default -> direct.store64(offset, value);
        }
    }
}

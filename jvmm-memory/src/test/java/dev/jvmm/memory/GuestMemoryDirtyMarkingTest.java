package dev.jvmm.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GuestMemoryDirtyMarkingTest {

    private static final long BASE = 0x8000_0000L;
    private static final int PAGES = 16;
    private static final long PAGE = GuestMemory.PAGE_SIZE;

    private GuestMemory memory;

    @BeforeEach
    void allocateAndClearMarks() {
        memory = GuestMemory.allocate(BASE, PAGES * PAGE);
        memory.dirtyPages().collect(page -> true);
    }

    @AfterEach
    void free() {
        memory.close();
    }

    private List<Integer> dirtyPages() {
        List<Integer> pages = new ArrayList<>();
        for (int p = 0; p < memory.dirtyPages().pageCount(); p++) {
            if (memory.dirtyPages().isDirty(p)) {
                pages.add(p);
            }
        }
        return pages;
    }

    private void writeOfWidth(long address, int width) {
        switch (width) {
            case 1 -> memory.writeByte(address, (byte) 0x5a);
            case 2 -> memory.writeShort(address, (short) 0x1234);
            case 4 -> memory.writeInt(address, 0x12345678);
            case 8 -> memory.writeLong(address, 0x1122334455667788L);
            default -> throw new IllegalArgumentException("width " + width);
        }
    }

    @Test
    void newMemoryHasEveryPageMarked() {
        try (GuestMemory fresh = GuestMemory.allocate(BASE, PAGES * PAGE)) {
            assertThat(fresh.dirtyPages().pageCount()).isEqualTo(PAGES);
            assertThat(fresh.dirtyPages().dirtyCount()).isEqualTo(PAGES);
        }
    }

    @Test
    void collectHandsOverEachMarkedPageOnceAndClearsIt() {
        memory.writeByte(BASE + 3 * PAGE, (byte) 1);
        memory.writeByte(BASE + 9 * PAGE + 17, (byte) 1);
        List<Integer> handedOver = new ArrayList<>();

        int count = memory.dirtyPages().collect(page -> handedOver.add(page));

        assertThat(count).isEqualTo(2);
        assertThat(handedOver).containsExactly(3, 9);
        assertThat(dirtyPages()).isEmpty();
        assertThat(memory.dirtyPages().collect(page -> true)).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 8})
    void writeOfEachWidthMarksOnlyItsPage(int width) {
        writeOfWidth(BASE + 5 * PAGE + 64, width);

        assertThat(dirtyPages()).containsExactly(5);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4, 8})
    void misalignedWriteCrossingAPageMarksBothPages(int width) {
        writeOfWidth(BASE + 7 * PAGE - 1, width);

        assertThat(dirtyPages()).containsExactly(6, 7);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4, 8})
    void writeEndingOnTheLastByteOfAPageMarksOnlyThatPage(int width) {
        writeOfWidth(BASE + 7 * PAGE - width, width);

        assertThat(dirtyPages()).containsExactly(6);
    }

    @Test
    void bulkWriteMarksEveryPageItCovers() {
        memory.write(BASE + 2 * PAGE + 100, new byte[(int) (2 * PAGE)]);

        assertThat(dirtyPages()).containsExactly(2, 3, 4);
    }

    @Test
    void bulkWriteWithOffsetIntoSourceMarksTheDestinationPages() {
        memory.write(BASE + 11 * PAGE, new byte[100], 50, 50);

        assertThat(dirtyPages()).containsExactly(11);
    }

    @Test
    void zeroMarksEveryPageItCovers() {
        memory.zero(BASE + PAGE - 8, PAGE + 16);

        assertThat(dirtyPages()).containsExactly(0, 1, 2);
    }

    @Test
    void successfulCompareExchangeMarksItsPage() {
        memory.atomicCompareExchangeInt(BASE + 4 * PAGE, 0, 7);
        memory.atomicCompareExchangeLong(BASE + 12 * PAGE + 8, 0, 7);

        assertThat(dirtyPages()).containsExactly(4, 12);
        assertThat(memory.readInt(BASE + 4 * PAGE)).isEqualTo(7);
        assertThat(memory.readLong(BASE + 12 * PAGE + 8)).isEqualTo(7);
    }

    @Test
    void failedCompareExchangeLeavesThePageClean() {
        memory.atomicCompareExchangeInt(BASE + 4 * PAGE, 1, 7);
        memory.atomicCompareExchangeLong(BASE + 12 * PAGE + 8, 1, 7);

        assertThat(dirtyPages()).isEmpty();
        assertThat(memory.readLong(BASE + 12 * PAGE + 8)).isZero();
    }

    @Test
    void readsDoNotMark() {
        memory.readByte(BASE);
        memory.readShort(BASE + PAGE - 1);
        memory.readInt(BASE + 2 * PAGE);
        memory.readLong(BASE + 3 * PAGE);
        memory.read(BASE + 4 * PAGE, new byte[8192], 0, 8192);
        memory.atomicReadInt(BASE + 8 * PAGE);
        memory.atomicReadLong(BASE + 9 * PAGE);

        assertThat(dirtyPages()).isEmpty();
    }

    @Test
    void writePastTheEndOfRamThrowsAndMarksNothing() {
        assertThatThrownBy(() -> memory.writeLong(BASE + PAGES * PAGE - 4, 1L))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> memory.write(BASE + PAGES * PAGE - 4, new byte[8]))
                .isInstanceOf(IndexOutOfBoundsException.class);

        assertThat(dirtyPages()).isEmpty();
    }

    @Test
    void collectStopsWhenTheSinkDeclinesAndLeavesLaterPagesMarked() {
        memory.writeByte(BASE + PAGE, (byte) 1);
        memory.writeByte(BASE + 2 * PAGE, (byte) 1);
        memory.writeByte(BASE + 3 * PAGE, (byte) 1);

        int count = memory.dirtyPages().collect(page -> page < 2);

        assertThat(count).isEqualTo(2);
        assertThat(dirtyPages()).containsExactly(3);
    }

    @Test
    void pageHandedToASinkThatThrowsStaysMarked() {
        memory.writeByte(BASE + PAGE, (byte) 1);
        memory.writeByte(BASE + 2 * PAGE, (byte) 1);

        assertThatThrownBy(() -> memory.dirtyPages().collect(page -> {
            throw new IllegalStateException("copy failed");
        })).isInstanceOf(IllegalStateException.class);

        assertThat(dirtyPages()).containsExactly(1, 2);
    }
}

package dev.jvmm.devices.virtio.queue;

import static dev.jvmm.devices.virtio.queue.VirtqueueSpec.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvmm.devices.virtio.VirtqueueDriver;
import dev.jvmm.devices.virtio.VirtqueueDriver.Segment;
import dev.jvmm.memory.GuestMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SplitQueueTest {

    private static final long RAM = 0x8000_0000L;
    private static final long RAM_END = RAM + (1 << 20);
    private static final long RINGS = RAM + 0x1000;
    private static final long DATA = RAM + 0x10000;
    private static final long TABLE = RAM + 0x8000;

    private final GuestMemory memory = GuestMemory.allocate(RAM, 1 << 20);

    @AfterEach
    void close() {
        memory.close();
    }

    private SplitQueue queue(VirtqueueDriver driver, boolean indirect, boolean eventIdx) {
        SplitQueue queue = new SplitQueue(256);
        queue.setSize(driver.size());
        queue.setDescriptorTable(driver.descriptorTable());
        queue.setAvailRing(driver.availRing());
        queue.setUsedRing(driver.usedRing());
        queue.setReady(true);
        queue.setRingFeatures(indirect, eventIdx);
        assertThat(queue.check(memory)).isEmpty();
        return queue;
    }

    @Test
    void popsChainSplitIntoReadableAndWritableBuffers() throws Exception {
        VirtqueueDriver driver = VirtqueueDriver.layout(memory, RINGS, 8);
        SplitQueue queue = queue(driver, false, false);
        int head = driver.addChain(Segment.readable(DATA, 16), Segment.readable(DATA + 100, 4),
                Segment.writable(DATA + 200, 512), Segment.writable(DATA + 1000, 1));

        DescriptorChain chain = queue.pop(memory);

        assertThat(chain.headIndex()).isEqualTo(head);
        assertThat(chain.readable()).containsExactly(new GuestBuffer(DATA, 16), new GuestBuffer(DATA + 100, 4));
        assertThat(chain.writable()).containsExactly(new GuestBuffer(DATA + 200, 512), new GuestBuffer(DATA + 1000, 1));
        assertThat(queue.pop(memory)).isNull();
    }

    @Test
    void addUsedPublishesElementAndIndex() {
        VirtqueueDriver driver = VirtqueueDriver.layout(memory, RINGS, 4);
        SplitQueue queue = queue(driver, false, false);
        queue.addUsed(memory, 3, 77);
        assertThat(driver.usedIdx()).isEqualTo(1);
        assertThat(driver.used(0)).isEqualTo(new VirtqueueDriver.Used(3, 77));
    }

    @Test
    void indirectTableIsFollowed() throws Exception {
        VirtqueueDriver driver = VirtqueueDriver.layout(memory, RINGS, 4);
        SplitQueue queue = queue(driver, true, false);
        int head = driver.addIndirectChain(TABLE, Segment.readable(DATA, 16), Segment.writable(DATA + 64, 8),
                Segment.writable(DATA + 128, 1));

        DescriptorChain chain = queue.pop(memory);

        assertThat(chain.headIndex()).isEqualTo(head);
        assertThat(chain.readable()).containsExactly(new GuestBuffer(DATA, 16));
        assertThat(chain.writable()).containsExactly(new GuestBuffer(DATA + 64, 8), new GuestBuffer(DATA + 128, 1));
    }

    @Test
    void directDescriptorsFollowedByIndirectTableAreOneChain() throws Exception {
        VirtqueueDriver driver = VirtqueueDriver.layout(memory, RINGS, 4);
        SplitQueue queue = queue(driver, true, false);
        memory.writeLong(TABLE, DATA + 64);
        memory.writeInt(TABLE + 8, 8);
        memory.writeShort(TABLE + 12, (short) VIRTQ_DESC_F_WRITE);
        driver.writeDescriptor(0, DATA, 16, VIRTQ_DESC_F_NEXT, 1);
        driver.writeDescriptor(1, TABLE, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
        driver.publish(0);

        DescriptorChain chain = queue.pop(memory);

        assertThat(chain.readable()).containsExactly(new GuestBuffer(DATA, 16));
        assertThat(chain.writable()).containsExactly(new GuestBuffer(DATA + 64, 8));
    }

    @Test
    void indirectDescriptorWithoutFeatureIsFault() {
        VirtqueueDriver driver = VirtqueueDriver.layout(memory, RINGS, 4);
        SplitQueue queue = queue(driver, false, false);
        driver.addIndirectChain(TABLE, Segment.readable(DATA, 16));
        assertThatThrownBy(() -> queue.pop(memory)).isInstanceOf(VirtqueueFault.class)
                .hasMessageContaining("INDIRECT_DESC");
    }

    @Test
    void nestedIndirectTableIsFault() {
        VirtqueueDriver driver = VirtqueueDriver.layout(memory, RINGS, 4);
        SplitQueue queue = queue(driver, true, false);
        driver.addIndirectChain(TABLE, Segment.readable(DATA, 16));
        memory.writeShort(TABLE + 12, (short) VIRTQ_DESC_F_INDIRECT);
        memory.writeLong(TABLE, TABLE + 0x100);
        assertThatThrownBy(() -> queue.pop(memory)).isInstanceOf(VirtqueueFault.class).hasMessageContaining("inside");
    }

    @Test
    void indirectTableWithPartialDescriptorIsFault() {
        VirtqueueDriver driver = VirtqueueDriver.layout(memory, RINGS, 4);
        SplitQueue queue = queue(driver, true, false);
        driver.writeDescriptor(0, TABLE, 24, VIRTQ_DESC_F_INDIRECT, 0);
        driver.publish(0);
        assertThatThrownBy(() -> queue.pop(memory)).isInstanceOf(VirtqueueFault.class);
    }

    @Test
    void indirectTableOutsideRamIsFault() {
        VirtqueueDriver driver = VirtqueueDriver.layout(memory, RINGS, 4);
        SplitQueue queue = queue(driver, true, false);
        driver.writeDescriptor(0, RAM_END - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
        driver.publish(0);
        assertThatThrownBy(() -> queue.pop(memory)).isInstanceOf(VirtqueueFault.class);
    }

    @Test
    void loopingIndirectTableIsFault() {
        VirtqueueDriver driver = VirtqueueDriver.layout(memory, RINGS, 4);
        SplitQueue queue = queue(driver, true, false);
        driver.addIndirectChain(TABLE, Segment.readable(DATA, 16), Segment.readable(DATA, 16));
        memory.writeShort(TABLE + 16 + 12, (short) VIRTQ_DESC_F_NEXT);
        memory.writeShort(TABLE + 16 + 14, (short) 0);
        assertThatThrownBy(() -> queue.pop(memory)).isInstanceOf(VirtqueueFault.class).hasMessageContaining("loops");
    }

    @Test
    void loopingChainIsFault() {
        VirtqueueDriver driver = VirtqueueDriver.layout(memory, RINGS, 4);
        SplitQueue queue = queue(driver, false, false);
        driver.writeDescriptor(0, DATA, 16, VIRTQ_DESC_F_NEXT, 1);
        driver.writeDescriptor(1, DATA, 16, VIRTQ_DESC_F_NEXT, 0);
        driver.publish(0);
        assertThatThrownBy(() -> queue.pop(memory)).isInstanceOf(VirtqueueFault.class).hasMessageContaining("loops");
    }

    @Test
    void nextIndexOutsideTableIsFault() {
        VirtqueueDriver driver = VirtqueueDriver.layout(memory, RINGS, 4);
        SplitQueue queue = queue(driver, false, false);
        driver.writeDescriptor(0, DATA, 16, VIRTQ_DESC_F_NEXT, 4);
        driver.publish(0);
        assertThatThrownBy(() -> queue.pop(memory)).isInstanceOf(VirtqueueFault.class);
    }

    @Test
    void headIndexOutsideTableIsFault() {
        VirtqueueDriver driver = VirtqueueDriver.layout(memory, RINGS, 4);
        SplitQueue queue = queue(driver, false, false);
        driver.publish(9);
        assertThatThrownBy(() -> queue.pop(memory)).isInstanceOf(VirtqueueFault.class);
    }

    @Test
    void bufferCrossingEndOfRamIsFault() {
        VirtqueueDriver driver = VirtqueueDriver.layout(memory, RINGS, 4);
        SplitQueue queue = queue(driver, false, false);
        driver.addChain(Segment.writable(RAM_END - 8, 16));
        assertThatThrownBy(() -> queue.pop(memory)).isInstanceOf(VirtqueueFault.class).hasMessageContaining("outside RAM");
    }

    @Test
    void bufferWithAddressThatWrapsAroundIsFault() {
        VirtqueueDriver driver = VirtqueueDriver.layout(memory, RINGS, 4);
        SplitQueue queue = queue(driver, false, false);
        driver.addChain(Segment.writable(-8L, 16));
        assertThatThrownBy(() -> queue.pop(memory)).isInstanceOf(VirtqueueFault.class);
    }

    @Test
    void readableAfterWritableIsFault() {
        VirtqueueDriver driver = VirtqueueDriver.layout(memory, RINGS, 4);
        SplitQueue queue = queue(driver, false, false);
        driver.addChain(Segment.writable(DATA, 16), Segment.readable(DATA + 16, 16));
        assertThatThrownBy(() -> queue.pop(memory)).isInstanceOf(VirtqueueFault.class);
    }

    @Test
    void availIndexMoreThanQueueSizeAheadIsFault() {
        VirtqueueDriver driver = VirtqueueDriver.layout(memory, RINGS, 4);
        SplitQueue queue = queue(driver, false, false);
        driver.setAvailIdx(5);
        assertThatThrownBy(() -> queue.pop(memory)).isInstanceOf(VirtqueueFault.class);
    }

    @Test
    void ringsOutsideRamFailCheck() {
        SplitQueue queue = new SplitQueue(16);
        queue.setSize(16);
        queue.setDescriptorTable(RAM);
        queue.setAvailRing(RAM + 0x400);
        queue.setUsedRing(RAM_END - 8);
        assertThat(queue.check(memory)).get().asString().contains("used ring");
    }

    @Test
    void withoutEventIdxNoInterruptFlagSuppressesInterrupt() throws Exception {
        VirtqueueDriver driver = VirtqueueDriver.layout(memory, RINGS, 4);
        SplitQueue queue = queue(driver, false, false);
        driver.setAvailFlags(VIRTQ_AVAIL_F_NO_INTERRUPT);
        queue.addUsed(memory, 0, 0);
        assertThat(queue.needsNotification(memory)).isFalse();
        driver.setAvailFlags(0);
        queue.addUsed(memory, 1, 0);
        assertThat(queue.needsNotification(memory)).isTrue();
        assertThat(queue.needsNotification(memory)).as("nothing new used").isFalse();
    }

    @Test
    void eventIdxInterruptsOnlyWhenUsedIndexPassesUsedEvent() {
        VirtqueueDriver driver = VirtqueueDriver.layout(memory, RINGS, 8);
        SplitQueue queue = queue(driver, false, true);
        driver.setUsedEvent(2); // interrupt once used idx moves past 2, i.e. reaches 3
        queue.addUsed(memory, 0, 0);
        assertThat(queue.needsNotification(memory)).isFalse();
        queue.addUsed(memory, 1, 0);
        assertThat(queue.needsNotification(memory)).isFalse();
        queue.addUsed(memory, 2, 0);
        assertThat(queue.needsNotification(memory)).isTrue();
        queue.addUsed(memory, 3, 0);
        assertThat(queue.needsNotification(memory)).as("used_event already passed").isFalse();
    }

    @Test
    void eventIdxInterruptsWhenBatchJumpsOverUsedEvent() {
        VirtqueueDriver driver = VirtqueueDriver.layout(memory, RINGS, 8);
        SplitQueue queue = queue(driver, false, true);
        driver.setUsedEvent(1);
        for (int i = 0; i < 5; i++) {
            queue.addUsed(memory, i, 0);
        }
        assertThat(queue.needsNotification(memory)).isTrue();
    }

    @Test
    void eventIdxComparisonWrapsAround16Bits() throws Exception {
        VirtqueueDriver driver = VirtqueueDriver.layout(memory, RINGS, 4);
        SplitQueue queue = queue(driver, false, true);
        // Run the used index up to 0xFFFE, consuming interrupts along the way.
        for (int i = 0; i < 0xFFFE; i++) {
            driver.addChain(Segment.writable(DATA, 1));
            DescriptorChain chain = queue.pop(memory);
            queue.addUsed(memory, chain.headIndex(), 1);
            driver.setUsedEvent(i);
            queue.needsNotification(memory);
        }
        assertThat(driver.usedIdx()).isEqualTo(0xFFFE);
        driver.setUsedEvent(0x0000); // wants an interrupt when used idx goes 0x0000 -> 0x0001
        queue.addUsed(memory, 0, 0); // 0xFFFF
        assertThat(queue.needsNotification(memory)).isFalse();
        queue.addUsed(memory, 0, 0); // 0x0000
        assertThat(queue.needsNotification(memory)).isFalse();
        queue.addUsed(memory, 0, 0); // 0x0001
        assertThat(queue.needsNotification(memory)).isTrue();
        assertThat(driver.usedIdx()).isEqualTo(1);
    }

    @Test
    void availIndexWrapsAround16Bits() throws Exception {
        VirtqueueDriver driver = VirtqueueDriver.layout(memory, RINGS, 4);
        SplitQueue queue = queue(driver, false, false);
        for (int i = 0; i < 0x10002; i++) {
            driver.addChain(Segment.writable(DATA, 1));
            DescriptorChain chain = queue.pop(memory);
            assertThat(chain).isNotNull();
            queue.addUsed(memory, chain.headIndex(), 1);
        }
        assertThat(queue.nextAvail()).isEqualTo(2);
        assertThat(driver.usedIdx()).isEqualTo(2);
    }

    @Test
    void enableNotificationWritesAvailEventAndReportsLateArrivals() throws Exception {
        VirtqueueDriver driver = VirtqueueDriver.layout(memory, RINGS, 4);
        SplitQueue queue = queue(driver, false, true);
        driver.addChain(Segment.writable(DATA, 1));
        queue.pop(memory);
        assertThat(queue.enableNotification(memory)).isFalse();
        assertThat(driver.availEvent()).isEqualTo(1);

        driver.addChain(Segment.writable(DATA, 1));
        assertThat(queue.enableNotification(memory)).isTrue();
    }

    @Test
    void resetForgetsConfigurationAndPositions() throws Exception {
        VirtqueueDriver driver = VirtqueueDriver.layout(memory, RINGS, 4);
        SplitQueue queue = queue(driver, false, false);
        driver.addChain(Segment.writable(DATA, 1));
        queue.pop(memory);
        queue.reset();
        assertThat(queue.isReady()).isFalse();
        assertThat(queue.nextAvail()).isZero();
        assertThat(queue.size()).isEqualTo(256);
        assertThat(queue.descriptorTable()).isZero();
    }
}

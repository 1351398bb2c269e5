package dev.jvmm.devices.virtio.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvmm.devices.virtio.VirtqueueDriver;
import dev.jvmm.devices.virtio.VirtqueueDriver.Segment;
import dev.jvmm.memory.GuestMemory;
import dev.jvmm.memory.state.StateException;
import dev.jvmm.memory.state.StateReader;
import dev.jvmm.memory.state.StateWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SplitQueueStateTest {

    private static final long RAM = 0x8000_0000L;
    private static final long RINGS = RAM + 0x1000;
    private static final long DATA = RAM + 0x10000;

    private final GuestMemory memory = GuestMemory.allocate(RAM, 1 << 20);

    @AfterEach
    void close() {
        memory.close();
    }

    private SplitQueue queue(VirtqueueDriver driver) {
        SplitQueue queue = new SplitQueue(16);
        queue.setSize(driver.size());
        queue.setDescriptorTable(driver.descriptorTable());
        queue.setAvailRing(driver.availRing());
        queue.setUsedRing(driver.usedRing());
        queue.setReady(true);
        return queue;
    }

    private static byte[] written(SplitQueue.State state) {
        StateWriter out = new StateWriter();
        state.write(out);
        return out.toByteArray();
    }

    @Test
    void restoredQueuePopsTheChainAfterTheSavedPosition() throws Exception {
        VirtqueueDriver driver = VirtqueueDriver.layout(memory, RINGS, 8);
        SplitQueue original = queue(driver);
        driver.addChain(Segment.writable(DATA, 4));
        original.addUsed(memory, original.pop(memory).headIndex(), 4);
        int second = driver.addChain(Segment.writable(DATA + 16, 4));

        SplitQueue copy = new SplitQueue(16);
        copy.restore(SplitQueue.State.read(new StateReader("queue", written(original.state())), "queue"));

        assertThat(copy.state()).isEqualTo(original.state());
        assertThat(copy.pop(memory).headIndex()).isEqualTo(second);
        copy.addUsed(memory, second, 4);
        assertThat(driver.usedIdx()).isEqualTo(2);
    }

    @Test
    void positionsBeyondSixteenBitsAreRefused() {
        SplitQueue.State state = new SplitQueue.State(8, true, 0, 0, 0, 0x1_0000, 0, 0);
        assertThatThrownBy(() -> SplitQueue.State.read(new StateReader("queue", written(state)), "queue"))
                .isInstanceOf(StateException.class)
                .hasMessageContaining("next avail");
    }

    @Test
    void checkOfAStateJudgesItAgainstTheGivenMemory() {
        VirtqueueDriver driver = VirtqueueDriver.layout(memory, RINGS, 8);
        SplitQueue.State state = queue(driver).state();
        assertThat(SplitQueue.check(state, 16, memory)).isEmpty();
        assertThat(SplitQueue.check(state, 4, memory)).isPresent();
        try (GuestMemory small = GuestMemory.allocate(RAM, 4096)) {
            assertThat(SplitQueue.check(state, 16, small)).isPresent();
        }
    }
}

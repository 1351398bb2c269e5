package dev.jvmm.machine.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvmm.memory.state.StateException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StateFileTest {

    private static final List<StateRecord> RECORDS = List.of(
            new StateRecord("machine", 1, new byte[] {1, 2, 3}),
            new StateRecord("hart.0", 2, new byte[300]),
            new StateRecord("virtio.7", 1, new byte[0]));

    @Test
    void recordsComeBackInOrderWithTheirVersions() throws StateException {
        Map<String, StateRecord> back = StateFile.decode(StateFile.encode(RECORDS), "test");
        assertThat(back.keySet()).containsExactly("machine", "hart.0", "virtio.7");
        assertThat(back.get("hart.0").version()).isEqualTo(2);
        assertThat(back.get("machine").payload()).containsExactly(1, 2, 3);
    }

    @Test
    void everyTruncationIsRefused() {
        byte[] data = StateFile.encode(RECORDS);
        for (int length = 0; length < data.length; length++) {
            byte[] cut = Arrays.copyOf(data, length);
            assertThatThrownBy(() -> StateFile.decode(cut, "test")).isInstanceOf(StateException.class);
        }
    }

    @Test
    void everySingleBitFlipIsRefused() {
        byte[] data = StateFile.encode(RECORDS);
        for (int i = 0; i < data.length; i++) {
            byte[] bad = data.clone();
            bad[i] ^= 1 << (i % 8);
            assertThatThrownBy(() -> StateFile.decode(bad, "test")).isInstanceOf(StateException.class);
        }
    }

    @Test
    void aNewerFormatVersionIsRefusedByNumber() {
        byte[] data = StateFile.encode(RECORDS);
        data[8] = 9;
        assertThatThrownBy(() -> StateFile.decode(data, "snap")).isInstanceOf(StateException.class)
                .hasMessageContaining("version 9");
    }

    @Test
    void trailingBytesAreRefused() {
        byte[] data = StateFile.encode(RECORDS);
        byte[] longer = Arrays.copyOf(data, data.length + 1);
        assertThatThrownBy(() -> StateFile.decode(longer, "test")).isInstanceOf(StateException.class);
    }

    @Test
    void randomBytesNeverThrowAnythingButStateException() {
        Random random = new Random(42);
        byte[] good = StateFile.encode(RECORDS);
        for (int i = 0; i < 2000; i++) {
            byte[] junk = random.nextBoolean() ? new byte[random.nextInt(200)] : good.clone();
            if (junk == good || junk.length == good.length) {
                for (int k = 0; k < 1 + random.nextInt(4); k++) {
                    junk[random.nextInt(junk.length)] = (byte) random.nextInt();
                }
            } else {
                random.nextBytes(junk);
            }
            byte[] input = junk;
            try {
                StateFile.decode(input, "junk");
            } catch (StateException expected) {
                // the only allowed failure
            }
        }
    }
}

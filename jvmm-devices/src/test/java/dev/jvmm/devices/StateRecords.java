package dev.jvmm.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvmm.memory.state.StateException;
import dev.jvmm.memory.state.StateReader;
import dev.jvmm.memory.state.StateWriter;
import dev.jvmm.memory.state.Stateful;
import java.util.Arrays;

/** Saving and restoring device records in tests, and the checks every device's record must pass. */
public final class StateRecords {

    private StateRecords() {
    }

    public static byte[] save(Stateful component) {
        StateWriter out = new StateWriter();
        component.saveState(out);
        return out.toByteArray();
    }

    public static void restore(Stateful component, byte[] record) throws StateException {
        component.restoreState(new StateReader("test", record), component.stateVersion());
    }

    /** Restores {@code record}, which must be refused, and checks that {@code target} kept its state. */
    public static void assertRefusedAndUnchanged(Stateful target, byte[] record) {
        byte[] before = save(target);
        assertThatThrownBy(() -> restore(target, record)).isInstanceOf(StateException.class);
        assertThat(save(target)).as("state after a refused restore").isEqualTo(before);
    }

    /** Every proper prefix of {@code record}, and the record with a byte appended, is refused without effect. */
    public static void assertTruncationsRefused(Stateful target, byte[] record) {
        for (int length = 0; length < record.length; length++) {
            assertRefusedAndUnchanged(target, Arrays.copyOf(record, length));
        }
        assertRefusedAndUnchanged(target, Arrays.copyOf(record, record.length + 1));
    }

    /** A version the component does not write is refused without effect. */
    public static void assertOtherVersionsRefused(Stateful target, byte[] record) {
        byte[] before = save(target);
        for (int version : new int[] {0, target.stateVersion() + 1, -1}) {
            assertThatThrownBy(() -> target.restoreState(new StateReader("test", record), version))
                    .isInstanceOf(StateException.class);
        }
        assertThat(save(target)).isEqualTo(before);
    }

    /** {@code record} with the little-endian int at {@code offset} replaced by {@code value}. */
    public static byte[] withInt(byte[] record, int offset, int value) {
        byte[] copy = record.clone();
        for (int i = 0; i < 4; i++) {
            copy[offset + i] = (byte) (value >>> (8 * i));
        }
        return copy;
    }

    /** {@code record} with the byte at {@code offset} replaced by {@code value}. */
    public static byte[] withByte(byte[] record, int offset, int value) {
        byte[] copy = record.clone();
        copy[offset] = (byte) value;
        return copy;
    }
}

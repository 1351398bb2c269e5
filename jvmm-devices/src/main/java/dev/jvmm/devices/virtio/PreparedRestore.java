package dev.jvmm.devices.virtio;

import java.util.Objects;

/**
 * A device's state record that has been read and checked but not applied yet (see
 * {@link VirtioDevice#prepareRestore}). The transport compares {@link #state()} and
 * {@link #ackedFeatures()} with its own record before it calls {@link #commit()}, so a record
 * that disagrees with its transport changes nothing.
 *
 * @param state the lifecycle the device will be in; an {@link DeviceState.Active} one holds the
 *     memory and interrupt given to {@code prepareRestore}
 * @param ackedFeatures the features the device will hold as accepted
 * @param apply replaces the device's state; cannot fail
 */
public record PreparedRestore(DeviceState state, long ackedFeatures, Runnable apply) {

    public PreparedRestore {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(apply, "apply");
    }

    /** Applies the record to the device. */
    public void commit() {
        apply.run();
    }
}

package dev.jvmm.devices.virtio;

import dev.jvmm.memory.GuestMemory;
import java.util.Objects;

/**
 * The lifecycle of a virtio device as a type: only an {@link Active} device holds guest memory,
 * so no code path can touch guest RAM before the driver sets DRIVER_OK.
 */
public sealed interface DeviceState {

    /** Before DRIVER_OK and after every reset. */
    record Inactive() implements DeviceState {
    }

    /** Between DRIVER_OK and the next reset: the device may read and write guest memory. */
    record Active(GuestMemory memory, VirtioInterrupt interrupt) implements DeviceState {
        public Active {
            Objects.requireNonNull(memory, "memory");
            Objects.requireNonNull(interrupt, "interrupt");
        }
    }

    /**
     * After the driver broke the protocol: the device has signalled DEVICE_NEEDS_RESET and
     * ignores its queues (and guest memory) until the driver resets it.
     */
    record NeedsReset(String reason) implements DeviceState {
    }

    DeviceState INACTIVE = new Inactive();
}

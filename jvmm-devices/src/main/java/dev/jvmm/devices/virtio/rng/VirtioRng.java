package dev.jvmm.devices.virtio.rng;

import dev.jvmm.devices.virtio.AbstractVirtioDevice;
import dev.jvmm.devices.virtio.DeviceState;
import dev.jvmm.devices.virtio.VirtioFeatures;
import dev.jvmm.devices.virtio.VirtioIds;
import dev.jvmm.devices.virtio.queue.ChainWriter;
import dev.jvmm.devices.virtio.queue.DescriptorChain;
import dev.jvmm.devices.virtio.queue.VirtqueueFault;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.Random;

/**
 * The entropy device (VIRTIO 1.2 §5.4): one request queue whose device-writable buffers it
 * fills with random bytes, up to {@link #MAX_BYTES_PER_REQUEST} per chain (the spec lets the
 * device return fewer bytes than asked). Device-readable buffers are ignored. No config space.
 *
 * <p>Requests are served on the notifying hart thread; the state record is the common virtio
 * state only, and quiescing has no back-end thread to hold off.
 */
public final class VirtioRng extends AbstractVirtioDevice {

    public static final int QUEUE_SIZE = 64;
    /** Cap per request, so a guest cannot make one notification arbitrarily expensive. */
    public static final int MAX_BYTES_PER_REQUEST = 64 * 1024;

    private final Random source;

    /** Fed from a fresh {@link SecureRandom}. */
    public VirtioRng() {
        this(new SecureRandom());
    }

    /** Fed from {@code source}; pass a {@link SecureRandom} except in tests. */
    public VirtioRng(Random source) {
        super(VirtioIds.VIRTIO_ID_RNG, VirtioFeatures.COMMON, QUEUE_SIZE);
        this.source = Objects.requireNonNull(source, "source");
    }

    @Override
    protected byte[] configBytes() {
        return new byte[0];
    }

    @Override
    protected void processQueue(DeviceState.Active active, int index) throws VirtqueueFault {
        drainQueue(active, queues().get(index), this::fill);
    }

    private long fill(DeviceState.Active active, DescriptorChain chain) {
        ChainWriter writer = new ChainWriter(active.memory(), chain.writable(), MAX_BYTES_PER_REQUEST);
        byte[] bytes = new byte[(int) writer.remaining()];
        source.nextBytes(bytes);
        writer.write(bytes, 0, bytes.length);
        return writer.written();
    }
}

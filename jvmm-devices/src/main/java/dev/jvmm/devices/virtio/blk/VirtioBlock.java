package dev.jvmm.devices.virtio.blk;

import static dev.jvmm.devices.virtio.VirtioFeatures.bit;
import static dev.jvmm.devices.virtio.blk.VirtioBlkSpec.*;

import dev.jvmm.devices.virtio.AbstractVirtioDevice;
import dev.jvmm.devices.virtio.DeviceState;
import dev.jvmm.devices.virtio.GuestErrorLog;
import dev.jvmm.devices.virtio.VirtioFeatures;
import dev.jvmm.devices.virtio.VirtioIds;
import dev.jvmm.devices.virtio.queue.ChainWriter;
import dev.jvmm.devices.virtio.queue.DescriptorChain;
import dev.jvmm.devices.virtio.queue.VirtqueueFault;
import dev.jvmm.memory.GuestMemory;
import dev.jvmm.storage.BlockBackend;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A virtio block device (VIRTIO 1.2 §5.2) over a {@link BlockBackend}: one request queue;
 * IN, OUT, FLUSH and GET_ID always, DISCARD and WRITE_ZEROES on writable disks, and
 * VIRTIO_BLK_F_RO on read-only ones. Capacity is the backend size in whole 512-byte sectors.
 *
 * <p>A request that is out of range, has a data length that is not a multiple of 512, writes a
 * read-only disk, or fails in the backend completes with VIRTIO_BLK_S_IOERR; an unknown or
 * unnegotiated type with VIRTIO_BLK_S_UNSUPP. Only a broken descriptor chain (which the queue
 * reports) makes the device need a reset.
 *
 * <p>Requests run synchronously on the thread that notified the queue; data moves through a
 * bounded bounce buffer, so a huge guest request never means a huge host allocation.
 *
 * <p>State: nothing beyond the common virtio state (see {@link AbstractVirtioDevice}); no
 * request is ever in flight between notifications, and the disk's contents are the back end's
 * (the machine flushes it). No back-end thread, so quiescing has nothing to hold off.
 */
public final class VirtioBlock extends AbstractVirtioDevice {

    private static final System.Logger LOG = System.getLogger(VirtioBlock.class.getName());

    /** Entries of the request queue. */
    public static final int QUEUE_SIZE = 256;
    /** The largest single data segment the driver should use (size_max). */
    public static final int SIZE_MAX = 1 << 20;
    /** Data segments per request (seg_max): the queue minus header and status descriptors. */
    public static final int SEG_MAX = QUEUE_SIZE - 2;
    /** Limits offered for DISCARD and WRITE_ZEROES. */
    public static final int MAX_DISCARD_SECTORS = 1 << 22;
    public static final int MAX_DISCARD_SEG = 32;
    public static final int DISCARD_SECTOR_ALIGNMENT = 8;

    private static final int BOUNCE_SIZE = 64 * 1024;

    private final BlockBackend backend;
    private final boolean readOnly;
    private final long capacitySectors;
    private final byte[] deviceId;
    private final byte[] config;
    private final byte[] bounce = new byte[BOUNCE_SIZE];
    private final byte[] zeros = new byte[BOUNCE_SIZE];

    /** The status and data bytes of a finished request. */
    private record Completion(int status, long dataWritten) {
        static final Completion OK = new Completion(VIRTIO_BLK_S_OK, 0);
        static final Completion IOERR = new Completion(VIRTIO_BLK_S_IOERR, 0);
        static final Completion UNSUPP = new Completion(VIRTIO_BLK_S_UNSUPP, 0);
    }

    /** A range of a discard or write-zeroes request. */
    private record Segment(long sector, long sectors, int flags) {
    }

    /**
     * A block device over {@code backend}; {@code deviceId} is what GET_ID returns (the
     * serial Linux shows in /sys/block/vdX/serial), truncated to 20 ASCII bytes.
     */
    public VirtioBlock(BlockBackend backend, String deviceId) {
        super(VirtioIds.VIRTIO_ID_BLOCK, features(backend.isReadOnly()), QUEUE_SIZE);
        this.backend = Objects.requireNonNull(backend, "backend");
        this.readOnly = backend.isReadOnly();
        this.capacitySectors = backend.size() / SECTOR_SIZE;
        this.deviceId = Arrays.copyOf(deviceId.getBytes(StandardCharsets.US_ASCII), VIRTIO_BLK_ID_BYTES);
        this.config = buildConfig();
    }

    private static long features(boolean readOnly) {
        long features = VirtioFeatures.COMMON | bit(VIRTIO_BLK_F_SIZE_MAX) | bit(VIRTIO_BLK_F_SEG_MAX)
                | bit(VIRTIO_BLK_F_BLK_SIZE) | bit(VIRTIO_BLK_F_FLUSH);
        return readOnly ? features | bit(VIRTIO_BLK_F_RO)
                : features | bit(VIRTIO_BLK_F_DISCARD) | bit(VIRTIO_BLK_F_WRITE_ZEROES);
    }

    private byte[] buildConfig() {
        ByteBuffer b = ByteBuffer.allocate(CONFIG_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(CONFIG_CAPACITY, capacitySectors);
        b.putInt(CONFIG_SIZE_MAX, SIZE_MAX);
        b.putInt(CONFIG_SEG_MAX, SEG_MAX);
        b.putInt(CONFIG_BLK_SIZE, SECTOR_SIZE);
        if (!readOnly) {
            b.putInt(CONFIG_MAX_DISCARD_SECTORS, MAX_DISCARD_SECTORS);
            b.putInt(CONFIG_MAX_DISCARD_SEG, MAX_DISCARD_SEG);
            b.putInt(CONFIG_DISCARD_SECTOR_ALIGNMENT, DISCARD_SECTOR_ALIGNMENT);
            b.putInt(CONFIG_MAX_WRITE_ZEROES_SECTORS, MAX_DISCARD_SECTORS);
            b.putInt(CONFIG_MAX_WRITE_ZEROES_SEG, MAX_DISCARD_SEG);
        }
        return b.array();
    }

    /** Disk size in 512-byte sectors, as the config space reports it. */
    public long capacitySectors() {
        return capacitySectors;
    }

    @Override
    protected byte[] configBytes() {
        return config;
    }

    @Override
    protected void processQueue(DeviceState.Active active, int index) throws VirtqueueFault {
        drainQueue(active, queues().get(index), this::handle);
    }

    private long handle(DeviceState.Active active, DescriptorChain chain) {
        GuestMemory memory = active.memory();
        return switch (BlockRequest.parse(chain, memory)) {
            case BlockRequest.Malformed malformed -> {
                LOG.log(System.Logger.Level.DEBUG, "virtio-blk: malformed request: {0}", malformed.reason());
                if (malformed.statusAddress() < 0) {
                    yield 0;
                }
                memory.writeByte(malformed.statusAddress(), (byte) VIRTIO_BLK_S_IOERR);
                yield 1;
            }
            case BlockRequest.Valid valid -> {
                Completion done = execute(memory, valid.request());
                memory.writeByte(valid.request().statusAddress(), (byte) done.status());
                yield done.dataWritten() + 1;
            }
        };
    }

    private Completion execute(GuestMemory memory, BlockRequest request) {
        return switch (request.type()) {
            case RequestType.In in -> read(memory, request);
            case RequestType.Out out -> write(request);
            case RequestType.Flush flush -> flush();
            case RequestType.GetDeviceId getId -> getDeviceId(memory, request);
            case RequestType.Discard discard -> discardOrZero(request, false);
            case RequestType.WriteZeroes writeZeroes -> discardOrZero(request, true);
            case RequestType.Unsupported unsupported -> Completion.UNSUPP;
        };
    }

    /** Byte offset of a {@code length}-byte access at {@code sector}, or -1 if out of range. */
    private long byteOffset(long sector, long length) {
        if (length % SECTOR_SIZE != 0 || sector < 0 || sector > capacitySectors) {
            return -1;
        }
        long offset = sector * SECTOR_SIZE;
        return length <= capacitySectors * SECTOR_SIZE - offset ? offset : -1;
    }

    private Completion read(GuestMemory memory, BlockRequest request) {
        long length = request.writableDataLength();
        long offset = byteOffset(request.sector(), length);
        if (offset < 0) {
            return Completion.IOERR;
        }
        ChainWriter data = new ChainWriter(memory, request.writableData(), length);
        try {
            while (data.remaining() > 0) {
                int n = (int) Math.min(bounce.length, data.remaining());
                backend.read(offset + data.written(), ByteBuffer.wrap(bounce, 0, n));
                data.write(bounce, 0, n);
            }
            return new Completion(VIRTIO_BLK_S_OK, data.written());
        } catch (IOException | RuntimeException e) {
            GuestErrorLog.warn("virtio-blk: read at sector %d failed: %s", request.sector(), e);
            return new Completion(VIRTIO_BLK_S_IOERR, data.written());
        }
    }

    private Completion write(BlockRequest request) {
        long length = request.payload().remaining();
        long offset = byteOffset(request.sector(), length);
        if (offset < 0 || readOnly) {
            return Completion.IOERR;
        }
        try {
            long done = 0;
            while (done < length) {
                int n = (int) Math.min(bounce.length, length - done);
                request.payload().read(bounce, 0, n);
                backend.write(offset + done, ByteBuffer.wrap(bounce, 0, n));
                done += n;
            }
            return Completion.OK;
        } catch (IOException | RuntimeException e) {
            GuestErrorLog.warn("virtio-blk: write at sector %d failed: %s", request.sector(), e);
            return Completion.IOERR;
        }
    }

    private Completion flush() {
        if (readOnly) {
            return Completion.OK; // nothing was ever written
        }
        try {
            backend.flush();
            return Completion.OK;
        } catch (IOException | RuntimeException e) {
            GuestErrorLog.warn("virtio-blk: flush failed: %s", e);
            return Completion.IOERR;
        }
    }

    private Completion getDeviceId(GuestMemory memory, BlockRequest request) {
        if (request.writableDataLength() < VIRTIO_BLK_ID_BYTES) {
            return Completion.IOERR;
        }
        ChainWriter data = new ChainWriter(memory, request.writableData(), VIRTIO_BLK_ID_BYTES);
        data.write(deviceId, 0, deviceId.length);
        return new Completion(VIRTIO_BLK_S_OK, data.written());
    }

    private Completion discardOrZero(BlockRequest request, boolean zero) {
        int feature = zero ? VIRTIO_BLK_F_WRITE_ZEROES : VIRTIO_BLK_F_DISCARD;
        if (!acked(feature)) {
            return Completion.UNSUPP;
        }
        long length = request.payload().remaining();
        if (length == 0 || length % SEGMENT_SIZE != 0 || length / SEGMENT_SIZE > MAX_DISCARD_SEG || readOnly) {
            return Completion.IOERR;
        }
        List<Segment> segments = new ArrayList<>();
        while (request.payload().remaining() > 0) {
            long sector = request.payload().readLong();
            long sectors = Integer.toUnsignedLong(request.payload().readInt());
            int flags = request.payload().readInt();
            int allowedFlags = zero ? VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP : 0;
            if ((flags & ~allowedFlags) != 0) {
                return Completion.UNSUPP;
            }
            if (sectors > MAX_DISCARD_SECTORS || byteOffset(sector, sectors * SECTOR_SIZE) < 0) {
                return Completion.IOERR;
            }
            segments.add(new Segment(sector, sectors, flags));
        }
        try {
            for (Segment segment : segments) {
                long offset = segment.sector() * SECTOR_SIZE;
                long bytes = segment.sectors() * SECTOR_SIZE;
                if (zero) {
                    for (long done = 0; done < bytes; ) {
                        int n = (int) Math.min(zeros.length, bytes - done);
                        backend.write(offset + done, ByteBuffer.wrap(zeros, 0, n));
                        done += n;
                    }
                } else {
                    backend.discard(offset, bytes);
                }
            }
            return Completion.OK;
        } catch (IOException | RuntimeException e) {
            GuestErrorLog.warn("virtio-blk: %s failed: %s", zero ? "write zeroes" : "discard", e);
            return Completion.IOERR;
        }
    }
}

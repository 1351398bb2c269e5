package dev.jvmm.devices.virtio.blk;

import static dev.jvmm.devices.virtio.blk.VirtioBlkSpec.*;

/** The kind of a virtio-blk request, from the header's type field. */
public sealed interface RequestType {

    /** Read sectors into the device-writable data buffers. */
    record In() implements RequestType {
    }

    /** Write the device-readable data buffers to sectors. */
    record Out() implements RequestType {
    }

    /** Make completed writes durable. */
    record Flush() implements RequestType {
    }

    /** Return the 20-byte device id string. */
    record GetDeviceId() implements RequestType {
    }

    /** Deallocate the ranges in the segment list. */
    record Discard() implements RequestType {
    }

    /** Zero the ranges in the segment list. */
    record WriteZeroes() implements RequestType {
    }

    /** A type this device does not implement; answered with VIRTIO_BLK_S_UNSUPP. */
    record Unsupported(int code) implements RequestType {
    }

    /** The type for header value {@code code}. */
    static RequestType of(int code) {
        return switch (code) {
            case VIRTIO_BLK_T_IN -> new In();
            case VIRTIO_BLK_T_OUT -> new Out();
            case VIRTIO_BLK_T_FLUSH -> new Flush();
            case VIRTIO_BLK_T_GET_ID -> new GetDeviceId();
            case VIRTIO_BLK_T_DISCARD -> new Discard();
            case VIRTIO_BLK_T_WRITE_ZEROES -> new WriteZeroes();
            default -> new Unsupported(code);
        };
    }
}

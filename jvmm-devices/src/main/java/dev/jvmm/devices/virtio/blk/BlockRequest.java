package dev.jvmm.devices.virtio.blk;

import static dev.jvmm.devices.virtio.blk.VirtioBlkSpec.*;

import dev.jvmm.devices.virtio.queue.ChainReader;
import dev.jvmm.devices.virtio.queue.DescriptorChain;
import dev.jvmm.devices.virtio.queue.GuestBuffer;
import dev.jvmm.memory.GuestMemory;
import java.util.List;

/**
 * A virtio-blk request read from a descriptor chain (VIRTIO 1.2 §5.2.6): a 16-byte header in
 * the device-readable part, data after it (readable for OUT, DISCARD, WRITE_ZEROES; writable
 * for IN and GET_ID), and a one-byte status at the very end of the writable part.
 *
 * @param type          the request type
 * @param sector        the header's sector field (512-byte units)
 * @param payload       reader positioned on the readable data after the header
 * @param writableData  the writable buffers; the data part is {@link #writableDataLength()} bytes
 * @param statusAddress guest address of the status byte
 */
public record BlockRequest(RequestType type, long sector, ChainReader payload, List<GuestBuffer> writableData,
                           long writableDataLength, long statusAddress) {

    /** What parsing a chain gave: a request, or a chain too broken to be one. */
    public sealed interface Parsed {
    }

    /** A well-formed request. */
    public record Valid(BlockRequest request) implements Parsed {
    }

    /**
     * A chain that is not a request. If it has a status byte ({@code statusAddress >= 0})
     * the device answers VIRTIO_BLK_S_IOERR there; otherwise it can only return the chain.
     */
    public record Malformed(String reason, long statusAddress) implements Parsed {
    }

    /** Reads the request in {@code chain}; never throws for anything the driver wrote. */
    public static Parsed parse(DescriptorChain chain, GuestMemory memory) {
        long statusAddress = lastWritableByte(chain.writable());
        if (statusAddress < 0) {
            return new Malformed("no device-writable status byte", -1);
        }
        ChainReader reader = new ChainReader(memory, chain.readable());
        if (reader.remaining() < HEADER_SIZE) {
            return new Malformed("header of %d bytes, need %d".formatted(reader.remaining(), HEADER_SIZE),
                    statusAddress);
        }
        int type = reader.readInt();
        reader.readInt(); // reserved (ioprio in legacy drivers)
        long sector = reader.readLong();
        return new Valid(new BlockRequest(RequestType.of(type), sector, reader, chain.writable(),
                chain.writableLength() - 1, statusAddress));
    }

    private static long lastWritableByte(List<GuestBuffer> writable) {
        for (int i = writable.size() - 1; i >= 0; i--) {
            GuestBuffer buffer = writable.get(i);
            if (buffer.length() > 0) {
                return buffer.address() + buffer.length() - 1;
            }
        }
        return -1;
    }
}

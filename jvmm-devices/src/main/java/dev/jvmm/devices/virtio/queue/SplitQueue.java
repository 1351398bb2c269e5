package dev.jvmm.devices.virtio.queue;

import static dev.jvmm.devices.virtio.queue.VirtqueueSpec.*;

import dev.jvmm.memory.GuestMemory;
import dev.jvmm.memory.state.StateException;
import dev.jvmm.memory.state.StateReader;
import dev.jvmm.memory.state.StateWriter;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The device side of a split virtqueue (VIRTIO 1.2 §2.7): the driver's configuration (size,
 * ring addresses, ready) plus the device's position in the rings.
 *
 * <p>The queue never keeps guest memory; each ring operation takes it as an argument, and the
 * device passes only the memory of its {@code Active} state. {@link #check} must have accepted
 * the configuration before the first ring operation, so ring accesses stay inside RAM. Every
 * field the driver controls (indices, descriptors, lengths, flags) is checked; a violation is a
 * {@link VirtqueueFault}.
 *
 * <p>{@link #state()} and {@link #restore} carry the queue through a snapshot or a migration:
 * the configuration and the position, so a restored queue serves the next avail entry the
 * driver posts and continues the used index. The negotiated ring features are not part of it;
 * the owning device sets them again from its features.
 *
 * <p>Not thread-safe: the owning device serialises access.
 */
public final class SplitQueue {

    private static final int AVAIL_IDX = 2;
    private static final int AVAIL_RING = 4;
    private static final int USED_IDX = 2;
    private static final int USED_RING = 4;

    private final int maxSize;

    // Driver configuration, written through the transport before DRIVER_OK.
    private int size;
    private boolean ready;
    private long descriptorTable;
    private long availRing;
    private long usedRing;

    // Negotiated ring features, fixed at activation.
    private boolean indirectDescriptors;
    private boolean eventIdx;

    // Device position; 16-bit counters kept in ints.
    private int nextAvail;
    private int nextUsed;
    private int usedAtLastNotificationCheck;

    /**
     * What a snapshot keeps of a queue: the driver's configuration as written (checked only when
     * the device is activated) and the device's 16-bit positions in the rings.
     *
     * @param nextAvail the avail ring index the device consumes next
     * @param nextUsed the used ring index the device fills next
     * @param usedAtLastNotificationCheck the used index when the device last decided whether to
     *     interrupt (the "old" index of the EVENT_IDX comparison)
     */
    public record State(int size, boolean ready, long descriptorTable, long availRing, long usedRing,
                        int nextAvail, int nextUsed, int usedAtLastNotificationCheck) {

        /** The state of a queue just after device reset, for {@code maxSize}. */
        public static State afterReset(int maxSize) {
            return new State(maxSize, false, 0, 0, 0, 0, 0, 0);
        }

        /** Whether the positions are those of a queue that has never been used since reset. */
        public boolean atStart() {
            return nextAvail == 0 && nextUsed == 0 && usedAtLastNotificationCheck == 0;
        }

        public void write(StateWriter out) {
            out.putInt(size).putBoolean(ready).putLong(descriptorTable).putLong(availRing).putLong(usedRing)
                    .putInt(nextAvail).putInt(nextUsed).putInt(usedAtLastNotificationCheck);
        }

        /** Reads a state written by {@link #write}; {@code name} prefixes the field names in errors. */
        public static State read(StateReader in, String name) throws StateException {
            // The size is stored as the driver wrote it; check() judges it at activation.
            int size = in.getInt(name + " size");
            boolean ready = in.getBoolean(name + " ready");
            long desc = in.getLong(name + " descriptor table");
            long avail = in.getLong(name + " avail ring");
            long used = in.getLong(name + " used ring");
            int nextAvail = in.getInt(name + " next avail", 0, 0xFFFF);
            int nextUsed = in.getInt(name + " next used", 0, 0xFFFF);
            int lastCheck = in.getInt(name + " used at last notification check", 0, 0xFFFF);
            return new State(size, ready, desc, avail, used, nextAvail, nextUsed, lastCheck);
        }
    }

    /** A queue that offers at most {@code maxSize} entries (a power of two up to 32768). */
    public SplitQueue(int maxSize) {
        if (maxSize <= 0 || maxSize > MAX_QUEUE_SIZE || Integer.bitCount(maxSize) != 1) {
            throw new IllegalArgumentException("queue size must be a power of two in 1..32768: " + maxSize);
        }
        this.maxSize = maxSize;
        this.size = maxSize;
    }

    public int maxSize() {
        return maxSize;
    }

    public int size() {
        return size;
    }

    /** Stores the driver's QueueNum; {@link #check} validates it. */
    public void setSize(int size) {
        this.size = size;
    }

    public boolean isReady() {
        return ready;
    }

    public void setReady(boolean ready) {
        this.ready = ready;
    }

    public long descriptorTable() {
        return descriptorTable;
    }

    public void setDescriptorTable(long address) {
        this.descriptorTable = address;
    }

    /** The avail ring ("driver area"). */
    public long availRing() {
        return availRing;
    }

    public void setAvailRing(long address) {
        this.availRing = address;
    }

    /** The used ring ("device area"). */
    public long usedRing() {
        return usedRing;
    }

    public void setUsedRing(long address) {
        this.usedRing = address;
    }

    /** Fixes the negotiated ring features; called at activation. */
    public void setRingFeatures(boolean indirectDescriptors, boolean eventIdx) {
        this.indirectDescriptors = indirectDescriptors;
        this.eventIdx = eventIdx;
    }

    /** Index of the next avail ring entry the device will consume (16 bits). */
    public int nextAvail() {
        return nextAvail;
    }

    /** Index of the next used ring entry the device will fill (16 bits). */
    public int nextUsed() {
        return nextUsed;
    }

    /** Back to the state after device reset: not ready, no addresses, positions at 0. */
    public void reset() {
        size = maxSize;
        ready = false;
        descriptorTable = 0;
        availRing = 0;
        usedRing = 0;
        indirectDescriptors = false;
        eventIdx = false;
        nextAvail = 0;
        nextUsed = 0;
        usedAtLastNotificationCheck = 0;
    }

    /** The configuration and position, for a snapshot. */
    public State state() {
        return new State(size, ready, descriptorTable, availRing, usedRing, nextAvail, nextUsed, usedAtLastNotificationCheck);
    }

    /**
     * Replaces the configuration and position with {@code state} and clears the ring features
     * (the owning device sets them). The caller has checked {@code state}; for a queue of an
     * active device that includes {@link #check(State, int, GuestMemory)}.
     */
    public void restore(State state) {
        size = state.size();
        ready = state.ready();
        descriptorTable = state.descriptorTable();
        availRing = state.availRing();
        usedRing = state.usedRing();
        nextAvail = state.nextAvail() & 0xFFFF;
        nextUsed = state.nextUsed() & 0xFFFF;
        usedAtLastNotificationCheck = state.usedAtLastNotificationCheck() & 0xFFFF;
        indirectDescriptors = false;
        eventIdx = false;
    }

    /**
     * What is wrong with the driver's configuration, if anything: the size must be a power of
     * two no larger than {@link #maxSize()}, and each ring aligned and wholly in {@code memory}.
     */
    public Optional<String> check(GuestMemory memory) {
        return check(state(), maxSize, memory);
    }

    /** {@link #check(GuestMemory)} for a configuration not (yet) in a queue of {@code maxSize}. */
    public static Optional<String> check(State state, int maxSize, GuestMemory memory) {
        int size = state.size();
        long descriptorTable = state.descriptorTable();
        long availRing = state.availRing();
        long usedRing = state.usedRing();
        if (size <= 0 || size > maxSize || Integer.bitCount(size) != 1) {
            return Optional.of("queue size %d is not a power of two in 1..%d".formatted(size, maxSize));
        }
        if (Long.remainderUnsigned(descriptorTable, DESCRIPTOR_TABLE_ALIGN) != 0
                || !memory.contains(descriptorTable, descriptorTableSize(size))) {
            return Optional.of("descriptor table at 0x%x is misaligned or outside RAM".formatted(descriptorTable));
        }
        if (Long.remainderUnsigned(availRing, AVAIL_RING_ALIGN) != 0
                || !memory.contains(availRing, availRingSize(size))) {
            return Optional.of("avail ring at 0x%x is misaligned or outside RAM".formatted(availRing));
        }
        if (Long.remainderUnsigned(usedRing, USED_RING_ALIGN) != 0
                || !memory.contains(usedRing, usedRingSize(size))) {
            return Optional.of("used ring at 0x%x is misaligned or outside RAM".formatted(usedRing));
        }
        return Optional.empty();
    }

    /** Whether the driver has made a chain available that the device has not yet popped. */
    public boolean hasAvailable(GuestMemory memory) throws VirtqueueFault {
        return pendingAvailable(memory) > 0;
    }

    private int pendingAvailable(GuestMemory memory) throws VirtqueueFault {
        int availIdx = Short.toUnsignedInt(memory.readShort(availRing + AVAIL_IDX));
        // The ring entries and descriptors behind availIdx must be read after availIdx itself.
        VarHandle.acquireFence();
        int pending = (availIdx - nextAvail) & 0xFFFF;
        if (pending > size) {
            throw new VirtqueueFault("avail idx %d is %d entries ahead of the device, queue size %d"
                    .formatted(availIdx, pending, size));
        }
        return pending;
    }

    /** Takes the next available chain, or returns null when there is none. */
    public DescriptorChain pop(GuestMemory memory) throws VirtqueueFault {
        if (pendingAvailable(memory) == 0) {
            return null;
        }
        int head = Short.toUnsignedInt(memory.readShort(availRing + AVAIL_RING + 2L * (nextAvail % size)));
        nextAvail = (nextAvail + 1) & 0xFFFF;
        return readChain(memory, head);
    }

    private DescriptorChain readChain(GuestMemory memory, int head) throws VirtqueueFault {
        if (head >= size) {
            throw new VirtqueueFault("chain head %d is outside a queue of %d".formatted(head, size));
        }
        List<GuestBuffer> readable = new ArrayList<>();
        List<GuestBuffer> writable = new ArrayList<>();
        long table = descriptorTable;
        int tableEntries = size;
        boolean inIndirectTable = false;
        int index = head;
        int visited = 0;
        while (true) {
            if (++visited > tableEntries) {
                throw new VirtqueueFault("chain from head %d loops or is longer than its table of %d"
                        .formatted(head, tableEntries));
            }
            long descriptor = table + (long) DESCRIPTOR_SIZE * index;
            long address = memory.readLong(descriptor);
            long length = Integer.toUnsignedLong(memory.readInt(descriptor + 8));
            int flags = Short.toUnsignedInt(memory.readShort(descriptor + 12));
            int next = Short.toUnsignedInt(memory.readShort(descriptor + 14));

            if ((flags & VIRTQ_DESC_F_INDIRECT) != 0) {
                if (!indirectDescriptors) {
                    throw new VirtqueueFault("indirect descriptor without VIRTIO_RING_F_INDIRECT_DESC");
                }
                if (inIndirectTable) {
                    throw new VirtqueueFault("indirect descriptor inside an indirect table");
                }
                if ((flags & VIRTQ_DESC_F_NEXT) != 0) {
                    throw new VirtqueueFault("indirect descriptor with VIRTQ_DESC_F_NEXT");
                }
                if (length == 0 || length % DESCRIPTOR_SIZE != 0 || !memory.contains(address, length)) {
                    throw new VirtqueueFault("indirect table 0x%x+%d is misaligned or outside RAM"
                            .formatted(address, length));
                }
                // The WRITE flag of the descriptor naming the table is ignored (§2.7.5.3.2).
                table = address;
                tableEntries = (int) (length / DESCRIPTOR_SIZE);
                inIndirectTable = true;
                index = 0;
                visited = 0;
                continue;
            }
            if (!memory.contains(address, length)) {
                throw new VirtqueueFault("buffer 0x%x+%d is outside RAM".formatted(address, length));
            }
            if ((flags & VIRTQ_DESC_F_WRITE) != 0) {
                writable.add(new GuestBuffer(address, length));
            } else if (!writable.isEmpty()) {
                throw new VirtqueueFault("device-readable buffer after a device-writable one");
            } else {
                readable.add(new GuestBuffer(address, length));
            }
            if ((flags & VIRTQ_DESC_F_NEXT) == 0) {
                return new DescriptorChain(head, readable, writable);
            }
            if (next >= tableEntries) {
                throw new VirtqueueFault("next descriptor %d is outside a table of %d".formatted(next, tableEntries));
            }
            index = next;
        }
    }

    /** Returns the chain with head {@code headIndex} to the driver, {@code length} bytes written. */
    public void addUsed(GuestMemory memory, int headIndex, int length) {
        long element = usedRing + USED_RING + (long) USED_ELEMENT_SIZE * (nextUsed % size);
        memory.writeInt(element, headIndex);
        memory.writeInt(element + 4, length);
        nextUsed = (nextUsed + 1) & 0xFFFF;
        // The element must be visible before the index that publishes it.
        VarHandle.releaseFence();
        memory.writeShort(usedRing + USED_IDX, (short) nextUsed);
    }

    /**
     * Whether the driver wants an interrupt for the used entries added since the last call:
     * with EVENT_IDX when the used index has passed used_event (modulo 2^16), otherwise unless
     * the driver set VIRTQ_AVAIL_F_NO_INTERRUPT.
     */
    public boolean needsNotification(GuestMemory memory) {
        // Our used-index store must be visible before we read the driver's suppression state.
        VarHandle.fullFence();
        int old = usedAtLastNotificationCheck;
        int now = nextUsed;
        usedAtLastNotificationCheck = now;
        if (old == now) {
            return false;
        }
        if (eventIdx) {
            int usedEvent = Short.toUnsignedInt(memory.readShort(availRing + AVAIL_RING + 2L * size));
            return ((now - usedEvent - 1) & 0xFFFF) < ((now - old) & 0xFFFF);
        }
        int flags = Short.toUnsignedInt(memory.readShort(availRing));
        return (flags & VIRTQ_AVAIL_F_NO_INTERRUPT) == 0;
    }

    /** Used entries added since the last {@link #needsNotification} decision. */
    public int usedSinceLastNotificationCheck() {
        return (nextUsed - usedAtLastNotificationCheck) & 0xFFFF;
    }

    /**
     * Asks the driver to notify when it makes the next chain available (with EVENT_IDX, by
     * writing avail_event), then returns whether a chain became available meanwhile; if so the
     * device must keep processing, since that notification may never come.
     */
    public boolean enableNotification(GuestMemory memory) throws VirtqueueFault {
        if (eventIdx) {
            memory.writeShort(usedRing + USED_RING + (long) USED_ELEMENT_SIZE * size, (short) nextAvail);
        }
        // avail_event must be visible before we look at the avail index again.
        VarHandle.fullFence();
        return pendingAvailable(memory) > 0;
    }
}

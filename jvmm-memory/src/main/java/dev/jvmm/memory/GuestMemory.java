package dev.jvmm.memory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The guest's RAM: one off-heap segment mapped at guest physical address {@link #base()}.
 *
 * <p>All multi-byte accessors are little-endian (RISC-V is) and accept any alignment.
 * The {@code atomic*} methods require natural alignment and use {@link VarHandle} atomics,
 * so LR/SC and AMOs are atomic with respect to every other hart and device.
 * Every accessor checks bounds; see {@link #contains(long, long)}.
 *
 * <p>Every writing accessor marks the pages it wrote in {@link #dirtyPages()}, after the write,
 * and is counted in {@link #accessorWrites()}.
 * RAM is either anonymous ({@link #allocate}) or a private copy-on-write mapping of a
 * snapshot's memory file ({@link #mapPrivate}); both behave the same.
 */
public final class GuestMemory implements AutoCloseable {

    /** Guest page size. */
    public static final int PAGE_SIZE = 4096;

    public static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final VarHandle ATOMIC_INT =
            ValueLayout.JAVA_INT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    private static final VarHandle ATOMIC_LONG =
            ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();
    private static final VarHandle ACCESSOR_WRITES;
    private static final VarHandle ATTACHED_HARTS;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            ACCESSOR_WRITES = lookup.findVarHandle(GuestMemory.class, "accessorWrites", long.class);
            ATTACHED_HARTS = lookup.findVarHandle(GuestMemory.class, "attachedHarts", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Arena arena;
    private final MemorySegment segment;
    private final long base;
    private final long size;
    private final DirtyPageLog dirtyPages;
    private final DirectRam direct;
    /** See {@link #accessorWrites()}; atomically incremented (device threads write concurrently). */
    private volatile long accessorWrites;
    private volatile int attachedHarts;

    private GuestMemory(Arena arena, MemorySegment segment, long base) {
        // The log and every index into it assume whole pages.
        assert segment.byteSize() % PAGE_SIZE == 0;
        this.arena = arena;
        this.segment = segment;
        this.base = base;
        this.size = segment.byteSize();
        this.dirtyPages = new DirtyPageLog(size);
        this.direct = new DirectRam(segment.address(), size);
    }

    /**
     * The per-page write marks. Every writing accessor of this class marks; code that stores
     * into {@link #segment()} or through {@link #direct()} must mark too, after the store, or
     * follow the log's rules for cached writers.
     */
    public DirtyPageLog dirtyPages() {
        return dirtyPages;
    }

    /**
     * Allocates zeroed, page-aligned RAM of {@code size} bytes at guest address {@code base}.
     * Pages take host memory only when the guest first touches them (see {@link AnonymousMemory}).
     */
    public static GuestMemory allocate(long base, long size) {
        checkLayout(base, size);
        Arena arena = Arena.ofShared();
        MemorySegment segment = AnonymousMemory.map(size, arena).orElseGet(() -> arena.allocate(size, PAGE_SIZE));
        return new GuestMemory(arena, segment, base);
    }

    /**
     * Maps {@code file} as the RAM of {@code size} bytes at guest address {@code base},
     * copy-on-write: the guest reads the file's bytes, its writes go to private pages and never
     * reach the file. Nothing is read up front (pages fault in on first touch), so restoring
     * costs the same for any memory size; holes in the file read as zeros.
     *
     * <p>The file's length must be exactly {@code size}. It must not be truncated while
     * mapped: touching a page past its end would crash the access. {@link #close()} unmaps.
     *
     * @throws IOException if the file cannot be opened for reading and writing (Java requires
     *                     both for a private mapping), has the wrong length, or cannot be mapped
     */
    public static GuestMemory mapPrivate(Path file, long base, long size) throws IOException {
        checkLayout(base, size);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long length = channel.size();
            if (length != size) {
                throw new IOException("memory file %s is %d bytes, expected %d".formatted(file, length, size));
            }
            Arena arena = Arena.ofShared();
            try {
                // The mapping outlives the channel; the arena owns it.
                MemorySegment segment = channel.map(FileChannel.MapMode.PRIVATE, 0, size, arena);
                return new GuestMemory(arena, segment, base);
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
        }
    }

    private static void checkLayout(long base, long size) {
        if (size <= 0 || size % PAGE_SIZE != 0) {
            throw new IllegalArgumentException("guest memory size must be a positive multiple of 4 KiB: " + size);
        }
        if (base % PAGE_SIZE != 0 || base + size < base) {
            throw new IllegalArgumentException("bad guest memory base 0x%x".formatted(base));
        }
    }

    public long base() {
        return base;
    }

    public long size() {
        return size;
    }

    /** One past the last guest physical address of RAM. */
    public long end() {
        return base + size;
    }

    /** Whether the whole range {@code [address, address + length)} is RAM. */
    public boolean contains(long address, long length) {
        return address - base >= 0 && Long.compareUnsigned(address - base, size) < 0
                && length >= 0 && length <= size - (address - base);
    }

    /**
     * The CPU's fast way to the same bytes as {@link #segment()}, by RAM offset. Valid until
     * {@link #close()}; its stores do not mark {@link #dirtyPages()} (see there who must).
     */
    public DirectRam direct() {
        return direct;
    }

    /** The backing segment; byte {@code i} is guest physical address {@code base() + i}. */
    public MemorySegment segment() {
        return segment;
    }

    private long offset(long address, long length) {
        if (!contains(address, length)) {
            throw new IndexOutOfBoundsException(
                    "guest access 0x%x+%d outside RAM [0x%x, 0x%x)".formatted(address, length, base, end()));
        }
        return address - base;
    }

    public byte readByte(long address) {
        return segment.get(ValueLayout.JAVA_BYTE, offset(address, 1));
    }

    public short readShort(long address) {
        return segment.get(SHORT, offset(address, 2));
    }

    public int readInt(long address) {
        return segment.get(INT, offset(address, 4));
    }

    public long readLong(long address) {
        return segment.get(LONG, offset(address, 8));
    }

    public void writeByte(long address, byte value) {
        long off = offset(address, 1);
        segment.set(ValueLayout.JAVA_BYTE, off, value);
        dirtyPages.markOffset(off);
        countWrite();
    }

    public void writeShort(long address, short value) {
        long off = offset(address, 2);
        segment.set(SHORT, off, value);
        markSmall(off, 2);
    }

    public void writeInt(long address, int value) {
        long off = offset(address, 4);
        segment.set(INT, off, value);
        markSmall(off, 4);
    }

    public void writeLong(long address, long value) {
        long off = offset(address, 8);
        segment.set(LONG, off, value);
        markSmall(off, 8);
    }

    /** Marks the page of a write of at most 8 bytes, and the next one when a misaligned write crosses into it. */
    private void markSmall(long off, int width) {
        long last = off + width - 1;
        dirtyPages.markOffset(off);
        if (((off ^ last) >>> 12) != 0) {
            dirtyPages.markOffset(last);
        }
        countWrite();
    }

    /** Counts a write through an accessor, after it (and its marks) are done. */
    private void countWrite() {
        ACCESSOR_WRITES.getAndAdd(this, 1L);
    }

    /**
     * How many times a writing accessor (not an atomic) has run: the writes of devices (DMA)
     * and of the host. The harts store through {@link #direct()} and use the atomics, and each
     * tracks its own stores into the code it translated; so a hart that is the only one attached
     * ({@link #attachedHarts()}) and sees this count unchanged between two instruction fences
     * knows nothing it translated was changed behind its back.
     */
    public long accessorWrites() {
        return accessorWrites;
    }

    /** Called once by each hart that stores into this memory directly (see {@link #accessorWrites()}). */
    public void attachHart() {
        ATTACHED_HARTS.getAndAdd(this, 1);
    }

    /** How many harts have attached themselves: their stores are not counted in {@link #accessorWrites()}. */
    public int attachedHarts() {
        return attachedHarts;
    }

    /** Copies {@code length} bytes from guest memory into {@code dst[dstOffset..]}. */
    public void read(long address, byte[] dst, int dstOffset, int length) {
        MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, offset(address, length), dst, dstOffset, length);
    }

    /** Copies {@code length} bytes of {@code src[srcOffset..]} into guest memory. */
    public void write(long address, byte[] src, int srcOffset, int length) {
        long off = offset(address, length);
        MemorySegment.copy(src, srcOffset, segment, ValueLayout.JAVA_BYTE, off, length);
        dirtyPages.markRange(off, length);
        countWrite();
    }

    public void write(long address, byte[] src) {
        write(address, src, 0, src.length);
    }

    /** Copies all of {@code src} (a heap array, a mapped file, ...) into guest memory. */
    public void write(long address, MemorySegment src) {
        long length = src.byteSize();
        long off = offset(address, length);
        MemorySegment.copy(src, 0, segment, off, length);
        dirtyPages.markRange(off, length);
        countWrite();
    }

    /** Sets {@code length} bytes from {@code address} to zero. */
    public void zero(long address, long length) {
        long off = offset(address, length);
        segment.asSlice(off, length).fill((byte) 0);
        dirtyPages.markRange(off, length);
        countWrite();
    }

    private long alignedOffset(long address, int width) {
        long off = offset(address, width);
        if ((address & (width - 1)) != 0) {
            throw new IllegalArgumentException("misaligned atomic access at 0x%x".formatted(address));
        }
        return off;
    }

    /** Atomically replaces the 32-bit word if it equals {@code expected}; returns the witness value. */
    public int atomicCompareExchangeInt(long address, int expected, int value) {
        long off = alignedOffset(address, 4);
        int witness = (int) ATOMIC_INT.compareAndExchange(segment, off, expected, value);
        if (witness == expected) {
            dirtyPages.markOffset(off); // aligned: one page
        }
        return witness;
    }

    /** Atomically replaces the 64-bit word if it equals {@code expected}; returns the witness value. */
    public long atomicCompareExchangeLong(long address, long expected, long value) {
        long off = alignedOffset(address, 8);
        long witness = (long) ATOMIC_LONG.compareAndExchange(segment, off, expected, value);
        if (witness == expected) {
            dirtyPages.markOffset(off); // aligned: one page
        }
        return witness;
    }

    /** Volatile read of an aligned 32-bit word. */
    public int atomicReadInt(long address) {
        return (int) ATOMIC_INT.getVolatile(segment, alignedOffset(address, 4));
    }

    /** Volatile read of an aligned 64-bit word. */
    public long atomicReadLong(long address) {
        return (long) ATOMIC_LONG.getVolatile(segment, alignedOffset(address, 8));
    }

    /** Frees the RAM (or unmaps the memory file). The memory must not be used afterwards. */
    @Override
    public void close() {
        arena.close();
    }
}

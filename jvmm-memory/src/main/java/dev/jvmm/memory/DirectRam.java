package dev.jvmm.memory;

import jdk.internal.misc.Unsafe;

/**
 * Guest RAM read and written by RAM offset through the JDK's own raw memory access, for the
 * harts' hot paths (the interpreter's TLB hits and fetches, and the translator's generated
 * code). A {@code MemorySegment} access checks the segment's session, bounds, alignment and
 * read-only state through a chain of calls that HotSpot must inline at every access; that
 * chain made a translated block's C1 code about 22 KiB and its compilation twice as slow, and
 * it costs the interpreter, which cannot fold it, about a tenth of its time. Here an access is
 * one unsigned bounds check and the load or store.
 *
 * <p>Safe because: every access is checked against {@link #size()}, so nothing outside RAM is
 * ever touched whatever offset a caller computes; and the mapping lives as long as its
 * {@link GuestMemory}, which a machine closes only after every hart thread has ended. A record,
 * so that HotSpot trusts its fields: in generated code, where it is a constant, the address and
 * the bound fold into the instructions.
 *
 * <p>Stores here do not mark the {@link DirtyPageLog}: the MMU, its only writer, marks a page
 * when it caches write access to it in a store TLB entry and when it drops the entry, and marks
 * after each store of its slow path (the rules are the log's). One mark per store had cost
 * translated code up to a fifth of its time in store-heavy loops.
 *
 * <p>Needs {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED} (jvmm's jar manifest,
 * launcher and test configuration give it). Little-endian like RISC-V on any host.
 *
 * @param address the host address of RAM offset 0
 * @param size    RAM's size in bytes
 */
public record DirectRam(long address, long size) {

    private static final Unsafe UNSAFE = unsafe();

    private static Unsafe unsafe() {
        Module java = Object.class.getModule();
        if (!java.isExported("jdk.internal.misc", DirectRam.class.getModule())) {
            throw new IllegalStateException("jvmm's CPU needs the JVM option --add-exports "
                    + "java.base/jdk.internal.misc=ALL-UNNAMED (the jvmm launcher and jar pass it)");
        }
        return Unsafe.getUnsafe();
    }

    public DirectRam {
        // At least one 8-byte access must fit: below that, size - width in at() would go negative
        // and the unsigned compare would let every offset through.
        if (size < Long.BYTES || address == 0) {
            throw new IllegalArgumentException("bad RAM window: address 0x%x, size %d".formatted(address, size));
        }
    }

    /** The host address of {@code width} bytes at {@code offset}; throws unless they all lie in RAM. */
    private long at(long offset, int width) {
        // One unsigned compare covers negative offsets and ones running past the end.
        if (Long.compareUnsigned(offset, size - width) > 0) {
            throw outside(offset, width);
        }
        return address + offset;
    }

    // Apart from at() so that at() stays small enough for HotSpot to inline everywhere.
    private IndexOutOfBoundsException outside(long offset, int width) {
        return new IndexOutOfBoundsException("RAM access at offset 0x%x+%d outside [0, 0x%x)".formatted(offset, width, size));
    }

    // Each accessor stays within C1's 35-byte inlining limit.

    public byte load8(long offset) {
        return UNSAFE.getByte(null, at(offset, 1));
    }

    public short load16(long offset) {
        return UNSAFE.getShortUnaligned(null, at(offset, 2), false);
    }

    public int load32(long offset) {
        return UNSAFE.getIntUnaligned(null, at(offset, 4), false);
    }

    public long load64(long offset) {
        return UNSAFE.getLongUnaligned(null, at(offset, 8), false);
    }

    public void store8(long offset, byte value) {
        UNSAFE.putByte(null, at(offset, 1), value);
    }

    public void store16(long offset, short value) {
        UNSAFE.putShortUnaligned(null, at(offset, 2), value, false);
    }

    public void store32(long offset, int value) {
        UNSAFE.putIntUnaligned(null, at(offset, 4), value, false);
    }

    public void store64(long offset, long value) {
        UNSAFE.putLongUnaligned(null, at(offset, 8), value, false);
    }
}

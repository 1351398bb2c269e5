/**
 * The bottom room of jvmm: guest physical memory and what sits on the physical bus.
 *
 * <h3>What it owns</h3>
 * {@link dev.jvmm.memory.GuestMemory} is the guest's RAM, an off-heap {@code MemorySegment}
 * addressed by guest physical address. {@link dev.jvmm.memory.AddressSpace} is the
 * physical address map: one RAM region plus MMIO regions, each served by an
 * {@link dev.jvmm.memory.MmioDevice}. {@link dev.jvmm.memory.InterruptLine} is the one wire
 * between a device and whatever receives its interrupt, and {@link dev.jvmm.memory.Clock}
 * is the machine's timebase that both the CLINT and the harts' {@code time} CSR read.
 *
 * <h3>Snapshots and migration</h3>
 * Every write to RAM marks its page in a {@link dev.jvmm.memory.DirtyPageLog}, which migration
 * drains round after round. {@link dev.jvmm.memory.PageFile} writes RAM to a sparse file laid out
 * byte for byte, described by a {@link dev.jvmm.memory.PageFileIndex}, and
 * {@link dev.jvmm.memory.GuestMemory#mapPrivate} maps such a file back copy-on-write, so a restore
 * reads only the pages the guest touches. Component state records are encoded by
 * {@link dev.jvmm.memory.state}.
 *
 * <h3>What it must not know</h3>
 * CPUs and devices. Everything here is driven through these small contracts, so a hart,
 * a device model or a snapshot writer can sit on top without this package changing.
 *
 * <h3>Guest input is hostile</h3>
 * Every accessor checks that the whole access lies inside guest RAM and throws
 * {@link java.lang.IndexOutOfBoundsException} otherwise; callers that serve the guest
 * check first with {@link dev.jvmm.memory.GuestMemory#contains(long, long)} and turn a miss
 * into an architectural fault.
 */
package dev.jvmm.memory;

package dev.jvmm.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Zeroed RAM that costs nothing until touched: an anonymous private mapping made with the
 * host's {@code mmap}, as QEMU allocates guest RAM. (The FFM arena's own allocation writes
 * zeros over the whole block up front, so a 2 GiB guest would be 2 GiB resident from its first
 * instruction.) Where {@code mmap} cannot be called, {@link #map} returns empty and the caller
 * falls back to the arena.
 */
final class AnonymousMemory {

    private static final int PROT_READ = 0x1;
    private static final int PROT_WRITE = 0x2;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20; // Linux (x86-64, aarch64, riscv64)
    private static final int MAP_NORESERVE = 0x4000;
    private static final long MAP_FAILED = -1L;

    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;

    static {
        MethodHandle mmap = null;
        MethodHandle munmap = null;
        try {
            if (System.getProperty("os.name", "").equals("Linux")) {
                Linker linker = Linker.nativeLinker();
                mmap = linker.downcallHandle(linker.defaultLookup().find("mmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                munmap = linker.downcallHandle(linker.defaultLookup().find("munmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
            }
        } catch (RuntimeException | Error e) {
            mmap = null; // no native access: the arena it is
            munmap = null;
        }
        MMAP = mmap;
        MUNMAP = munmap;
    }

    private AnonymousMemory() {
    }

    /** {@code size} bytes of lazily allocated zeros, unmapped when {@code arena} closes; empty if mmap is unavailable or fails. */
    static Optional<MemorySegment> map(long size, Arena arena) {
        if (MMAP == null) {
            return Optional.empty();
        }
        try {
            MemorySegment address = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, size,
                    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L);
            if (address.address() == MAP_FAILED || address.address() == 0) {
                return Optional.empty();
            }
            return Optional.of(address.reinterpret(size, arena, AnonymousMemory::unmap));
        } catch (Throwable t) {
            return Optional.empty();
        }
    }

    private static void unmap(MemorySegment segment) {
        try {
            int ignored = (int) MUNMAP.invokeExact(segment, segment.byteSize());
        } catch (Throwable t) {
            // Unmapping fails only for a bad address, which this class never hands out.
        }
    }
}

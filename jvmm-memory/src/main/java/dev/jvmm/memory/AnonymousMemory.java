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
 *
 * <p>Like QEMU, the mapping is aligned to 2 MiB and offered to the host kernel for transparent
 * huge pages ({@code madvise(MADV_HUGEPAGE)}; hosts whose THP setting is "madvise", such as
 * Debian's, use them only when asked): one host page fault then brings in 2 MiB instead of
 * 4 KiB, and the host's TLB covers 512 times more guest RAM. Where the host refuses, the
 * mapping stays as it is, with 4 KiB pages.
 */
final class AnonymousMemory {

    private static final int PROT_READ = 0x1;
    private static final int PROT_WRITE = 0x2;
    private static final int MAP_PRIVATE = 0x02;
    private static final int MAP_ANONYMOUS = 0x20; // Linux (x86-64, aarch64, riscv64)
    private static final int MAP_NORESERVE = 0x4000;
    private static final long MAP_FAILED = -1L;
    private static final int MADV_HUGEPAGE = 14; // Linux
    private static final long HUGE_PAGE = 2L << 20;

    private static final MethodHandle MMAP;
    private static final MethodHandle MUNMAP;
    private static final MethodHandle MADVISE;

    static {
        MethodHandle mmap = null;
        MethodHandle munmap = null;
        MethodHandle madvise = null;
        try {
            if (System.getProperty("os.name", "").equals("Linux")) {
                Linker linker = Linker.nativeLinker();
                mmap = linker.downcallHandle(linker.defaultLookup().find("mmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
                munmap = linker.downcallHandle(linker.defaultLookup().find("munmap").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
                madvise = linker.downcallHandle(linker.defaultLookup().find("madvise").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            }
        } catch (RuntimeException | Error e) {
            mmap = null; // no native access: the arena it is
            munmap = null;
            madvise = null;
        }
        MMAP = mmap;
        MUNMAP = munmap;
        MADVISE = madvise;
    }

    private AnonymousMemory() {
    }

    /** {@code size} bytes of lazily allocated zeros, unmapped when {@code arena} closes; empty if mmap is unavailable or fails. */
    static Optional<MemorySegment> map(long size, Arena arena) {
        if (MMAP == null) {
            return Optional.empty();
        }
        try {
            // Map 2 MiB more than asked, then give back the ends around a 2 MiB-aligned window.
            long padded = size + HUGE_PAGE;
            MemorySegment mapped = (MemorySegment) MMAP.invokeExact(MemorySegment.NULL, padded,
                    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0L);
            long start = mapped.address();
            if (start == MAP_FAILED || start == 0) {
                return Optional.empty();
            }
            long aligned = (start + HUGE_PAGE - 1) & -HUGE_PAGE;
            unmap(start, aligned - start);
            unmap(aligned + size, start + padded - (aligned + size));
            MemorySegment window = MemorySegment.ofAddress(aligned).reinterpret(size, arena, AnonymousMemory::unmap);
            int ignored = (int) MADVISE.invokeExact(MemorySegment.ofAddress(aligned), size, MADV_HUGEPAGE);
            return Optional.of(window);
        } catch (Throwable t) {
            return Optional.empty();
        }
    }

    /** Unmaps {@code length} bytes at {@code address} (nothing when the length is 0). */
    private static void unmap(long address, long length) throws Throwable {
        if (length > 0) {
            int ignored = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(address), length);
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

package dev.jvmm.memory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A machine's physical address map: one RAM region and any number of non-overlapping MMIO
 * regions. Built once while the board is assembled, then only read, so lookups need no
 * locking.
 */
public final class AddressSpace {

    private final GuestMemory ram;
    private volatile MmioRegion[] regions = new MmioRegion[0];

    public AddressSpace(GuestMemory ram) {
        this.ram = ram;
    }

    public GuestMemory ram() {
        return ram;
    }

    /** Places {@code device} at {@code [base, base + size)}; refuses overlaps with RAM or other devices. */
    public synchronized MmioRegion map(long base, long size, MmioDevice device) {
        MmioRegion region = new MmioRegion(base, size, device);
        if (overlaps(base, size, ram.base(), ram.size())) {
            throw new IllegalArgumentException("MMIO region at 0x%x overlaps RAM".formatted(base));
        }
        for (MmioRegion other : regions) {
            if (overlaps(base, size, other.base(), other.size())) {
                throw new IllegalArgumentException(
                        "MMIO region at 0x%x overlaps the one at 0x%x".formatted(base, other.base()));
            }
        }
        List<MmioRegion> all = new ArrayList<>(List.of(regions));
        all.add(region);
        all.sort(Comparator.comparingLong(MmioRegion::base));
        regions = all.toArray(MmioRegion[]::new);
        return region;
    }

    private static boolean overlaps(long a, long aSize, long b, long bSize) {
        return a < b + bSize && b < a + aSize;
    }

    /** The MMIO region that holds the whole access, or {@code null} if none does. */
    public MmioRegion findMmio(long address, int length) {
        MmioRegion[] all = regions;
        int lo = 0;
        int hi = all.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            MmioRegion r = all[mid];
            if (Long.compareUnsigned(address, r.base()) < 0) {
                hi = mid - 1;
            } else if (Long.compareUnsigned(address - r.base(), r.size()) >= 0) {
                lo = mid + 1;
            } else {
                return r.contains(address, length) ? r : null;
            }
        }
        return null;
    }

    /** All MMIO regions, by base address. */
    public List<MmioRegion> mmioRegions() {
        return List.of(regions);
    }
}

package dev.jvmm.machine.boot;

import dev.jvmm.machine.MachineException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where each boot image goes in DRAM, decided the way QEMU's {@code hw/riscv/boot.c} decides:
 * <ul>
 *   <li>firmware (if any) at DRAM base, or at its ELF physical addresses;</li>
 *   <li>a flat kernel {@code Image} at the first 2 MiB boundary after the firmware (DRAM +
 *       2 MiB without firmware); an ELF kernel at its own physical addresses;</li>
 *   <li>the initrd at kernel start + min(RAM / 2, 128 MiB);</li>
 *   <li>the device tree (followed, with firmware, by the {@code fw_dynamic_info} block) at
 *       the highest 2 MiB boundary where it fits below the end of DRAM or 3 GiB, whichever
 *       is lower.</li>
 * </ul>
 * Nothing may overlap and everything must lie in RAM; a layout that does not fit is a
 * {@link MachineException} naming the sizes.
 *
 * @param firmware      firmware segments, empty for the built-in SBI
 * @param kernel        kernel segments
 * @param kernelEntry   where the kernel starts executing
 * @param initrd        the initrd's segment, if any
 * @param deviceTree    the device tree's address
 * @param firmwareInfo  the fw_dynamic_info block's address (only with firmware)
 */
public record BootLayout(List<Segment> firmware, List<Segment> kernel, long kernelEntry,
                         Optional<Segment> initrd, long deviceTree, Optional<Long> firmwareInfo) {

    public static final long MIB = 1L << 20;

    /**
     * The same placement without the images' bytes (kept by a running machine: the bytes are in
     * guest RAM once loaded, and a kernel and initrd are tens of MiB of heap).
     */
    public BootLayout placementOnly() {
        return new BootLayout(firmware.stream().map(Segment::placementOnly).toList(),
                kernel.stream().map(Segment::placementOnly).toList(), kernelEntry,
                initrd.map(Segment::placementOnly), deviceTree, firmwareInfo);
    }
    /** Kernel load alignment on RV64 (one megapage). */
    public static final long KERNEL_ALIGN = 2 * MIB;
    static final long INITRD_MAX_OFFSET = 128 * MIB;
    static final long FDT_CEILING = 3L << 30;

    /**
     * The first step: firmware, kernel and initrd placed; the device tree's size is known
     * only once the tree (which names the initrd's range) has been built.
     */
    public record Images(long ramBase, long ramSize, List<Segment> firmware, List<Segment> kernel,
                         long kernelEntry, long kernelLow, Optional<Segment> initrd) {

        /** Places the device tree of {@code fdtSize} bytes (plus fw_dynamic_info with firmware). */
        public BootLayout placeDeviceTree(int fdtSize) throws MachineException {
            boolean withInfo = !firmware.isEmpty();
            long blobSize = fdtSize + (withInfo ? FirmwareInfo.SIZE + 8 : 0);
            long ramEnd = ramBase + ramSize;
            long top = ramBase < FDT_CEILING ? Math.min(ramEnd, FDT_CEILING) : ramEnd;
            long address = (top - blobSize) & -KERNEL_ALIGN;
            long below = occupiedEnd();
            if (address < below || address < ramBase) {
                throw new MachineException("memory too small: %s of RAM cannot hold the boot images (%s) and the device tree (%s)"
                        .formatted(human(ramSize), human(below - ramBase), human(blobSize)));
            }
            Optional<Long> info = withInfo ? Optional.of(align(address + fdtSize, 8)) : Optional.empty();
            return new BootLayout(firmware, kernel, kernelEntry, initrd, address, info);
        }

        private long occupiedEnd() {
            long end = ramBase;
            for (Segment s : firmware) {
                end = Math.max(end, s.end());
            }
            for (Segment s : kernel) {
                end = Math.max(end, s.end());
            }
            if (initrd.isPresent()) {
                end = Math.max(end, initrd.get().end());
            }
            return end;
        }
    }

    /** Places firmware, kernel and initrd in RAM {@code [ramBase, ramBase + ramSize)}. */
    public static Images place(long ramBase, long ramSize, Optional<BootImage> firmware, BootImage kernel,
                               Optional<MemorySegment> initrd) throws MachineException {
        long ramEnd = ramBase + ramSize;
        List<Segment> fw = new ArrayList<>();
        long fwEnd = ramBase;
        if (firmware.isPresent()) {
            fw.addAll(segmentsAt(firmware.get(), ramBase));
            for (Segment s : fw) {
                requireInRam(s, ramBase, ramEnd, ramSize, "firmware");
                fwEnd = Math.max(fwEnd, s.end());
            }
        }

        List<Segment> k;
        long entry;
        if (kernel instanceof BootImage.Flat flat) {
            long start = firmware.isPresent() ? align(fwEnd, KERNEL_ALIGN) : ramBase + KERNEL_ALIGN;
            k = List.of(new Segment(start, flat.bytes(), flat.memorySize()));
            entry = start;
        } else {
            BootImage.Elf elf = (BootImage.Elf) kernel;
            k = elf.segments();
            entry = elf.entry();
        }
        long kernelLow = Long.MAX_VALUE;
        long kernelHigh = ramBase;
        for (Segment s : k) {
            requireInRam(s, ramBase, ramEnd, ramSize, "kernel");
            for (Segment f : fw) {
                if (overlaps(s, f)) {
                    throw new MachineException("kernel segment at 0x%x overlaps the firmware at 0x%x-0x%x"
                            .formatted(s.address(), f.address(), f.end()));
                }
            }
            kernelLow = Math.min(kernelLow, s.address());
            kernelHigh = Math.max(kernelHigh, s.end());
        }
        if (entry < ramBase || entry >= ramEnd) {
            throw new MachineException("kernel entry point 0x%x is outside RAM".formatted(entry));
        }

        Optional<Segment> rd = Optional.empty();
        if (initrd.isPresent()) {
            MemorySegment bytes = initrd.get();
            long start = align(kernelLow + Math.min(ramSize / 2, INITRD_MAX_OFFSET), GuestPage.SIZE);
            if (start < kernelHigh || start + bytes.byteSize() > ramEnd) {
                throw new MachineException("memory too small: %s of RAM cannot hold the kernel (%s at 0x%x) and the initrd (%s at 0x%x)"
                        .formatted(human(ramSize), human(kernelHigh - kernelLow), kernelLow, human(bytes.byteSize()), start));
            }
            rd = Optional.of(new Segment(start, bytes, bytes.byteSize()));
        }
        return new Images(ramBase, ramSize, List.copyOf(fw), List.copyOf(k), entry, kernelLow, rd);
    }

    private static List<Segment> segmentsAt(BootImage image, long base) {
        return switch (image) {
            case BootImage.Flat flat -> List.of(new Segment(base, flat.bytes(), flat.memorySize()));
            case BootImage.Elf elf -> elf.segments();
        };
    }

    private static void requireInRam(Segment s, long ramBase, long ramEnd, long ramSize, String what)
            throws MachineException {
        if (s.address() < ramBase || Long.compareUnsigned(s.end(), ramEnd) > 0 || s.end() < s.address()) {
            throw new MachineException("memory too small: the %s needs 0x%x-0x%x (%s) but RAM is 0x%x-0x%x (%s)"
                    .formatted(what, s.address(), s.end(), human(s.memorySize()), ramBase, ramEnd, human(ramSize)));
        }
    }

    private static boolean overlaps(Segment a, Segment b) {
        return a.address() < b.end() && b.address() < a.end();
    }

    static long align(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }

    /** A size for a user: "512 MiB", "1.5 MiB", "3000 bytes". */
    public static String human(long bytes) {
        if (bytes >= MIB) {
            return bytes % MIB == 0 ? bytes / MIB + " MiB" : "%.1f MiB".formatted(bytes / (double) MIB);
        }
        if (bytes >= 1024) {
            return bytes % 1024 == 0 ? bytes / 1024 + " KiB" : "%.1f KiB".formatted(bytes / 1024.0);
        }
        return bytes + " bytes";
    }

    /** Guest page size (kept local so the layout math is self-contained). */
    private static final class GuestPage {
        static final long SIZE = 4096;
    }
}

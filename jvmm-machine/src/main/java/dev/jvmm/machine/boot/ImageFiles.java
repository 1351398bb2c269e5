package dev.jvmm.machine.boot;

import dev.jvmm.machine.MachineException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads kernel, firmware and initrd files and recognises what they are. Formats:
 * <ul>
 *   <li>Linux RISC-V {@code Image} (Documentation/arch/riscv/boot-image-header.rst): a
 *       64-byte header with {@code text_offset} at 8, {@code image_size} at 16, the
 *       deprecated magic {@code "RISCV\0\0\0"} at 0x30 and {@code "RSC\x05"} at 0x38;</li>
 *   <li>ELF64 little-endian with {@code e_machine} = EM_RISCV (243), loaded by its PT_LOAD
 *       program headers at their physical addresses;</li>
 *   <li>with firmware only, anything else as a raw binary (U-Boot's {@code u-boot.bin}).</li>
 * </ul>
 * Every field from a file is checked; a bad file gives a one-line {@link MachineException}.
 * Files are mapped, not read into the heap: a Debian kernel is 31 MB, which the board copies
 * into guest RAM once (the bytes of a Linux {@code Image} or an initrd stay in the mapping,
 * valid while the caller's arena is open; an ELF's segments are copied out of it).
 */
public final class ImageFiles {

    public static final int EM_RISCV = 243;
    static final int IMAGE_HEADER_SIZE = 64;
    private static final byte[] IMAGE_MAGIC = {'R', 'I', 'S', 'C', 'V', 0, 0, 0};
    private static final byte[] IMAGE_MAGIC2 = {'R', 'S', 'C', 0x05};
    private static final byte[] ELF_MAGIC = {0x7f, 'E', 'L', 'F'};
    private static final int PT_LOAD = 1;
    private static final int ELF64_HEADER_SIZE = 64;
    private static final int ELF64_PHDR_SIZE = 56;
    /**
     * The symbols looked up in a kernel ELF: the HTIF mailbox of Spike-style test programs
     * and the bounds of their result signature.
     */
    public static final Set<String> HOST_SYMBOLS = Set.of("tohost", "fromhost", "begin_signature", "end_signature");
    /** Anything larger is not a kernel this board could hold (and guards {@code image_size}). */
    static final long MAX_IMAGE_SIZE = 1L << 40;

    private ImageFiles() {
    }

    /**
     * Reads the kernel; a Linux {@code Image} or a RISC-V ELF, anything else is refused. The
     * mapping is the garbage collector's to release.
     */
    public static BootImage readKernel(Path file) throws MachineException {
        return readKernel(file, false, Arena.ofAuto());
    }

    /**
     * Reads the kernel. With {@code rawAllowed} (firmware was given, so the firmware decides
     * what the payload is), a file that is neither ELF nor Linux {@code Image} is a raw binary
     * loaded at the kernel address, as QEMU's {@code -kernel} loads U-Boot's {@code u-boot.bin};
     * without it such a file is refused. The file is mapped in {@code arena}.
     */
    public static BootImage readKernel(Path file, boolean rawAllowed, Arena arena) throws MachineException {
        MemorySegment bytes = map(file, "kernel", arena);
        byte[] head = head(bytes);
        if (rawAllowed && !isElf(head) && !isLinuxImage(head) && !isGzip(head)) {
            if (bytes.byteSize() == 0) {
                throw new MachineException("kernel file is empty: " + file);
            }
            return new BootImage.Flat(bytes, bytes.byteSize());
        }
        return parseKernel(bytes, file.toString());
    }

    /** Reads firmware, mapped in {@code arena}: a RISC-V ELF is loaded by segments, anything else as a raw binary. */
    public static BootImage readFirmware(Path file, Arena arena) throws MachineException {
        MemorySegment bytes = map(file, "firmware", arena);
        if (bytes.byteSize() == 0) {
            throw new MachineException("firmware file is empty: " + file);
        }
        if (isElf(head(bytes))) {
            return parseElf(toArray(bytes, file.toString(), "firmware"), file.toString(), "firmware", Set.of());
        }
        return new BootImage.Flat(bytes, bytes.byteSize());
    }

    /** Reads an initrd (opaque bytes to the board), mapped in {@code arena}. */
    public static MemorySegment readInitrd(Path file, Arena arena) throws MachineException {
        return map(file, "initrd", arena);
    }

    static BootImage parseKernel(byte[] bytes, String name) throws MachineException {
        return parseKernel(MemorySegment.ofArray(bytes), name);
    }

    private static BootImage parseKernel(MemorySegment bytes, String name) throws MachineException {
        byte[] head = head(bytes);
        if (isElf(head)) {
            return parseElf(toArray(bytes, name, "kernel"), name, "kernel", HOST_SYMBOLS);
        }
        if (isLinuxImage(head)) {
            return parseLinuxImage(bytes, name);
        }
        if (isGzip(head)) {
            throw new MachineException("not a RISC-V kernel: " + name
                    + " (gzip-compressed; decompress it to a flat Image first)");
        }
        throw new MachineException("not a RISC-V kernel: " + name);
    }

    static boolean isLinuxImage(byte[] b) {
        return b.length >= IMAGE_HEADER_SIZE
                && (regionEquals(b, 0x38, IMAGE_MAGIC2) || regionEquals(b, 0x30, IMAGE_MAGIC));
    }

    private static BootImage.Flat parseLinuxImage(MemorySegment bytes, String name) throws MachineException {
        long imageSize = bytes.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 16);
        if (imageSize < 0 || imageSize > MAX_IMAGE_SIZE) {
            throw new MachineException("bad RISC-V Image header in %s: image_size 0x%x".formatted(name, imageSize));
        }
        // image_size 0 comes from kernels older than the field; the file is then all there is.
        return new BootImage.Flat(bytes, Math.max(imageSize, bytes.byteSize()));
    }

    private static boolean isGzip(byte[] b) {
        return b.length >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b;
    }

    private static boolean isElf(byte[] b) {
        return regionEquals(b, 0, ELF_MAGIC);
    }

    /**
     * Loads the PT_LOAD segments and looks up the {@code wanted} symbols. A symbol's value is
     * a virtual address; it is mapped to a physical one through the segment holding it (a
     * symbol outside every segment keeps its value).
     */
    static BootImage.Elf parseElf(byte[] bytes, String name, String role, Set<String> wanted) throws MachineException {
        if (bytes.length < ELF64_HEADER_SIZE || bytes[4] != 2 || bytes[5] != 1) {
            throw new MachineException("not a RISC-V %s: %s (not a 64-bit little-endian ELF)".formatted(role, name));
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int machine = Short.toUnsignedInt(b.getShort(18));
        if (machine != EM_RISCV) {
            throw new MachineException("not a RISC-V %s: %s (ELF for machine %d)".formatted(role, name, machine));
        }
        long entry = b.getLong(24);
        long phoff = b.getLong(32);
        int phentsize = Short.toUnsignedInt(b.getShort(54));
        int phnum = Short.toUnsignedInt(b.getShort(56));
        if (phentsize < ELF64_PHDR_SIZE || phoff < 0 || phoff > bytes.length
                || (long) phentsize * phnum > bytes.length - phoff) {
            throw new MachineException("bad ELF program header table in " + name);
        }
        List<Segment> segments = new ArrayList<>();
        List<long[]> virtualRanges = new ArrayList<>();
        long entryPhysical = -1;
        for (int i = 0; i < phnum; i++) {
            int p = (int) (phoff + (long) i * phentsize);
            if (b.getInt(p) != PT_LOAD) {
                continue;
            }
            long offset = b.getLong(p + 8);
            long vaddr = b.getLong(p + 16);
            long paddr = b.getLong(p + 24);
            long filesz = b.getLong(p + 32);
            long memsz = b.getLong(p + 40);
            if (memsz == 0) {
                continue;
            }
            if (offset < 0 || filesz < 0 || memsz < 0 || filesz > memsz || memsz > MAX_IMAGE_SIZE
                    || offset > bytes.length || filesz > bytes.length - offset
                    || Long.compareUnsigned(paddr + memsz, paddr) < 0) {
                throw new MachineException("bad ELF segment %d in %s (offset 0x%x, file size 0x%x, memory size 0x%x)"
                        .formatted(i, name, offset, filesz, memsz));
            }
            segments.add(new Segment(paddr, Arrays.copyOfRange(bytes, (int) offset, (int) (offset + filesz)), memsz));
            virtualRanges.add(new long[] {vaddr, paddr, memsz});
            // The entry point is a virtual address; map it through the segment that holds it.
            if (entryPhysical == -1 && Long.compareUnsigned(entry - vaddr, memsz) < 0) {
                entryPhysical = paddr + (entry - vaddr);
            }
        }
        if (segments.isEmpty()) {
            throw new MachineException("ELF file has nothing to load: " + name);
        }
        if (entryPhysical == -1) {
            throw new MachineException("ELF entry point 0x%x is outside every loaded segment of %s".formatted(entry, name));
        }
        Map<String, Long> symbols = new HashMap<>();
        for (Map.Entry<String, Long> e : ElfSymbols.find(bytes, name, wanted).entrySet()) {
            symbols.put(e.getKey(), physical(e.getValue(), virtualRanges));
        }
        return new BootImage.Elf(segments, entryPhysical, symbols);
    }

    /** {@code ranges} holds {vaddr, paddr, memsz}; a symbol just past a segment (an end marker) maps with it. */
    private static long physical(long virtual, List<long[]> ranges) {
        for (long[] r : ranges) {
            if (Long.compareUnsigned(virtual - r[0], r[2]) < 0) {
                return r[1] + (virtual - r[0]);
            }
        }
        for (long[] r : ranges) {
            if (virtual - r[0] == r[2]) {
                return r[1] + r[2];
            }
        }
        return virtual;
    }

    private static boolean regionEquals(byte[] b, int offset, byte[] expected) {
        return b.length >= offset + expected.length
                && Arrays.equals(b, offset, offset + expected.length, expected, 0, expected.length);
    }

    /** Maps {@code file} read-only in {@code arena}. */
    private static MemorySegment map(Path file, String role, Arena arena) throws MachineException {
        if (Files.isDirectory(file)) {
            throw new MachineException("cannot read %s file %s: is a directory".formatted(role, file));
        }
        try (FileChannel channel = FileChannel.open(file)) {
            long size = channel.size();
            if (size > MAX_IMAGE_SIZE) {
                throw new MachineException("%s file too large: %s (%s)".formatted(role, file, BootLayout.human(size)));
            }
            return size == 0 ? MemorySegment.ofArray(new byte[0]) : channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        } catch (NoSuchFileException e) {
            throw new MachineException("%s file not found: %s".formatted(role, file));
        } catch (IOException e) {
            throw new MachineException("cannot read %s file %s: %s".formatted(role, file, e.getMessage()));
        }
    }

    /** The first bytes of a file, as many as the format checks look at. */
    private static byte[] head(MemorySegment bytes) {
        return bytes.asSlice(0, Math.min(bytes.byteSize(), IMAGE_HEADER_SIZE)).toArray(ValueLayout.JAVA_BYTE);
    }

    /** The whole file in the heap (ELF files are parsed there; they are small). */
    private static byte[] toArray(MemorySegment bytes, String file, String role) throws MachineException {
        if (bytes.byteSize() > Integer.MAX_VALUE - 64) {
            throw new MachineException("%s file too large: %s (%s)".formatted(role, file, BootLayout.human(bytes.byteSize())));
        }
        return bytes.toArray(ValueLayout.JAVA_BYTE);
    }
}

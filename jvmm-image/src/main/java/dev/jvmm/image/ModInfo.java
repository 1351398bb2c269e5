package dev.jvmm.image;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the {@code .modinfo} section of a kernel module (an ELF relocatable object): a run of
 * NUL-terminated {@code key=value} strings such as {@code depends=jbd2,mbcache}. Supports
 * ELF32 and ELF64 in either byte order; anything malformed yields an error, never an exception
 * from an out-of-range read.
 */
public final class ModInfo {

    private final List<String> fields;

    private ModInfo(List<String> fields) {
        this.fields = fields;
    }

    public static ModInfo parse(byte[] elf) throws ImageException {
        try {
            return new ModInfo(parseFields(elf));
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new ImageException("malformed kernel module: " + e.getMessage(), e);
        }
    }

    /** All values of a key, in order. */
    public List<String> values(String key) {
        String prefix = key + "=";
        return fields.stream().filter(f -> f.startsWith(prefix)).map(f -> f.substring(prefix.length())).toList();
    }

    /** The module names in the {@code depends=} field. */
    public List<String> depends() {
        List<String> names = new ArrayList<>();
        for (String v : values("depends")) {
            for (String n : v.split(",")) {
                if (!n.isBlank()) {
                    names.add(n.trim());
                }
            }
        }
        return names;
    }

    private static List<String> parseFields(byte[] elf) throws ImageException {
        if (elf.length < 52 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F') {
            throw new ImageException("not an ELF file");
        }
        boolean is64 = elf[4] == 2;
        ByteBuffer b = ByteBuffer.wrap(elf).order(elf[5] == 2 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        long shoff = is64 ? b.getLong(0x28) : Integer.toUnsignedLong(b.getInt(0x20));
        int shentsize = Short.toUnsignedInt(b.getShort(is64 ? 0x3a : 0x2e));
        int shnum = Short.toUnsignedInt(b.getShort(is64 ? 0x3c : 0x30));
        int shstrndx = Short.toUnsignedInt(b.getShort(is64 ? 0x3e : 0x32));
        if (shoff <= 0 || shoff > elf.length || shstrndx >= shnum || shentsize < (is64 ? 64 : 40)) {
            throw new ImageException("bad ELF section table");
        }
        long[] names = new long[shnum];
        long[] offsets = new long[shnum];
        long[] sizes = new long[shnum];
        for (int i = 0; i < shnum; i++) {
            long base = shoff + (long) i * shentsize;
            if (base + shentsize > elf.length) {
                throw new ImageException("bad ELF section table");
            }
            int s = (int) base;
            names[i] = Integer.toUnsignedLong(b.getInt(s));
            offsets[i] = is64 ? b.getLong(s + 0x18) : Integer.toUnsignedLong(b.getInt(s + 0x10));
            sizes[i] = is64 ? b.getLong(s + 0x20) : Integer.toUnsignedLong(b.getInt(s + 0x14));
        }
        long strtab = offsets[shstrndx];
        for (int i = 0; i < shnum; i++) {
            if (cString(elf, strtab + names[i]).equals(".modinfo")) {
                return strings(elf, offsets[i], sizes[i]);
            }
        }
        return List.of();
    }

    private static List<String> strings(byte[] elf, long offset, long size) throws ImageException {
        if (offset < 0 || size < 0 || offset + size > elf.length) {
            throw new ImageException("bad .modinfo section");
        }
        List<String> out = new ArrayList<>();
        int start = (int) offset;
        int end = (int) (offset + size);
        for (int i = start; i < end; i++) {
            if (elf[i] == 0) {
                if (i > start) {
                    out.add(new String(elf, start, i - start, StandardCharsets.UTF_8));
                }
                start = i + 1;
            }
        }
        return out;
    }

    private static String cString(byte[] elf, long offset) throws ImageException {
        if (offset < 0 || offset >= elf.length) {
            throw new ImageException("bad ELF string offset");
        }
        int end = (int) offset;
        while (end < elf.length && elf[end] != 0) {
            end++;
        }
        return new String(elf, (int) offset, end - (int) offset, StandardCharsets.UTF_8);
    }
}

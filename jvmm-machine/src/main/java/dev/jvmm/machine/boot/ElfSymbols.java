package dev.jvmm.machine.boot;

import dev.jvmm.machine.MachineException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Looks up named symbols in an ELF64 little-endian file's static symbol table: every
 * {@code SHT_SYMTAB} section, with names from the {@code SHT_STRTAB} section its
 * {@code sh_link} names (ELF gABI, "Sections" and "Symbol Table"). Undefined symbols
 * ({@code st_shndx} = 0) are skipped; if a name is defined more than once, the first global
 * definition wins over local ones, else the first definition. A file without section headers
 * or without a symbol table (a stripped file) simply has no symbols.
 *
 * <p>Every offset, size, count and index is checked against the file; a bad table is a
 * one-line {@link MachineException}, never an exception of another kind.
 */
final class ElfSymbols {

    static final int SHT_SYMTAB = 2;
    static final int SHT_STRTAB = 3;
    static final int SHDR_SIZE = 64;
    static final int SYM_SIZE = 24;
    private static final int STB_GLOBAL = 1;
    private static final int E_SHOFF = 0x28;
    private static final int E_SHENTSIZE = 0x3a;
    private static final int E_SHNUM = 0x3c;

    private ElfSymbols() {
    }

    /**
     * The values ({@code st_value}, as written in the file) of those {@code wanted} symbols
     * the file defines. {@code bytes} must already be known to hold a 64-byte ELF64 header.
     */
    static Map<String, Long> find(byte[] bytes, String name, Set<String> wanted) throws MachineException {
        Map<String, Long> found = new HashMap<>();
        if (wanted.isEmpty()) {
            return found;
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long shoff = b.getLong(E_SHOFF);
        int shentsize = Short.toUnsignedInt(b.getShort(E_SHENTSIZE));
        int shnum = Short.toUnsignedInt(b.getShort(E_SHNUM));
        if (shoff == 0 || shnum == 0) {
            return found;
        }
        if (shentsize < SHDR_SIZE || shoff < 0 || shoff > bytes.length
                || (long) shentsize * shnum > bytes.length - shoff) {
            throw new MachineException("bad ELF section header table in %s (offset 0x%x, %d entries of %d bytes)"
                    .formatted(name, shoff, shnum, shentsize));
        }
        Set<String> global = new HashSet<>();
        for (int i = 0; i < shnum; i++) {
            int h = (int) (shoff + (long) i * shentsize);
            if (b.getInt(h + 4) != SHT_SYMTAB) {
                continue;
            }
            Range symtab = range(b, h, bytes.length, name, i);
            if (symtab.size == 0) {
                continue;
            }
            long entsize = b.getLong(h + 56);
            if (entsize < SYM_SIZE) {
                throw new MachineException("bad ELF symbol table (section %d) in %s: entry size %d".formatted(i, name, entsize));
            }
            long link = Integer.toUnsignedLong(b.getInt(h + 40));
            if (link == 0 || link >= shnum) {
                throw new MachineException("bad ELF symbol table (section %d) in %s: string table index %d"
                        .formatted(i, name, link));
            }
            int s = (int) (shoff + link * shentsize);
            if (b.getInt(s + 4) != SHT_STRTAB) {
                throw new MachineException("bad ELF symbol table (section %d) in %s: section %d is not a string table"
                        .formatted(i, name, link));
            }
            Range strtab = range(b, s, bytes.length, name, (int) link);
            long count = symtab.size / entsize;
            for (long k = 0; k < count; k++) {
                int sym = (int) (symtab.offset + k * entsize);
                int shndx = Short.toUnsignedInt(b.getShort(sym + 6));
                if (shndx == 0) {
                    continue;
                }
                long nameOffset = Integer.toUnsignedLong(b.getInt(sym));
                String symbol = symbolName(bytes, strtab, nameOffset, name, i);
                if (!wanted.contains(symbol)) {
                    continue;
                }
                boolean isGlobal = (bytes[sym + 4] & 0xff) >>> 4 == STB_GLOBAL;
                if (!found.containsKey(symbol) || (isGlobal && !global.contains(symbol))) {
                    found.put(symbol, b.getLong(sym + 8));
                    if (isGlobal) {
                        global.add(symbol);
                    }
                }
            }
        }
        return found;
    }

    /** A section's bytes in the file, checked to lie inside it. */
    private record Range(int offset, int size) {
    }

    private static Range range(ByteBuffer b, int header, int fileLength, String name, int index) throws MachineException {
        long offset = b.getLong(header + 24);
        long size = b.getLong(header + 32);
        if (offset < 0 || size < 0 || offset > fileLength || size > fileLength - offset) {
            throw new MachineException("bad ELF section %d in %s (offset 0x%x, size 0x%x beyond the file's %d bytes)"
                    .formatted(index, name, offset, size, fileLength));
        }
        return new Range((int) offset, (int) size);
    }

    private static String symbolName(byte[] bytes, Range strtab, long offset, String name, int section)
            throws MachineException {
        if (offset >= strtab.size) {
            throw new MachineException("bad ELF symbol table (section %d) in %s: name offset 0x%x beyond its string table"
                    .formatted(section, name, offset));
        }
        int start = strtab.offset + (int) offset;
        int end = strtab.offset + strtab.size;
        for (int p = start; p < end; p++) {
            if (bytes[p] == 0) {
                return new String(bytes, start, p - start, StandardCharsets.UTF_8);
            }
        }
        throw new MachineException("bad ELF symbol table (section %d) in %s: unterminated symbol name".formatted(section, name));
    }
}

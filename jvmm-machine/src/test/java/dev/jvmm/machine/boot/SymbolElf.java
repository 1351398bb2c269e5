package dev.jvmm.machine.boot;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A hand-made RISC-V ELF64 with one PT_LOAD segment and a symbol table, for tests that
 * need exact control over (and then break) the section headers, symbols and names.
 * Sections: [0] null, [1] .text (the segment), [2] .symtab (linked to 3), [3] .strtab.
 */
final class SymbolElf {

    static final long VADDR = 0xffff_ffff_8000_0000L;
    static final long PADDR = 0x8000_0000L;
    static final int SEGMENT_SIZE = 0x100;

    record Sym(String name, long value, int shndx, boolean global) {
    }

    private final List<Sym> symbols = new ArrayList<>();
    private long virtualAddress = PADDR;

    SymbolElf virtualAddress(long vaddr) {
        this.virtualAddress = vaddr;
        return this;
    }

    SymbolElf symbol(String name, long value, boolean global) {
        symbols.add(new Sym(name, value, 1, global));
        return this;
    }

    SymbolElf undefined(String name) {
        symbols.add(new Sym(name, 0, 0, true));
        return this;
    }

    // File layout, fixed so tests can poke fields.
    static final int PHOFF = 64;
    static final int SEGMENT_OFFSET = 0x100;
    static final int STRTAB_OFFSET = SEGMENT_OFFSET + SEGMENT_SIZE;

    int strtabSize;
    int symtabOffset;
    int symtabSize;
    int shoff;

    /** Offset of section header {@code i}. */
    int sectionHeader(int i) {
        return shoff + 64 * i;
    }

    /** Offset of symbol {@code i} (0 is the null symbol). */
    int symbolEntry(int i) {
        return symtabOffset + 24 * i;
    }

    byte[] bytes() {
        ByteArrayOutputStream names = new ByteArrayOutputStream();
        names.write(0);
        List<Integer> nameOffsets = new ArrayList<>();
        for (Sym s : symbols) {
            nameOffsets.add(names.size());
            names.writeBytes(s.name().getBytes(StandardCharsets.UTF_8));
            names.write(0);
        }
        strtabSize = names.size();
        symtabOffset = (STRTAB_OFFSET + strtabSize + 7) & ~7;
        symtabSize = 24 * (symbols.size() + 1);
        shoff = (symtabOffset + symtabSize + 7) & ~7;
        ByteBuffer b = ByteBuffer.allocate(shoff + 4 * 64).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
        b.putShort(16, (short) 2);
        b.putShort(18, (short) ImageFiles.EM_RISCV);
        b.putInt(20, 1);
        b.putLong(24, virtualAddress);
        b.putLong(32, PHOFF);
        b.putLong(40, shoff);
        b.putShort(52, (short) 64);
        b.putShort(54, (short) 56);
        b.putShort(56, (short) 1);
        b.putShort(58, (short) 64);
        b.putShort(60, (short) 4);
        b.putInt(PHOFF, 1);
        b.putLong(PHOFF + 8, SEGMENT_OFFSET);
        b.putLong(PHOFF + 16, virtualAddress);
        b.putLong(PHOFF + 24, PADDR);
        b.putLong(PHOFF + 32, SEGMENT_SIZE);
        b.putLong(PHOFF + 40, SEGMENT_SIZE);
        b.put(STRTAB_OFFSET, names.toByteArray());
        for (int i = 0; i < symbols.size(); i++) {
            Sym s = symbols.get(i);
            int e = symbolEntry(i + 1);
            b.putInt(e, nameOffsets.get(i));
            b.put(e + 4, (byte) ((s.global() ? 1 : 0) << 4));
            b.putShort(e + 6, (short) s.shndx());
            b.putLong(e + 8, s.value());
            b.putLong(e + 16, 8);
        }
        section(b, 1, 1, SEGMENT_OFFSET, SEGMENT_SIZE, 0, 0);
        section(b, 2, ElfSymbols.SHT_SYMTAB, symtabOffset, symtabSize, 3, 24);
        section(b, 3, ElfSymbols.SHT_STRTAB, STRTAB_OFFSET, strtabSize, 0, 0);
        return b.array();
    }

    private void section(ByteBuffer b, int index, int type, long offset, long size, int link, long entsize) {
        int h = sectionHeader(index);
        b.putInt(h + 4, type);
        b.putLong(h + 24, offset);
        b.putLong(h + 32, size);
        b.putInt(h + 40, link);
        b.putLong(h + 56, entsize);
    }
}

package dev.jvmm.machine.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvmm.machine.MachineException;
import dev.jvmm.machine.TestPrograms;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ElfSymbolsTest {

    @TempDir
    Path dir;

    private static SymbolElf testProgram() {
        return new SymbolElf()
                .symbol("_start", SymbolElf.PADDR, true)
                .symbol("tohost", SymbolElf.PADDR + 0x40, true)
                .symbol("fromhost", SymbolElf.PADDR + 0x48, true)
                .symbol("begin_signature", SymbolElf.PADDR + 0x80, true)
                .symbol("end_signature", SymbolElf.PADDR + 0x100, true);
    }

    private static BootImage.Elf parse(byte[] bytes) throws MachineException {
        return (BootImage.Elf) ImageFiles.parseKernel(bytes, "test.elf");
    }

    private static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void kernelElfExposesTheHostSymbolsItDefines() throws Exception {
        BootImage.Elf elf = parse(testProgram().bytes());
        assertThat(elf.symbols()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "tohost", SymbolElf.PADDR + 0x40, "fromhost", SymbolElf.PADDR + 0x48,
                "begin_signature", SymbolElf.PADDR + 0x80, "end_signature", SymbolElf.PADDR + 0x100));
    }

    @Test
    void symbolsAreMappedFromVirtualToPhysicalThroughTheirSegment() throws Exception {
        long v = SymbolElf.VADDR;
        BootImage.Elf elf = parse(new SymbolElf().virtualAddress(v)
                .symbol("tohost", v + 0x40, true)
                .symbol("end_signature", v + SymbolElf.SEGMENT_SIZE, true) // one past the segment: an end marker
                .bytes());
        assertThat(elf.symbol("tohost")).hasValue(SymbolElf.PADDR + 0x40);
        assertThat(elf.symbol("end_signature")).hasValue(SymbolElf.PADDR + SymbolElf.SEGMENT_SIZE);
    }

    @Test
    void undefinedSymbolsAreSkipped() throws Exception {
        assertThat(parse(new SymbolElf().undefined("tohost").bytes()).symbol("tohost")).isEmpty();
    }

    @Test
    void globalDefinitionWinsOverALocalOne() throws Exception {
        BootImage.Elf elf = parse(new SymbolElf()
                .symbol("tohost", SymbolElf.PADDR + 0x10, false)
                .symbol("tohost", SymbolElf.PADDR + 0x20, true)
                .symbol("tohost", SymbolElf.PADDR + 0x30, false)
                .bytes());
        assertThat(elf.symbol("tohost")).hasValue(SymbolElf.PADDR + 0x20);
    }

    @Test
    void fileWithoutSectionHeadersHasNoSymbols() throws Exception {
        byte[] bytes = testProgram().bytes();
        le(bytes).putLong(40, 0);
        assertThat(parse(bytes).symbols()).isEmpty();
    }

    @Test
    void firmwareSymbolsAreNotLookedUp() throws Exception {
        assertThat(ImageFiles.parseElf(testProgram().bytes(), "fw.elf", "firmware", java.util.Set.of()).symbols()).isEmpty();
    }

    @Test
    void sectionHeaderTableBeyondTheFileIsRefused() {
        byte[] bytes = testProgram().bytes();
        le(bytes).putLong(40, bytes.length - 64);
        assertRefused(bytes, "bad ELF section header table");
    }

    @Test
    void undersizedSectionHeaderEntriesAreRefused() {
        byte[] bytes = testProgram().bytes();
        le(bytes).putShort(58, (short) 40);
        assertRefused(bytes, "bad ELF section header table");
    }

    @Test
    void symbolTableReachingPastTheFileIsRefused() {
        SymbolElf elf = testProgram();
        byte[] bytes = elf.bytes();
        le(bytes).putLong(elf.sectionHeader(2) + 32, 1L << 40);
        assertRefused(bytes, "bad ELF section 2");
    }

    @Test
    void negativeSectionOffsetIsRefused() {
        SymbolElf elf = testProgram();
        byte[] bytes = elf.bytes();
        le(bytes).putLong(elf.sectionHeader(3) + 24, -8);
        assertRefused(bytes, "bad ELF section 3");
    }

    @Test
    void undersizedSymbolEntriesAreRefused() {
        SymbolElf elf = testProgram();
        byte[] bytes = elf.bytes();
        le(bytes).putLong(elf.sectionHeader(2) + 56, 16);
        assertRefused(bytes, "entry size 16");
    }

    @Test
    void stringTableIndexOutOfRangeIsRefused() {
        SymbolElf elf = testProgram();
        byte[] bytes = elf.bytes();
        le(bytes).putInt(elf.sectionHeader(2) + 40, 9);
        assertRefused(bytes, "string table index 9");
    }

    @Test
    void linkToANonStringTableIsRefused() {
        SymbolElf elf = testProgram();
        byte[] bytes = elf.bytes();
        le(bytes).putInt(elf.sectionHeader(2) + 40, 1);
        assertRefused(bytes, "is not a string table");
    }

    @Test
    void nameOffsetBeyondTheStringTableIsRefused() {
        SymbolElf elf = testProgram();
        byte[] bytes = elf.bytes();
        le(bytes).putInt(elf.symbolEntry(2), 0x7fff_fff0);
        assertRefused(bytes, "name offset");
    }

    @Test
    void unterminatedNameIsRefused() {
        SymbolElf elf = testProgram();
        byte[] bytes = elf.bytes();
        // Shrink the string table so that the last name loses its terminating NUL.
        le(bytes).putLong(elf.sectionHeader(3) + 32, elf.strtabSize - 1);
        assertRefused(bytes, "unterminated symbol name");
    }

    @Test
    void everyTruncationIsRefusedWithOneLineOrParsed() {
        byte[] whole = testProgram().bytes();
        for (int length = 0; length < whole.length; length++) {
            assertParsesOrRefusesInOneLine(Arrays.copyOf(whole, length));
        }
    }

    @Property(tries = 500)
    void corruptedHeadersAndTablesAreRefusedWithOneLineOrParsed(@ForAll @IntRange(min = 0, max = 4095) int position,
                                                               @ForAll long value, @ForAll @IntRange(min = 1, max = 8) int width) {
        byte[] bytes = testProgram().bytes();
        int at = position % bytes.length;
        for (int i = 0; i < width && at + i < bytes.length; i++) {
            bytes[at + i] = (byte) (value >>> (8 * i));
        }
        assertParsesOrRefusesInOneLine(bytes);
    }

    @Test
    void compiledTestProgramHasItsMailboxAndSignatureSymbols() throws Exception {
        Path program = TestPrograms.build(dir, "symbols", """
                    .section .text.init, "ax"
                    .globl _start
                _start:
                    j _start
                    .data
                    .balign 16
                    .globl begin_signature
                begin_signature:
                    .fill 4, 4, 0
                    .globl end_signature
                end_signature:
                """);
        BootImage.Elf elf = (BootImage.Elf) ImageFiles.readKernel(program);
        assertThat(elf.entry()).isEqualTo(0x8000_0000L);
        assertThat(elf.symbol("tohost")).hasValue(TestPrograms.TOHOST);
        assertThat(elf.symbol("fromhost")).hasValue(TestPrograms.FROMHOST);
        long begin = elf.symbol("begin_signature").orElseThrow();
        assertThat(elf.symbol("end_signature")).hasValue(begin + 16);
        assertThat(begin).isGreaterThan(TestPrograms.FROMHOST);
    }

    private static void assertRefused(byte[] bytes, String message) {
        assertThatThrownBy(() -> parse(bytes)).isInstanceOf(MachineException.class)
                .hasMessageContaining(message).hasMessageNotContaining("\n");
    }

    private static void assertParsesOrRefusesInOneLine(byte[] bytes) {
        try {
            ImageFiles.parseKernel(bytes, "test.elf");
        } catch (MachineException e) {
            assertThat(e.getMessage()).isNotBlank().doesNotContain("\n");
        }
    }
}

package dev.jvmm.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvmm.machine.boot.BootImage;
import dev.jvmm.machine.boot.Segment;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineConfigTest {

    @TempDir
    Path dir;

    private static MachineConfig config(Path kernel, long memory, int harts) {
        return new MachineConfig(kernel, Optional.empty(), "", memory, Optional.empty(), harts);
    }

    @Test
    void validConfigPasses() throws Exception {
        config(Path.of("Image"), 512L << 20, 1).validate();
    }

    @Test
    void outOfRangeValuesAreRefusedWithOneLineMessages() {
        assertThatThrownBy(() -> config(Path.of("Image"), 1L << 20, 1).validate())
                .isInstanceOf(MachineException.class).hasMessageStartingWith("memory size 1048576 bytes out of range");
        assertThatThrownBy(() -> config(Path.of("Image"), (512L << 20) + 1, 1).validate())
                .hasMessageStartingWith("memory size must be a multiple of 4 KiB");
        assertThatThrownBy(() -> config(Path.of("Image"), 512L << 20, 0).validate())
                .hasMessage("hart count 0 out of range (1 to 512)");
        assertThatThrownBy(() -> new MachineConfig(Path.of("Image"), Optional.empty(), "a\0b", 512L << 20,
                Optional.empty(), 1).validate()).hasMessageContaining("NUL");
    }

    @Test
    void createRefusesNonRiscvKernelBeforeBuildingAnything() throws Exception {
        Path junk = dir.resolve("kernel.bin");
        Files.write(junk, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertThatThrownBy(() -> VirtMachine.create(config(junk, 64L << 20, 1), new ByteArrayOutputStream()))
                .isInstanceOf(MachineException.class)
                .hasMessage("not a RISC-V kernel: " + junk);
    }

    @Test
    void createRefusesKernelLargerThanMemoryNamingSizes() throws Exception {
        Path image = dir.resolve("Image");
        byte[] header = new byte[64];
        java.nio.ByteBuffer.wrap(header).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(16, 40L << 20);
        System.arraycopy(new byte[] {'R', 'S', 'C', 5}, 0, header, 0x38, 4);
        Files.write(image, header);
        assertThatThrownBy(() -> VirtMachine.create(config(image, 16L << 20, 1), new ByteArrayOutputStream()))
                .isInstanceOf(MachineException.class)
                .hasMessageContaining("memory too small").hasMessageContaining("40 MiB").hasMessageContaining("16 MiB");
    }

    @Test
    void builtinSbiIsUsedExactlyWhenNoFirmwareIsGiven() {
        assertThat(config(Path.of("Image"), 64L << 20, 1).usesBuiltinSbi()).isTrue();
        assertThat(new MachineConfig(Path.of("Image"), Optional.empty(), "", 64L << 20,
                Optional.of(Path.of("fw_jump.bin")), 1).usesBuiltinSbi()).isFalse();
    }

    @Test
    void bootModeIsFirmwareWhenFirmwareIsGivenWhateverTheKernel() {
        MachineConfig withFirmware = new MachineConfig(Path.of("k"), Optional.empty(), "", 64L << 20,
                Optional.of(Path.of("fw_jump.bin")), 1);
        assertThat(withFirmware.bootMode(new BootImage.Flat(new byte[64], 64))).isEqualTo(BootMode.FIRMWARE);
        assertThat(withFirmware.bootMode(elfAt(0x8000_0000L))).isEqualTo(BootMode.FIRMWARE);
    }

    @Test
    void withoutFirmwareAnElfRunsBareAndAnImageOnTheBuiltinSbi() {
        MachineConfig noFirmware = config(Path.of("k"), 64L << 20, 1);
        assertThat(noFirmware.bootMode(elfAt(0x8000_0000L))).isEqualTo(BootMode.BARE);
        assertThat(noFirmware.bootMode(new BootImage.Flat(new byte[64], 64))).isEqualTo(BootMode.BUILTIN_SBI);
    }

    @Test
    void createRefusesAMisalignedTohostInOneLine() throws Exception {
        Path elf = TestPrograms.buildWithoutMailbox(dir, "misaligned", """
                    .section .text.init, "ax"
                    .globl _start
                _start:
                    j _start
                    .data
                    .balign 8
                    .byte 0
                    .globl tohost
                tohost: .dword 0
                """);
        assertThatThrownBy(() -> VirtMachine.create(config(elf, 64L << 20, 1), new ByteArrayOutputStream()))
                .isInstanceOf(MachineException.class)
                .hasMessageContaining("tohost").hasMessageContaining("8-byte aligned").hasMessageNotContaining("\n");
    }

    @Test
    void createRefusesAKernelElfWithABrokenSymbolTableInOneLine() throws Exception {
        Path source = TestPrograms.build(dir, "plain", """
                    .section .text.init, "ax"
                    .globl _start
                _start:
                    j _start
                """);
        byte[] bytes = Files.readAllBytes(source);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long shoff = b.getLong(0x28);
        int shnum = Short.toUnsignedInt(b.getShort(0x3c));
        boolean broken = false;
        for (int i = 0; i < shnum; i++) {
            int h = (int) (shoff + 64L * i);
            if (b.getInt(h + 4) == 2) { // SHT_SYMTAB: point it far past the end of the file
                b.putLong(h + 24, bytes.length + 4096L);
                broken = true;
            }
        }
        assertThat(broken).as("the program has a symbol table to break").isTrue();
        Path elf = dir.resolve("broken.elf");
        Files.write(elf, bytes);
        assertThatThrownBy(() -> VirtMachine.create(config(elf, 64L << 20, 1), new ByteArrayOutputStream()))
                .isInstanceOf(MachineException.class)
                .hasMessageStartingWith("bad ELF section").hasMessageNotContaining("\n");
    }

    private static BootImage.Elf elfAt(long address) {
        return new BootImage.Elf(List.of(new Segment(address, new byte[16], 16)), address);
    }
}

package dev.jvmm.machine.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvmm.machine.MachineException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFilesTest {

    @TempDir
    Path dir;

    /** A minimal Linux RISC-V Image: header fields as the kernel writes them, then payload. */
    static byte[] linuxImage(int fileSize, long imageSize, boolean newMagic) {
        ByteBuffer b = ByteBuffer.allocate(fileSize).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, new byte[] {'M', 'Z'});
        b.putLong(8, 0x200000);
        b.putLong(16, imageSize);
        b.put(0x30, new byte[] {'R', 'I', 'S', 'C', 'V', 0, 0, 0});
        if (newMagic) {
            b.put(0x38, new byte[] {'R', 'S', 'C', 0x05});
        }
        return b.array();
    }

    /** A hand-made ELF64 header with one PT_LOAD segment of {@code payload} at {@code paddr}. */
    static byte[] elf(int machine, long paddr, byte[] payload, long memsz, long entry) {
        int phoff = 64;
        int dataOff = phoff + 56;
        ByteBuffer b = ByteBuffer.allocate(dataOff + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1});
        b.putShort(16, (short) 2);
        b.putShort(18, (short) machine);
        b.putInt(20, 1);
        b.putLong(24, entry);
        b.putLong(32, phoff);
        b.putShort(52, (short) 64);
        b.putShort(54, (short) 56);
        b.putShort(56, (short) 1);
        b.putInt(phoff, 1); // PT_LOAD
        b.putInt(phoff + 4, 5);
        b.putLong(phoff + 8, dataOff);
        b.putLong(phoff + 16, paddr);
        b.putLong(phoff + 24, paddr);
        b.putLong(phoff + 32, payload.length);
        b.putLong(phoff + 40, memsz);
        b.put(dataOff, payload);
        return b.array();
    }

    private Path write(String name, byte[] bytes) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void linuxImageHeaderIsAcceptedAndImageSizeCoversBss() throws Exception {
        BootImage image = ImageFiles.readKernel(write("Image", linuxImage(4096, 0x10000, true)));
        assertThat(image).isInstanceOf(BootImage.Flat.class);
        assertThat(((BootImage.Flat) image).memorySize()).isEqualTo(0x10000);
        assertThat(((BootImage.Flat) image).bytes().byteSize()).isEqualTo(4096);
    }

    @Test
    void oldKernelWithOnlyDeprecatedMagicAndNoImageSizeIsAccepted() throws Exception {
        BootImage image = ImageFiles.readKernel(write("Image", linuxImage(8192, 0, false)));
        assertThat(((BootImage.Flat) image).memorySize()).isEqualTo(8192);
    }

    @Test
    void x86ElfIsRefusedAsNotRiscV() throws Exception {
        Path p = write("vmlinux-x86", elf(62, 0x100000, new byte[16], 16, 0x100000));
        assertThatThrownBy(() -> ImageFiles.readKernel(p))
                .isInstanceOf(MachineException.class)
                .hasMessage("not a RISC-V kernel: " + p + " (ELF for machine 62)");
    }

    @Test
    void randomBytesAreRefusedAsNotRiscV() throws Exception {
        byte[] junk = new byte[4096];
        new Random(42).nextBytes(junk);
        Path p = write("junk", junk);
        assertThatThrownBy(() -> ImageFiles.readKernel(p))
                .isInstanceOf(MachineException.class)
                .hasMessage("not a RISC-V kernel: " + p);
    }

    @Test
    void gzipKernelIsRefusedWithAHint() throws Exception {
        Path p = write("Image.gz", new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0});
        assertThatThrownBy(() -> ImageFiles.readKernel(p)).hasMessageContaining("gzip");
    }

    @Test
    void missingKernelFileIsOneLineError() {
        Path p = dir.resolve("nope");
        assertThatThrownBy(() -> ImageFiles.readKernel(p)).hasMessage("kernel file not found: " + p);
    }

    @Test
    void handMadeRiscvElfLoadsItsSegmentAtPhysicalAddress() throws Exception {
        byte[] code = {0x13, 0, 0, 0};
        BootImage image = ImageFiles.readKernel(write("bare.elf", elf(243, 0x8020_0000L, code, 0x100, 0x8020_0000L)));
        BootImage.Elf elf = (BootImage.Elf) image;
        assertThat(elf.entry()).isEqualTo(0x8020_0000L);
        assertThat(elf.segments()).singleElement().satisfies(s -> {
            assertThat(s.address()).isEqualTo(0x8020_0000L);
            assertThat(s.data().toArray(ValueLayout.JAVA_BYTE)).containsExactly(code);
            assertThat(s.memorySize()).isEqualTo(0x100);
        });
    }

    @Test
    void elfSegmentReachingPastEndOfFileIsRefused() throws Exception {
        byte[] bytes = elf(243, 0x8020_0000L, new byte[8], 8, 0x8020_0000L);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(64 + 32, 1 << 20); // p_filesz
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(64 + 40, 1 << 20);
        Path p = write("bad.elf", bytes);
        assertThatThrownBy(() -> ImageFiles.readKernel(p)).hasMessageStartingWith("bad ELF segment 0");
    }

    @Test
    void elfBuiltByTheCrossToolchainLoadsCodeDataAndBss() throws Exception {
        Path src = write("t.S", """
                .globl _start
                _start:
                  li a7, 0x53525354
                  li a0, 0
                  li a1, 0
                  ecall
                1: j 1b
                .data
                msg: .asciz "hello"
                .bss
                buf: .skip 256
                """.getBytes());
        Path out = dir.resolve("t.elf");
        Process gcc;
        try {
            gcc = new ProcessBuilder("riscv64-linux-gnu-gcc", "-nostdlib", "-static", "-Wl,--build-id=none",
                    "-Wl,-Ttext-segment=0x80200000", "-o", out.toString(), src.toString())
                    .redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new AssertionError("riscv64-linux-gnu-gcc is required for this test and was not found", e);
        }
        String log = new String(gcc.getInputStream().readAllBytes());
        assertThat(gcc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gcc.exitValue()).as(log).isZero();

        BootImage.Elf elf = (BootImage.Elf) ImageFiles.readKernel(out);
        assertThat(elf.low()).isEqualTo(0x8020_0000L);
        assertThat(elf.entry()).isBetween(0x8020_0000L, elf.high());
        // The data segment carries "hello" and is followed by the 256-byte BSS in memory only.
        assertThat(elf.segments()).anySatisfy(s -> {
            assertThat(new String(s.data().toArray(ValueLayout.JAVA_BYTE))).contains("hello");
            assertThat(s.memorySize()).isGreaterThanOrEqualTo(s.data().byteSize() + 256);
        });
        // Lays out like any kernel: entry stays where the ELF says.
        BootLayout.Images images = BootLayout.place(0x8000_0000L, 64L << 20, java.util.Optional.empty(), elf,
                java.util.Optional.empty());
        assertThat(images.kernelEntry()).isEqualTo(elf.entry());
    }
}

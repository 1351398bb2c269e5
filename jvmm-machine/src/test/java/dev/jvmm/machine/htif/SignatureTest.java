package dev.jvmm.machine.htif;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvmm.machine.MachineException;
import dev.jvmm.memory.GuestMemory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignatureTest {

    private static final long BASE = 0x8000_0000L;
    private static final byte[] WORDS = {0x44, 0x33, 0x22, 0x11, (byte) 0x88, 0x77, 0x66, 0x55};

    @TempDir
    Path dir;

    @Test
    void sixteenByteLinesPutTheHighestAddressFirstAndPadTheLastLine() {
        assertThat(Signature.format(WORDS, 16)).isEqualTo("00000000000000005566778811223344\n");
    }

    @Test
    void fourByteLinesGiveOneWordPerLine() {
        assertThat(Signature.format(WORDS, 4)).isEqualTo("11223344\n55667788\n");
    }

    @Test
    void partialWordIsPaddedWithZeroHighBytes() {
        assertThat(Signature.format(new byte[] {1, 2, 3, 4, 5}, 4)).isEqualTo("04030201\n00000005\n");
    }

    @Test
    void emptyRangeGivesAnEmptyFile() throws Exception {
        try (GuestMemory ram = GuestMemory.allocate(BASE, 4096)) {
            Path file = dir.resolve("empty.sig");
            Signature.write(ram, BASE + 16, BASE + 16, 16, file);
            assertThat(Files.readString(file)).isEmpty();
        }
    }

    @Test
    void writeDumpsTheRangeFromGuestRam() throws Exception {
        try (GuestMemory ram = GuestMemory.allocate(BASE, 4096)) {
            ram.write(BASE + 0x100, WORDS);
            Path file = dir.resolve("out.sig");
            Signature.write(ram, BASE + 0x100, BASE + 0x108, 4, file);
            assertThat(Files.readString(file)).isEqualTo("11223344\n55667788\n");
        }
    }

    @Test
    void rangeOutsideRamOrReversedIsRefusedInOneLine() throws Exception {
        try (GuestMemory ram = GuestMemory.allocate(BASE, 4096)) {
            Path file = dir.resolve("bad.sig");
            assertThatThrownBy(() -> Signature.write(ram, BASE + 4000, BASE + 5000, 16, file))
                    .isInstanceOf(MachineException.class).hasMessageContaining("not a range in RAM");
            assertThatThrownBy(() -> Signature.write(ram, BASE + 8, BASE, 16, file))
                    .isInstanceOf(MachineException.class).hasMessageContaining("not a range in RAM");
            assertThatThrownBy(() -> Signature.write(ram, BASE, BASE + 8, 0, file))
                    .isInstanceOf(MachineException.class).hasMessageContaining("line width");
            assertThat(file).doesNotExist();
        }
    }

    @Test
    void unwritableFileIsAMachineException() throws Exception {
        try (GuestMemory ram = GuestMemory.allocate(BASE, 4096)) {
            Path file = dir.resolve("no-such-dir").resolve("out.sig");
            assertThatThrownBy(() -> Signature.write(ram, BASE, BASE + 8, 16, file))
                    .isInstanceOf(MachineException.class).hasMessageStartingWith("cannot write signature file");
        }
    }
}

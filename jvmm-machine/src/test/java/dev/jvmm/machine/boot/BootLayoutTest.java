package dev.jvmm.machine.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvmm.machine.MachineException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BootLayoutTest {

    private static final long DRAM = 0x8000_0000L;
    private static final long MIB = 1L << 20;

    private static BootImage.Flat kernel(long memorySize) {
        return new BootImage.Flat(new byte[4096], memorySize);
    }

    @Test
    void imageGoesToDramPlus2MibWithoutFirmware() throws Exception {
        BootLayout l = BootLayout.place(DRAM, 256 * MIB, Optional.empty(), kernel(30 * MIB), Optional.empty())
                .placeDeviceTree(4096);
        assertThat(l.kernelEntry()).isEqualTo(0x8020_0000L);
        assertThat(l.kernel()).singleElement().extracting(Segment::address).isEqualTo(0x8020_0000L);
        assertThat(l.firmware()).isEmpty();
        assertThat(l.firmwareInfo()).isEmpty();
    }

    @Test
    void initrdGoesToKernelStartPlusHalfOfSmallRam() throws Exception {
        BootLayout l = BootLayout.place(DRAM, 128 * MIB, Optional.empty(), kernel(20 * MIB),
                Optional.of(MemorySegment.ofArray(new byte[3 * 1024 * 1024]))).placeDeviceTree(4096);
        assertThat(l.initrd()).get().extracting(Segment::address).isEqualTo(0x8020_0000L + 64 * MIB);
    }

    @Test
    void initrdGoesToKernelStartPlus128MibOfLargeRam() throws Exception {
        BootLayout l = BootLayout.place(DRAM, 2048 * MIB, Optional.empty(), kernel(20 * MIB),
                Optional.of(MemorySegment.ofArray(new byte[1000]))).placeDeviceTree(4096);
        assertThat(l.initrd()).get().extracting(Segment::address).isEqualTo(0x8020_0000L + 128 * MIB);
    }

    @Test
    void deviceTreeSitsAt2MibBoundaryBelowEndOfSmallRam() throws Exception {
        BootLayout l = BootLayout.place(DRAM, 256 * MIB, Optional.empty(), kernel(20 * MIB), Optional.empty())
                .placeDeviceTree(6000);
        assertThat(l.deviceTree()).isEqualTo(DRAM + 256 * MIB - 2 * MIB);
    }

    @Test
    void deviceTreeStaysBelow3GibWithLargeRam() throws Exception {
        BootLayout l = BootLayout.place(DRAM, 4096 * MIB, Optional.empty(), kernel(20 * MIB), Optional.empty())
                .placeDeviceTree(6000);
        assertThat(l.deviceTree()).isEqualTo(0xC000_0000L - 2 * MIB);
    }

    @Test
    void kernelFollowsFirmwareAtNext2MibBoundary() throws Exception {
        BootImage.Flat small = new BootImage.Flat(new byte[200 * 1024], 200 * 1024);
        BootLayout.Images a = BootLayout.place(DRAM, 256 * MIB, Optional.of(small), kernel(MIB), Optional.empty());
        assertThat(a.kernelEntry()).isEqualTo(0x8020_0000L);
        assertThat(a.firmware()).singleElement().extracting(Segment::address).isEqualTo(DRAM);

        BootImage.Flat big = new BootImage.Flat(new byte[(int) (3 * MIB)], 3 * MIB);
        BootLayout.Images b = BootLayout.place(DRAM, 256 * MIB, Optional.of(big), kernel(MIB), Optional.empty());
        assertThat(b.kernelEntry()).isEqualTo(0x8040_0000L);
    }

    @Test
    void firmwareInfoFollowsDeviceTreeAndPointsFirmwareAtKernel() throws Exception {
        BootImage.Flat fw = new BootImage.Flat(new byte[1000], 1000);
        BootLayout l = BootLayout.place(DRAM, 256 * MIB, Optional.of(fw), kernel(MIB), Optional.empty())
                .placeDeviceTree(5001);
        long info = l.firmwareInfo().orElseThrow();
        assertThat(info).isGreaterThanOrEqualTo(l.deviceTree() + 5001);
        assertThat(info % 8).isZero();
        assertThat(info + FirmwareInfo.SIZE).isLessThanOrEqualTo(DRAM + 256 * MIB);

        ByteBuffer b = ByteBuffer.wrap(FirmwareInfo.encode(l.kernelEntry())).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getLong(0)).isEqualTo(0x4942534fL);
        assertThat(b.getLong(8)).isEqualTo(2);
        assertThat(b.getLong(16)).isEqualTo(0x8020_0000L);
        assertThat(b.getLong(24)).isEqualTo(1);
        assertThat(b.getLong(32)).isZero();
        assertThat(b.getLong(40)).isZero();
    }

    @Test
    void kernelLargerThanRamIsRefusedWithSizes() {
        assertThatThrownBy(() -> BootLayout.place(DRAM, 16 * MIB, Optional.empty(), kernel(40 * MIB), Optional.empty()))
                .isInstanceOf(MachineException.class)
                .hasMessage("memory too small: the kernel needs 0x80200000-0x82a00000 (40 MiB) "
                        + "but RAM is 0x80000000-0x81000000 (16 MiB)");
    }

    @Test
    void initrdThatDoesNotFitIsRefusedWithSizes() {
        assertThatThrownBy(() -> BootLayout.place(DRAM, 64 * MIB, Optional.empty(), kernel(20 * MIB),
                Optional.of(MemorySegment.ofArray(new byte[(int) (31 * MIB)]))))
                .isInstanceOf(MachineException.class)
                .hasMessageStartingWith("memory too small: 64 MiB of RAM cannot hold the kernel (20 MiB at 0x80200000)")
                .hasMessageContaining("initrd (31 MiB at 0x82200000)");
    }

    @Test
    void initrdOverlappingKernelIsRefused() {
        // mem/2 = 16 MiB < kernel 20 MiB: QEMU's initrd spot would be inside the kernel.
        assertThatThrownBy(() -> BootLayout.place(DRAM, 32 * MIB, Optional.empty(), kernel(20 * MIB),
                Optional.of(MemorySegment.ofArray(new byte[100]))))
                .hasMessageStartingWith("memory too small");
    }

    @Test
    void noRoomLeftForDeviceTreeIsRefused() throws Exception {
        BootLayout.Images images = BootLayout.place(DRAM, 24 * MIB, Optional.empty(), kernel(21 * MIB), Optional.empty());
        assertThatThrownBy(() -> images.placeDeviceTree(8192))
                .hasMessageStartingWith("memory too small: 24 MiB of RAM cannot hold the boot images");
    }

    @Test
    void elfKernelOverlappingFirmwareIsRefused() {
        BootImage.Flat fw = new BootImage.Flat(new byte[4096], 4096);
        BootImage.Elf elf = new BootImage.Elf(List.of(new Segment(DRAM + 1024, new byte[16], 16)), DRAM + 1024);
        assertThatThrownBy(() -> BootLayout.place(DRAM, 64 * MIB, Optional.of(fw), elf, Optional.empty()))
                .hasMessageContaining("overlaps the firmware");
    }

    @Test
    void elfSegmentOutsideRamIsRefused() {
        BootImage.Elf elf = new BootImage.Elf(List.of(new Segment(0x1000, new byte[16], 16)), 0x1000);
        assertThatThrownBy(() -> BootLayout.place(DRAM, 64 * MIB, Optional.empty(), elf, Optional.empty()))
                .hasMessageStartingWith("memory too small: the kernel needs 0x1000-0x1010");
    }
}

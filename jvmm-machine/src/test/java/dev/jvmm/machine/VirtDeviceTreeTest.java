package dev.jvmm.machine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Decodes the generated DTB with the real {@code dtc}; a missing dtc fails the test. */
class VirtDeviceTreeTest {

    private static final byte[] SEED = new byte[VirtDeviceTree.RNG_SEED_BYTES];

    private record Dtc(int exit, String dts, String errors) {
    }

    private static Dtc decompile(byte[] dtb) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("dtc", "-I", "dtb", "-O", "dts", "-").start();
        } catch (IOException e) {
            throw new AssertionError("dtc (device-tree-compiler) is required for this test and was not found", e);
        }
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
        p.getOutputStream().write(dtb);
        p.getOutputStream().close();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("dtc finished").isTrue();
        return new Dtc(p.exitValue(), out.join(), err.join());
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private static VirtDeviceTree.Spec spec(int harts, Optional<VirtDeviceTree.Range> initrd, List<Integer> virtio) {
        return new VirtDeviceTree.Spec(harts, 512L << 20, "console=ttyS0 earlycon=sbi", initrd, SEED, virtio);
    }

    @Test
    void dtcDecodesTheVirtTreeWithoutWarningsAndFindsEveryDevice() throws Exception {
        Dtc dtc = decompile(VirtDeviceTree.encode(spec(1, Optional.empty(), List.of())));
        assertThat(dtc.exit()).as(dtc.errors()).isZero();
        assertThat(dtc.errors()).isEmpty();
        assertThat(dtc.dts()).contains(
                "compatible = \"riscv-virtio\";",
                "chosen {", "bootargs = \"console=ttyS0 earlycon=sbi\";", "stdout-path = \"/soc/serial@10000000\";",
                "rng-seed = ",
                "memory@80000000 {", "reg = <0x00 0x80000000 0x00 0x20000000>;",
                "timebase-frequency = <0x989680>;",
                "cpu@0 {", "riscv,isa = \"rv64imafdc_zicntr_zicsr_zifencei\";", "riscv,isa-base = \"rv64i\";",
                "mmu-type = \"riscv,sv48\";", "compatible = \"riscv,cpu-intc\";", "cpu-map {", "core0 {",
                "clint@2000000 {", "compatible = \"sifive,clint0\\0riscv,clint0\";",
                "interrupts-extended = <0x02 0x03 0x02 0x07>;",
                "plic@c000000 {", "compatible = \"sifive,plic-1.0.0\\0riscv,plic0\";", "riscv,ndev = <0x5f>;",
                "interrupts-extended = <0x02 0x0b 0x02 0x09>;", "reg = <0x00 0xc000000 0x00 0x600000>;",
                "serial@10000000 {", "compatible = \"ns16550a\";", "interrupts = <0x0a>;",
                "rtc@101000 {", "compatible = \"google,goldfish-rtc\";", "interrupts = <0x0b>;",
                "test@100000 {", "compatible = \"sifive,test1\\0sifive,test0\\0syscon\";",
                "poweroff {", "value = <0x5555>;", "reboot {", "value = <0x7777>;");
        assertThat(dtc.dts()).doesNotContain("virtio_mmio", "linux,initrd-start", "pci@", "flash@", "fw-cfg");
    }

    @Test
    void initrdRangeAndAttachedVirtioSlotsAppearInTree() throws Exception {
        Dtc dtc = decompile(VirtDeviceTree.encode(spec(1,
                Optional.of(new VirtDeviceTree.Range(0x8820_0000L, 0x8830_0000L)), List.of(0, 2))));
        assertThat(dtc.exit()).as(dtc.errors()).isZero();
        assertThat(dtc.dts()).contains(
                "linux,initrd-start = <0x00 0x88200000>;", "linux,initrd-end = <0x00 0x88300000>;",
                "virtio_mmio@10001000 {", "virtio_mmio@10003000 {", "interrupts = <0x03>;",
                "compatible = \"virtio,mmio\";");
        assertThat(dtc.dts()).doesNotContain("virtio_mmio@10002000");
    }

    @Test
    void everyHartGetsCpuNodeAndInterruptTargetsInClintAndPlic() throws Exception {
        Dtc dtc = decompile(VirtDeviceTree.encode(spec(2, Optional.empty(), List.of())));
        assertThat(dtc.exit()).as(dtc.errors()).isZero();
        assertThat(dtc.dts()).contains("cpu@1 {", "reg = <0x01>;", "core1 {",
                "interrupts-extended = <0x02 0x03 0x02 0x07 0x04 0x03 0x04 0x07>;",
                "interrupts-extended = <0x02 0x0b 0x02 0x09 0x04 0x0b 0x04 0x09>;");
    }

    @Test
    void emptyCommandLineLeavesBootargsOut() throws Exception {
        var s = new VirtDeviceTree.Spec(1, 64L << 20, "", Optional.empty(), SEED, List.of());
        Dtc dtc = decompile(VirtDeviceTree.encode(s));
        assertThat(dtc.exit()).isZero();
        assertThat(dtc.dts()).doesNotContain("bootargs");
    }
}

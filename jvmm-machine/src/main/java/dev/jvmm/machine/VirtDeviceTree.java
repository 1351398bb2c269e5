package dev.jvmm.machine;

import dev.jvmm.machine.fdt.FdtNode;
import dev.jvmm.machine.fdt.FdtWriter;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The device tree a guest of the {@code virt} board receives, built from the same
 * {@link VirtBoard} constants that {@link VirtMachine} wires, and listing only devices that
 * exist (no PCI, flash, fw-cfg or PMU node, unlike QEMU, because jvmm has none of them).
 *
 * <h3>ISA string</h3>
 * The harts claim RV64GC as the Debian baseline defines it, with the pieces the unprivileged
 * spec has since split out of "I" spelled out: {@code rv64imafdc_zicntr_zicsr_zifencei}.
 * {@code zicntr} is claimed because Linux user space reads {@code time}/{@code cycle}/
 * {@code instret}; {@code zihpm} is not (no hardware performance counters and no SBI PMU),
 * nor {@code sstc}, {@code zihintpause} or any B or vector extension.
 */
public final class VirtDeviceTree {

    public static final String ISA = "rv64imafdc_zicntr_zicsr_zifencei";
    public static final List<String> ISA_EXTENSIONS =
            List.of("i", "m", "a", "f", "d", "c", "zicntr", "zicsr", "zifencei");
    public static final String MMU_TYPE = "riscv,sv48";
    public static final String MODEL = "riscv-virtio,jvmm";
    public static final String STDOUT_PATH = "/soc/serial@10000000";

    /** Bytes of {@code /chosen/rng-seed}. */
    public static final int RNG_SEED_BYTES = 32;

    /**
     * What is wired on this board instance.
     *
     * @param harts        number of harts
     * @param memoryBytes  DRAM size at {@link VirtBoard#DRAM_BASE}
     * @param bootargs     kernel command line (omitted from the tree when empty, as QEMU does)
     * @param initrd       the initrd's guest-physical range, if one is loaded
     * @param rngSeed      {@value #RNG_SEED_BYTES} random bytes for {@code /chosen/rng-seed}
     * @param virtioSlots  the virtio-mmio slots that have a device attached
     */
    public record Spec(int harts, long memoryBytes, String bootargs, Optional<Range> initrd,
                       byte[] rngSeed, List<Integer> virtioSlots) {

        public Spec {
            if (harts < 1 || harts > VirtBoard.MAX_HARTS) {
                throw new IllegalArgumentException("hart count out of range: " + harts);
            }
            if (memoryBytes <= 0) {
                throw new IllegalArgumentException("memory size must be positive: " + memoryBytes);
            }
            Objects.requireNonNull(bootargs);
            Objects.requireNonNull(initrd);
            if (rngSeed.length != RNG_SEED_BYTES) {
                throw new IllegalArgumentException("rng-seed must be " + RNG_SEED_BYTES + " bytes");
            }
            rngSeed = rngSeed.clone();
            virtioSlots = List.copyOf(virtioSlots);
            virtioSlots.forEach(VirtBoard::virtioBase); // range check
        }
    }

    /** A guest-physical range {@code [start, end)}. */
    public record Range(long start, long end) {
        public Range {
            if (Long.compareUnsigned(end, start) < 0) {
                throw new IllegalArgumentException("range ends before it starts");
            }
        }
    }

    private VirtDeviceTree() {
    }

    /** The encoded DTB. */
    public static byte[] encode(Spec spec) {
        return FdtWriter.encode(build(spec), List.of(), 0);
    }

    /** The tree, for inspection before encoding. */
    public static FdtNode build(Spec spec) {
        int nextPhandle = 1;
        int[] cpuPhandles = new int[spec.harts()];
        int[] intcPhandles = new int[spec.harts()];
        for (int h = 0; h < spec.harts(); h++) {
            cpuPhandles[h] = nextPhandle++;
            intcPhandles[h] = nextPhandle++;
        }
        int plicPhandle = nextPhandle++;
        int testPhandle = nextPhandle;

        FdtNode root = new FdtNode("");
        root.u32("#address-cells", 2).u32("#size-cells", 2)
                .string("compatible", "riscv-virtio").string("model", MODEL);

        FdtNode chosen = root.addChild("chosen");
        if (!spec.bootargs().isEmpty()) {
            chosen.string("bootargs", spec.bootargs());
        }
        chosen.string("stdout-path", STDOUT_PATH);
        spec.initrd().ifPresent(r -> chosen.u64("linux,initrd-start", r.start()).u64("linux,initrd-end", r.end()));
        chosen.property("rng-seed", spec.rngSeed());

        root.addChild("memory@%x".formatted(VirtBoard.DRAM_BASE))
                .string("device_type", "memory")
                .u64("reg", VirtBoard.DRAM_BASE, spec.memoryBytes());

        addCpus(root, spec.harts(), cpuPhandles, intcPhandles);

        FdtNode soc = root.addChild("soc");
        soc.u32("#address-cells", 2).u32("#size-cells", 2).string("compatible", "simple-bus").flag("ranges");

        int[] clintIrqs = new int[spec.harts() * 4];
        int[] plicIrqs = new int[spec.harts() * 4];
        for (int h = 0; h < spec.harts(); h++) {
            // Order matters: the CLINT's lines per hart are (software, timer), the PLIC's
            // contexts per hart are (M external, S external): context 2h and 2h + 1.
            clintIrqs[4 * h] = intcPhandles[h];
            clintIrqs[4 * h + 1] = 3;  // M-mode software
            clintIrqs[4 * h + 2] = intcPhandles[h];
            clintIrqs[4 * h + 3] = 7;  // M-mode timer
            plicIrqs[4 * h] = intcPhandles[h];
            plicIrqs[4 * h + 1] = 11; // M-mode external
            plicIrqs[4 * h + 2] = intcPhandles[h];
            plicIrqs[4 * h + 3] = 9;  // S-mode external
        }
        soc.addChild(unit("clint", VirtBoard.CLINT_BASE))
                .string("compatible", "sifive,clint0", "riscv,clint0")
                .u64("reg", VirtBoard.CLINT_BASE, VirtBoard.CLINT_SIZE)
                .u32("interrupts-extended", clintIrqs);
        soc.addChild(unit("plic", VirtBoard.PLIC_BASE))
                .u32("phandle", plicPhandle)
                .string("compatible", "sifive,plic-1.0.0", "riscv,plic0")
                .u64("reg", VirtBoard.PLIC_BASE, VirtBoard.PLIC_SIZE)
                .u32("#address-cells", 0)
                .u32("#interrupt-cells", 1)
                .flag("interrupt-controller")
                .u32("interrupts-extended", plicIrqs)
                .u32("riscv,ndev", VirtBoard.PLIC_NDEV);
        soc.addChild(unit("serial", VirtBoard.UART0_BASE))
                .string("compatible", "ns16550a")
                .u64("reg", VirtBoard.UART0_BASE, VirtBoard.UART0_SIZE)
                .u32("clock-frequency", VirtBoard.UART0_CLOCK_HZ)
                .u32("interrupt-parent", plicPhandle)
                .u32("interrupts", VirtBoard.UART0_IRQ);
        soc.addChild(unit("rtc", VirtBoard.RTC_BASE))
                .string("compatible", "google,goldfish-rtc")
                .u64("reg", VirtBoard.RTC_BASE, VirtBoard.RTC_SIZE)
                .u32("interrupt-parent", plicPhandle)
                .u32("interrupts", VirtBoard.RTC_IRQ);
        soc.addChild(unit("test", VirtBoard.TEST_BASE))
                .u32("phandle", testPhandle)
                .string("compatible", "sifive,test1", "sifive,test0", "syscon")
                .u64("reg", VirtBoard.TEST_BASE, VirtBoard.TEST_SIZE);
        for (int slot : spec.virtioSlots()) {
            long base = VirtBoard.virtioBase(slot);
            soc.addChild(unit("virtio_mmio", base))
                    .string("compatible", "virtio,mmio")
                    .u64("reg", base, VirtBoard.VIRTIO_SIZE)
                    .u32("interrupt-parent", plicPhandle)
                    .u32("interrupts", VirtBoard.virtioIrq(slot));
        }

        root.addChild("poweroff").string("compatible", "syscon-poweroff")
                .u32("regmap", testPhandle).u32("offset", 0).u32("value", 0x5555);
        root.addChild("reboot").string("compatible", "syscon-reboot")
                .u32("regmap", testPhandle).u32("offset", 0).u32("value", 0x7777);
        return root;
    }

    private static void addCpus(FdtNode root, int harts, int[] cpuPhandles, int[] intcPhandles) {
        FdtNode cpus = root.addChild("cpus");
        cpus.u32("#address-cells", 1).u32("#size-cells", 0).u32("timebase-frequency", (int) VirtBoard.TIMEBASE_HZ);
        for (int h = 0; h < harts; h++) {
            FdtNode cpu = cpus.addChild("cpu@" + Integer.toHexString(h));
            cpu.u32("phandle", cpuPhandles[h])
                    .string("device_type", "cpu")
                    .u32("reg", h)
                    .string("status", "okay")
                    .string("compatible", "riscv")
                    .string("riscv,isa", ISA)
                    .string("riscv,isa-base", "rv64i")
                    .string("riscv,isa-extensions", ISA_EXTENSIONS.toArray(String[]::new))
                    .string("mmu-type", MMU_TYPE);
            // #address-cells 0: an interrupt provider's interrupt-map users need it (dtc warns otherwise).
            cpu.addChild("interrupt-controller")
                    .u32("#address-cells", 0)
                    .u32("#interrupt-cells", 1)
                    .flag("interrupt-controller")
                    .string("compatible", "riscv,cpu-intc")
                    .u32("phandle", intcPhandles[h]);
        }
        FdtNode cluster = cpus.addChild("cpu-map").addChild("cluster0");
        for (int h = 0; h < harts; h++) {
            cluster.addChild("core" + h).u32("cpu", cpuPhandles[h]);
        }
    }

    private static String unit(String name, long base) {
        return name + "@" + Long.toHexString(base);
    }
}

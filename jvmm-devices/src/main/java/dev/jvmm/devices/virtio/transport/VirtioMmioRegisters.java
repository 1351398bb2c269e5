package dev.jvmm.devices.virtio.transport;

/** The virtio-mmio version 2 register map (VIRTIO 1.2 §4.2.2), offsets from the region base. */
public final class VirtioMmioRegisters {

    /** "virt" in little-endian. */
    public static final int MAGIC = 0x7472_6976;
    /** The modern (non-legacy) register layout. */
    public static final int VERSION_MODERN = 2;
    /** "QEMU" in little-endian, as QEMU reports it; Linux ignores the vendor. */
    public static final int VENDOR_ID = 0x554d_4551;

    public static final int MAGIC_VALUE = 0x000;
    public static final int VERSION = 0x004;
    public static final int DEVICE_ID = 0x008;
    public static final int VENDOR_ID_REGISTER = 0x00c;
    public static final int DEVICE_FEATURES = 0x010;
    public static final int DEVICE_FEATURES_SEL = 0x014;
    public static final int DRIVER_FEATURES = 0x020;
    public static final int DRIVER_FEATURES_SEL = 0x024;
    public static final int QUEUE_SEL = 0x030;
    public static final int QUEUE_NUM_MAX = 0x034;
    public static final int QUEUE_NUM = 0x038;
    public static final int QUEUE_READY = 0x044;
    public static final int QUEUE_NOTIFY = 0x050;
    public static final int INTERRUPT_STATUS = 0x060;
    public static final int INTERRUPT_ACK = 0x064;
    public static final int STATUS = 0x070;
    public static final int QUEUE_DESC_LOW = 0x080;
    public static final int QUEUE_DESC_HIGH = 0x084;
    public static final int QUEUE_DRIVER_LOW = 0x090;
    public static final int QUEUE_DRIVER_HIGH = 0x094;
    public static final int QUEUE_DEVICE_LOW = 0x0a0;
    public static final int QUEUE_DEVICE_HIGH = 0x0a4;
    public static final int SHM_SEL = 0x0ac;
    public static final int SHM_LEN_LOW = 0x0b0;
    public static final int SHM_LEN_HIGH = 0x0b4;
    public static final int SHM_BASE_LOW = 0x0b8;
    public static final int SHM_BASE_HIGH = 0x0bc;
    public static final int QUEUE_RESET = 0x0c0;
    public static final int CONFIG_GENERATION = 0x0fc;
    /** Device-specific configuration space starts here. */
    public static final int CONFIG = 0x100;

    /** InterruptStatus bit: the device used a buffer in at least one queue. */
    public static final int VIRTIO_MMIO_INT_VRING = 1;
    /** InterruptStatus bit: the configuration (or DEVICE_NEEDS_RESET) changed. */
    public static final int VIRTIO_MMIO_INT_CONFIG = 2;

    /** Size of one virtio-mmio slot on the virt board. */
    public static final int REGION_SIZE = 0x1000;

    private VirtioMmioRegisters() {
    }
}

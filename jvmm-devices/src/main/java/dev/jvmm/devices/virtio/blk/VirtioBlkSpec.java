package dev.jvmm.devices.virtio.blk;

/** virtio-blk constants (VIRTIO 1.2 §5.2), with the spec's names. */
public final class VirtioBlkSpec {

    // Feature bits.
    public static final int VIRTIO_BLK_F_SIZE_MAX = 1;
    public static final int VIRTIO_BLK_F_SEG_MAX = 2;
    public static final int VIRTIO_BLK_F_GEOMETRY = 4;
    public static final int VIRTIO_BLK_F_RO = 5;
    public static final int VIRTIO_BLK_F_BLK_SIZE = 6;
    public static final int VIRTIO_BLK_F_FLUSH = 9;
    public static final int VIRTIO_BLK_F_TOPOLOGY = 10;
    public static final int VIRTIO_BLK_F_CONFIG_WCE = 11;
    public static final int VIRTIO_BLK_F_MQ = 12;
    public static final int VIRTIO_BLK_F_DISCARD = 13;
    public static final int VIRTIO_BLK_F_WRITE_ZEROES = 14;

    // Request types.
    public static final int VIRTIO_BLK_T_IN = 0;
    public static final int VIRTIO_BLK_T_OUT = 1;
    public static final int VIRTIO_BLK_T_FLUSH = 4;
    public static final int VIRTIO_BLK_T_GET_ID = 8;
    public static final int VIRTIO_BLK_T_DISCARD = 11;
    public static final int VIRTIO_BLK_T_WRITE_ZEROES = 13;

    // Status byte values.
    public static final int VIRTIO_BLK_S_OK = 0;
    public static final int VIRTIO_BLK_S_IOERR = 1;
    public static final int VIRTIO_BLK_S_UNSUPP = 2;

    /** In a discard/write-zeroes segment's flags: the device may deallocate the range. */
    public static final int VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP = 1;

    /** Sector size of capacity, request sectors and data lengths, whatever blk_size says. */
    public static final int SECTOR_SIZE = 512;
    /** Bytes of the request header: type le32, reserved le32, sector le64. */
    public static final int HEADER_SIZE = 16;
    /** Bytes of a discard/write-zeroes segment: sector le64, num_sectors le32, flags le32. */
    public static final int SEGMENT_SIZE = 16;
    /** Bytes of the GET_ID answer. */
    public static final int VIRTIO_BLK_ID_BYTES = 20;

    // Config space offsets (struct virtio_blk_config).
    public static final int CONFIG_CAPACITY = 0;
    public static final int CONFIG_SIZE_MAX = 8;
    public static final int CONFIG_SEG_MAX = 12;
    public static final int CONFIG_BLK_SIZE = 20;
    public static final int CONFIG_NUM_QUEUES = 34;
    public static final int CONFIG_MAX_DISCARD_SECTORS = 36;
    public static final int CONFIG_MAX_DISCARD_SEG = 40;
    public static final int CONFIG_DISCARD_SECTOR_ALIGNMENT = 44;
    public static final int CONFIG_MAX_WRITE_ZEROES_SECTORS = 48;
    public static final int CONFIG_MAX_WRITE_ZEROES_SEG = 52;
    public static final int CONFIG_WRITE_ZEROES_MAY_UNMAP = 56;
    /** Config bytes up to and including the write-zeroes fields (and their padding). */
    public static final int CONFIG_SIZE = 60;

    private VirtioBlkSpec() {
    }
}

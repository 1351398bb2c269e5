package dev.jvmm.devices.virtio.net;

/** virtio-net constants (VIRTIO 1.2 §5.1), with the spec's names. */
public final class VirtioNetSpec {

    // Feature bits (the offload ones are listed so tests can check they are not offered).
    public static final int VIRTIO_NET_F_CSUM = 0;
    public static final int VIRTIO_NET_F_GUEST_CSUM = 1;
    public static final int VIRTIO_NET_F_CTRL_GUEST_OFFLOADS = 2;
    public static final int VIRTIO_NET_F_MTU = 3;
    public static final int VIRTIO_NET_F_MAC = 5;
    public static final int VIRTIO_NET_F_GUEST_TSO4 = 7;
    public static final int VIRTIO_NET_F_HOST_TSO4 = 11;
    public static final int VIRTIO_NET_F_MRG_RXBUF = 15;
    public static final int VIRTIO_NET_F_STATUS = 16;
    public static final int VIRTIO_NET_F_CTRL_VQ = 17;
    public static final int VIRTIO_NET_F_MQ = 22;

    /** In config {@code status}: the link is up. */
    public static final int VIRTIO_NET_S_LINK_UP = 1;

    // struct virtio_net_hdr as VERSION_1 lays it out: 12 bytes, little-endian.
    public static final int HEADER_SIZE = 12;
    public static final int HDR_FLAGS = 0;
    public static final int HDR_GSO_TYPE = 1;
    public static final int HDR_HDR_LEN = 2;
    public static final int HDR_GSO_SIZE = 4;
    public static final int HDR_CSUM_START = 6;
    public static final int HDR_CSUM_OFFSET = 8;
    public static final int HDR_NUM_BUFFERS = 10;
    /** In header {@code flags}: the device must finish a partial checksum (needs VIRTIO_NET_F_CSUM). */
    public static final int VIRTIO_NET_HDR_F_NEEDS_CSUM = 1;
    /** In header {@code gso_type}: no segmentation. */
    public static final int VIRTIO_NET_HDR_GSO_NONE = 0;

    // Config space: mac[6], status le16, max_virtqueue_pairs le16, mtu le16.
    public static final int CONFIG_MAC = 0;
    public static final int CONFIG_STATUS = 6;
    public static final int CONFIG_MAX_VIRTQUEUE_PAIRS = 8;
    public static final int CONFIG_MTU = 10;
    public static final int CONFIG_SIZE = 12;

    /** The MTU offered with VIRTIO_NET_F_MTU: plain Ethernet, so frames fit NetBackend.MAX_FRAME. */
    public static final int MTU = 1500;
    /** Destination MAC, source MAC, EtherType: the shortest frame worth passing on. */
    public static final int ETHERNET_HEADER_SIZE = 14;

    private VirtioNetSpec() {
    }
}

package dev.jvmm.devices.virtio;

/** Device type identifiers (VIRTIO 1.2 §5, "Device Types"), as the DeviceID register reports them. */
public final class VirtioIds {

    public static final int VIRTIO_ID_NET = 1;
    public static final int VIRTIO_ID_BLOCK = 2;
    public static final int VIRTIO_ID_CONSOLE = 3;
    public static final int VIRTIO_ID_RNG = 4;
    public static final int VIRTIO_ID_BALLOON = 5;
    public static final int VIRTIO_ID_SCSI = 8;
    public static final int VIRTIO_ID_9P = 9;
    public static final int VIRTIO_ID_GPU = 16;
    public static final int VIRTIO_ID_INPUT = 18;
    public static final int VIRTIO_ID_VSOCK = 19;
    public static final int VIRTIO_ID_FS = 26;

    private VirtioIds() {
    }
}

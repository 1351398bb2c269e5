package dev.jvmm.storage;

import java.util.Locale;

/** Disk image file formats that {@link DiskImages} can open. */
public enum ImageFormat {
    RAW,
    QCOW2;

    /** The name qemu-img uses ("raw", "qcow2"). */
    public String qemuName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a qemu-img format name; throws for names this package cannot open. */
    public static ImageFormat fromQemuName(String name) throws StorageException {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "raw" -> RAW;
            case "qcow2" -> QCOW2;
            default -> throw new StorageException(StorageException.Reason.UNSUPPORTED,
                    "unsupported image format '" + name + "' (supported: raw, qcow2)");
        };
    }
}

package dev.jvmm.machine;

import dev.jvmm.storage.ImageFormat;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A disk image attached as a virtio block device.
 *
 * <h3>Format</h3>
 * With {@code format} given, the file is opened as that format and nothing is probed. Without
 * it, the file is probed: the qcow2 magic makes it qcow2, anything else raw. A probed raw disk
 * is dangerous if the guest can write it: a guest that wrote a qcow2 header (with a backing
 * file naming a host file) into its first sector would, at the next probing boot, turn its
 * disk into a window on the host. So, as QEMU does, a writable disk probed as raw refuses
 * guest writes that would put the qcow2 magic at offset 0. Give {@code format=raw} for
 * whole-disk raw images a guest owns.
 *
 * @param path     the image file
 * @param format   the format, or empty to probe (see above)
 * @param readOnly whether the guest may only read (the file is then opened read-only)
 */
public record DriveConfig(Path path, Optional<ImageFormat> format, boolean readOnly) implements DeviceConfig {

    @Override
    public void validate() throws MachineException {
        if (path == null) {
            throw new MachineException("drive: no image file given");
        }
        if (format == null) {
            throw new MachineException("drive " + path + ": format must be an Optional value, not null");
        }
    }

    @Override
    public String describe() {
        return "drive " + path;
    }
}

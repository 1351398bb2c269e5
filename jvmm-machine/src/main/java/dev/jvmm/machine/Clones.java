package dev.jvmm.machine;

import dev.jvmm.storage.DiskImages;
import dev.jvmm.storage.ImageFormat;
import dev.jvmm.storage.Qcow2Creator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What makes clone number n of a snapshot its own guest: each network card gets an address of
 * its own (the saved one plus (n + 1) &lt;&lt; 8 in its device-specific part, so clones of one
 * snapshot and the cards of one clone never collide), host forwards are left to the original
 * (their ports are the original's), and each writable disk is replaced by a fresh qcow2
 * overlay in {@code DIR/clones/n/} whose backing file is the saved disk: the clones share
 * every block they have not written.
 */
final class Clones {

    private Clones() {
    }

    static BoardConfig prepare(Path snapshotDir, BoardConfig board, int clone) throws MachineException {
        Path dir = snapshotDir.resolve("clones").resolve(Integer.toString(clone));
        List<DeviceConfig> devices = new ArrayList<>();
        int cards = 0;
        for (int slot = 0; slot < board.devices().size(); slot++) {
            DeviceConfig d = board.devices().get(slot);
            switch (d) {
                case NetConfig net -> {
                    NetConfig.MacAddress base = net.mac().orElse(NetConfig.DEFAULT_MAC.plus(cards));
                    devices.add(new NetConfig(net.backend(), List.of(), Optional.of(base.plus((clone + 1) << 8))));
                    cards++;
                }
                case DriveConfig drive when !drive.readOnly() -> devices.add(overlay(dir, slot, drive));
                default -> devices.add(d);
            }
        }
        return board.withDevices(devices);
    }

    /** A new overlay for {@code drive} (replacing one a previous run of this clone left). */
    private static DriveConfig overlay(Path dir, int slot, DriveConfig drive) throws MachineException {
        Path file = dir.resolve("disk" + slot + ".qcow2");
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(file);
            Path backing = drive.path().toAbsolutePath();
            ImageFormat format = drive.format().isPresent() ? drive.format().get() : DiskImages.probe(backing);
            Qcow2Creator.create(file, -1, Qcow2Creator.DEFAULT_CLUSTER_SIZE, backing.toString(), format);
            return new DriveConfig(file, Optional.of(ImageFormat.QCOW2), false);
        } catch (IOException e) {
            throw new MachineException("clone overlay for " + drive.path() + ": " + e.getMessage());
        }
    }
}

package dev.jvmm.machine;

import dev.jvmm.devices.Plic;
import dev.jvmm.devices.virtio.VirtioDevice;
import dev.jvmm.devices.virtio.blk.VirtioBlock;
import dev.jvmm.devices.virtio.console.VirtioConsole;
import dev.jvmm.devices.virtio.net.MacAddress;
import dev.jvmm.devices.virtio.net.VirtioNet;
import dev.jvmm.devices.virtio.rng.VirtioRng;
import dev.jvmm.devices.virtio.transport.MmioTransport;
import dev.jvmm.devices.virtio.transport.VirtioMmioRegisters;
import dev.jvmm.memory.AddressSpace;
import dev.jvmm.memory.GuestMemory;
import dev.jvmm.net.user.HostForward;
import dev.jvmm.net.user.UserNetwork;
import dev.jvmm.net.user.UserNetworkConfig;
import dev.jvmm.storage.BlockBackend;
import dev.jvmm.storage.DiskImages;
import dev.jvmm.storage.ImageFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.Inet4Address;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * The virtio devices of one machine: disk images opened (and locked, so two machines never
 * write one image), network cards started on user-mode networking (so their host forwards
 * listen, or the machine fails before RAM is allocated), devices built and their MMIO
 * transports mapped in slot order. Closing closes the network cards (releasing their host
 * ports), then flushes and closes every disk; a device that cannot be closed is reported,
 * the rest are still closed.
 */
final class VirtioSlots implements AutoCloseable {

    /** Disk files attached by machines of this process (real paths). */
    private static final java.util.concurrent.ConcurrentMap<Path, Boolean> IN_USE =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final List<OpenDisk> disks;
    private final List<VirtioNet> nets;
    private final List<VirtioDevice> devices;
    private final VirtioConsole console;
    private boolean closed;

    /**
     * A disk backend and the lock that keeps other jvmm processes from writing its file meanwhile.
     * A migration releases the lock for the destination and takes it back if the migration fails.
     */
    private static final class OpenDisk {
        final Path path;
        final Path key;
        final BlockBackend backend;
        final FileChannel lockChannel;
        final boolean readOnly;
        FileLock lock;

        OpenDisk(Path path, Path key, BlockBackend backend, FileChannel lockChannel, FileLock lock, boolean readOnly) {
            this.path = path;
            this.key = key;
            this.backend = backend;
            this.lockChannel = lockChannel;
            this.lock = lock;
            this.readOnly = readOnly;
        }

        Path path() {
            return path;
        }

        Path key() {
            return key;
        }

        BlockBackend backend() {
            return backend;
        }

        FileChannel lockChannel() {
            return lockChannel;
        }
    }

    private VirtioSlots(List<OpenDisk> disks, List<VirtioNet> nets, List<VirtioDevice> devices, VirtioConsole console) {
        this.disks = disks;
        this.nets = nets;
        this.devices = devices;
        this.console = console;
    }

    /**
     * Opens every disk, starts every network card and builds every device of {@code configs}
     * (already validated). Nothing is mapped yet, so a bad disk or a host port in use fails the
     * machine before RAM is touched.
     */
    static VirtioSlots open(List<DeviceConfig> configs, OutputStream consoleOutput) throws MachineException {
        return open(configs, consoleOutput, true);
    }

    /**
     * As {@link #open(List, OutputStream)}; with {@code startNets} false the network cards are
     * built but not started (no host socket, no forward) until {@link #startNets()}.
     */
    static VirtioSlots open(List<DeviceConfig> configs, OutputStream consoleOutput, boolean startNets) throws MachineException {
        List<OpenDisk> disks = new ArrayList<>();
        List<VirtioNet> nets = new ArrayList<>();
        List<VirtioDevice> devices = new ArrayList<>();
        VirtioConsole console = null;
        try {
            for (DeviceConfig config : configs) {
                switch (config) {
                    case DriveConfig drive -> {
                        OpenDisk disk = openDisk(drive);
                        disks.add(disk);
                        devices.add(new VirtioBlock(disk.backend(), ""));
                    }
                    case RngConfig rng -> devices.add(new VirtioRng(new SecureRandom()));
                    case ConsoleConfig c -> {
                        VirtioConsole vc = new VirtioConsole(consoleOutput);
                        if (console == null) {
                            console = vc;
                        }
                        devices.add(vc);
                    }
                    case NetConfig net -> {
                        VirtioNet card = openNet(net, nets.size(), startNets);
                        nets.add(card);
                        devices.add(card);
                    }
                }
            }
        } catch (MachineException | RuntimeException e) {
            closeNets(nets);
            closeAll(disks);
            throw e;
        }
        return new VirtioSlots(List.copyOf(disks), List.copyOf(nets), List.copyOf(devices), console);
    }

    /**
     * Builds network card number {@code index} (counting cards only, for its default MAC) on
     * user-mode networking and starts it: its host forwards listen from here on.
     */
    private static VirtioNet openNet(NetConfig net, int index, boolean start) throws MachineException {
        List<HostForward> forwards = new ArrayList<>();
        for (NetConfig.HostForward f : net.hostForwards()) {
            if (f.protocol() != NetConfig.Protocol.TCP) {
                throw new MachineException("net user: hostfwd %s:%d: only tcp forwards are supported"
                        .formatted(f.protocol().name().toLowerCase(java.util.Locale.ROOT), f.hostPort()));
            }
            if (!(f.hostAddress() instanceof Inet4Address v4)) {
                throw new MachineException("net user: hostfwd address " + f.hostAddress().getHostAddress()
                        + " is not an IPv4 address");
            }
            forwards.add(new HostForward(v4, f.hostPort(), f.guestPort()));
        }
        NetConfig.MacAddress mac = net.mac().orElse(NetConfig.DEFAULT_MAC.plus(index));
        VirtioNet card = new VirtioNet(new UserNetwork(UserNetworkConfig.defaults().withForwards(forwards)),
                new MacAddress(mac.bits()));
        if (!start) {
            return card;
        }
        try {
            card.start();
            return card;
        } catch (IOException | RuntimeException e) {
            closeNets(List.of(card));
            throw new MachineException("net user: " + forwardProblem(e, forwards));
        }
    }

    /** One line for a card that would not start: usually a forward's host port already taken. */
    private static String forwardProblem(Exception e, List<HostForward> forwards) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException && !forwards.isEmpty()) {
                // jvmm-net's message names the address; say what to do about it.
                return oneLine(e) + " (another program has the port: choose another HOSTPORT)";
            }
        }
        return "cannot start user-mode networking: " + oneLine(e);
    }

    private static OpenDisk openDisk(DriveConfig drive) throws MachineException {
        Path path = drive.path();
        String name = "drive " + path;
        if (!Files.isRegularFile(path)) {
            throw new MachineException(name + (Files.exists(path) ? ": not a regular file" : ": no such file"));
        }
        Path key;
        try {
            key = path.toRealPath();
        } catch (IOException e) {
            throw new MachineException(name + ": " + oneLine(e));
        }
        // Checked in the process first: opening and closing a second channel on a file this
        // process has locked would drop that lock (POSIX), so a file in use here is not touched.
        if (IN_USE.putIfAbsent(key, Boolean.TRUE) != null) {
            throw new MachineException(name + ": in use (attached twice, or by another machine)");
        }
        try {
            return openLocked(drive, name, key);
        } catch (MachineException | RuntimeException e) {
            IN_USE.remove(key);
            throw e;
        }
    }

    private static OpenDisk openLocked(DriveConfig drive, String name, Path key) throws MachineException {
        Path path = drive.path();
        FileChannel lockChannel = null;
        try {
            // Probe before locking: closing the probe's channel would drop a POSIX lock we held.
            Optional<ImageFormat> given = drive.format();
            ImageFormat format = given.isPresent() ? given.get() : DiskImages.probe(path);
            // A shared lock for a read-only disk, an exclusive one for a writable disk: any
            // number of readers, or one writer. (POSIX record locks: advisory, per process.)
            lockChannel = drive.readOnly() ? FileChannel.open(path, StandardOpenOption.READ)
                    : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = lockChannel.tryLock(0, Long.MAX_VALUE, drive.readOnly());
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new MachineException(name + ": in use (attached twice, or by another process"
                        + (drive.readOnly() ? " that writes it)" : ")"));
            }
            BlockBackend backend = DiskImages.open(path, format, drive.readOnly());
            if (given.isEmpty() && format == ImageFormat.RAW && !drive.readOnly()) {
                backend = new ProbedRawGuard(backend);
            }
            return new OpenDisk(path, key, backend, lockChannel, lock, drive.readOnly());
        } catch (NoSuchFileException e) {
            closeQuietly(lockChannel);
            throw new MachineException(name + ": no such file");
        } catch (AccessDeniedException e) {
            closeQuietly(lockChannel);
            throw new MachineException(name + ": permission denied" + (drive.readOnly() ? "" : " (for writing: attach it read-only?)"));
        } catch (IOException e) {
            closeQuietly(lockChannel);
            throw new MachineException(name + ": " + oneLine(e));
        } catch (MachineException | RuntimeException e) {
            closeQuietly(lockChannel);
            throw e;
        }
    }

    /**
     * Maps device {@code n} at slot {@code n}, wired to PLIC source {@link VirtBoard#virtioIrq}(n);
     * returns the transports in slot order.
     */
    List<MmioTransport> map(AddressSpace bus, GuestMemory memory, Plic plic) {
        List<MmioTransport> transports = new ArrayList<>();
        for (int slot = 0; slot < devices.size(); slot++) {
            MmioTransport transport = new MmioTransport(memory, devices.get(slot), plic.source(VirtBoard.virtioIrq(slot)));
            bus.map(VirtBoard.virtioBase(slot), VirtioMmioRegisters.REGION_SIZE, transport);
            transports.add(transport);
        }
        return List.copyOf(transports);
    }

    /** Starts the network cards held back by {@code open(..., false)}; returns problems, one line each. */
    synchronized List<String> startNets() {
        List<String> problems = new ArrayList<>();
        for (VirtioNet net : nets) {
            try {
                net.start();
            } catch (IOException | RuntimeException e) {
                problems.add("net " + net.mac() + ": " + oneLine(e));
            }
        }
        return problems;
    }

    /** Holds back every device's back end: nothing reaches guest RAM or device state until {@link #unquiesce()}. */
    void quiesce() {
        devices.forEach(VirtioDevice::quiesce);
    }

    void unquiesce() {
        devices.forEach(VirtioDevice::unquiesce);
    }

    /**
     * Flushes every writable disk and releases its lock, so a migration's destination can open
     * it; the caller has paused the machine, so nothing is written meanwhile.
     */
    synchronized void releaseDisks() throws MachineException {
        for (OpenDisk disk : disks) {
            try {
                if (!disk.readOnly) {
                    disk.backend().flush();
                }
                if (disk.lock != null) {
                    disk.lock.release();
                    disk.lock = null;
                }
            } catch (IOException e) {
                throw new MachineException("drive " + disk.path() + ": " + oneLine(e));
            }
        }
    }

    /** Takes back the locks {@link #releaseDisks()} gave up (the migration failed). */
    synchronized void reclaimDisks() throws MachineException {
        for (OpenDisk disk : disks) {
            if (disk.lock != null) {
                continue;
            }
            try {
                FileLock lock = disk.lockChannel().tryLock(0, Long.MAX_VALUE, disk.readOnly);
                if (lock == null) {
                    throw new MachineException("drive " + disk.path() + ": another process took the disk during the migration");
                }
                disk.lock = lock;
            } catch (IOException | OverlappingFileLockException e) {
                throw new MachineException("drive " + disk.path() + ": cannot lock it again: " + oneLine(e));
            }
        }
    }

    /** The slots in use: 0 up to the number of devices. */
    List<Integer> slots() {
        return IntStream.range(0, devices.size()).boxed().toList();
    }

    /** The first virtio console, if one is attached. */
    Optional<VirtioConsole> console() {
        return Optional.ofNullable(console);
    }

    /**
     * Closes every network card (and its host sockets), then flushes and closes every disk;
     * returns the problems as one line each (empty if none).
     */
    synchronized List<String> closeDevices() {
        if (closed) {
            return List.of();
        }
        closed = true;
        List<String> problems = new ArrayList<>(closeNets(nets));
        problems.addAll(closeAll(disks));
        return problems;
    }

    @Override
    public void close() {
        closeDevices();
    }

    private static List<String> closeNets(List<VirtioNet> nets) {
        List<String> problems = new ArrayList<>();
        for (VirtioNet net : nets) {
            try {
                net.close();
            } catch (IOException | RuntimeException e) {
                problems.add("net " + net.mac() + ": close failed: " + oneLine(e));
            }
        }
        return problems;
    }

    private static List<String> closeAll(List<OpenDisk> disks) {
        List<String> problems = new ArrayList<>();
        for (OpenDisk disk : disks) {
            try {
                if (!disk.backend().isReadOnly()) {
                    disk.backend().flush();
                }
            } catch (IOException | RuntimeException e) {
                problems.add("drive " + disk.path() + ": flush failed: " + oneLine(e));
            }
            try {
                disk.backend().close();
            } catch (IOException | RuntimeException e) {
                problems.add("drive " + disk.path() + ": close failed: " + oneLine(e));
            }
            // Closing the channel releases the lock (and, POSIX-wise, any lock of ours on the file).
            closeQuietly(disk.lockChannel());
            IN_USE.remove(disk.key());
        }
        return problems;
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing was written through it
            }
        }
    }

    private static String oneLine(Throwable t) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}

package dev.jvmm.machine;

import dev.jvmm.cpu.riscv.Engine;
import dev.jvmm.memory.state.StateException;
import dev.jvmm.memory.state.StateReader;
import dev.jvmm.memory.state.StateWriter;
import dev.jvmm.storage.ImageFormat;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The part of a machine's configuration that outlives its boot: what a snapshot or a migration
 * must rebuild before the components' records are applied. Kernel, initrd and command line
 * are not here: they are in guest RAM by then.
 *
 * @param memoryBytes DRAM size
 * @param harts       hart count
 * @param bootMode    how the machine booted (it decides which timer line the CLINT drives and whether the built-in SBI serves ecalls)
 * @param engine      how the harts run guest code
 * @param devices     the virtio devices in slot order
 */
public record BoardConfig(long memoryBytes, int harts, BootMode bootMode, Engine engine, List<DeviceConfig> devices) {

    public BoardConfig {
        devices = List.copyOf(devices);
    }

    /** This board with device list {@code replaced} (same slots). */
    public BoardConfig withDevices(List<DeviceConfig> replaced) {
        return new BoardConfig(memoryBytes, harts, bootMode, engine, replaced);
    }

    public void save(StateWriter out) {
        out.putLong(memoryBytes).putInt(harts).putString(bootMode.name()).putString(engine.name());
        out.putInt(devices.size());
        for (DeviceConfig d : devices) {
            switch (d) {
                case DriveConfig drive -> {
                    out.putString("drive").putString(drive.path().toAbsolutePath().toString());
                    out.putString(drive.format().map(Enum::name).orElse("")).putBoolean(drive.readOnly());
                }
                case NetConfig net -> {
                    out.putString("net").putString(net.backend().name());
                    out.putInt(net.hostForwards().size());
                    for (NetConfig.HostForward f : net.hostForwards()) {
                        out.putString(f.protocol().name()).putBytes(f.hostAddress().getAddress())
                                .putInt(f.hostPort()).putInt(f.guestPort());
                    }
                    out.putLong(net.mac().map(NetConfig.MacAddress::bits).orElse(-1L));
                }
                case RngConfig r -> out.putString("rng");
                case ConsoleConfig c -> out.putString("console");
            }
        }
    }

    public static BoardConfig load(StateReader in) throws StateException {
        long memory = in.getLong("memory size");
        if (memory < MachineConfig.MIN_MEMORY || memory > MachineConfig.MAX_MEMORY || memory % 4096 != 0) {
            throw in.bad("memory size", memory + " bytes is not a valid memory size");
        }
        int harts = in.getInt("harts", 1, VirtBoard.MAX_HARTS);
        BootMode mode = named(in, "boot mode", BootMode.class);
        Engine engine = named(in, "engine", Engine.class);
        int count = in.getInt("device count", 0, VirtBoard.VIRTIO_SLOTS);
        List<DeviceConfig> devices = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String kind = in.getString("device kind", 16);
            devices.add(switch (kind) {
                case "drive" -> {
                    Path path;
                    try {
                        path = Path.of(in.getString("drive path", 4096));
                    } catch (InvalidPathException e) {
                        throw in.bad("drive path", "is not a path");
                    }
                    String format = in.getString("drive format", 16);
                    Optional<ImageFormat> f = format.isEmpty() ? Optional.empty() : Optional.of(namedValue(in, "drive format", ImageFormat.class, format));
                    yield new DriveConfig(path, f, in.getBoolean("drive read-only"));
                }
                case "net" -> {
                    NetConfig.Backend backend = named(in, "net backend", NetConfig.Backend.class);
                    int forwards = in.getInt("forward count", 0, 1024);
                    List<NetConfig.HostForward> list = new ArrayList<>();
                    for (int k = 0; k < forwards; k++) {
                        NetConfig.Protocol p = named(in, "forward protocol", NetConfig.Protocol.class);
                        byte[] address = in.getBytes("forward address", 16);
                        int hostPort = in.getInt("forward host port", 1, 65535);
                        int guestPort = in.getInt("forward guest port", 1, 65535);
                        try {
                            list.add(new NetConfig.HostForward(p, InetAddress.getByAddress(address), hostPort, guestPort));
                        } catch (UnknownHostException e) {
                            throw in.bad("forward address", "is not an IP address");
                        }
                    }
                    long mac = in.getLong("mac");
                    if (mac != -1 && (mac >>> 48) != 0) {
                        throw in.bad("mac", "is not a 48-bit address");
                    }
                    yield new NetConfig(backend, list, mac == -1 ? Optional.empty() : Optional.of(new NetConfig.MacAddress(mac)));
                }
                case "rng" -> new RngConfig();
                case "console" -> new ConsoleConfig();
                default -> throw in.bad("device kind", "'" + kind + "' is unknown");
            });
        }
        return new BoardConfig(memory, harts, mode, engine, devices);
    }

    private static <E extends Enum<E>> E named(StateReader in, String field, Class<E> type) throws StateException {
        return namedValue(in, field, type, in.getString(field, 64));
    }

    private static <E extends Enum<E>> E namedValue(StateReader in, String field, Class<E> type, String name) throws StateException {
        try {
            return Enum.valueOf(type, name);
        } catch (IllegalArgumentException e) {
            throw in.bad(field, "'" + name + "' is unknown");
        }
    }
}

package dev.jvmm.machine.fdt;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes a tree of {@link FdtNode}s as a flattened device tree blob (DTB), format version
 * 17 (last compatible version 16), as the Devicetree Specification v0.4 chapter 5 lays it
 * out: a 40-byte header, the memory reservation block (8-byte aligned, ended by a zero
 * entry), the structure block (4-byte aligned tokens) and the strings block, where each
 * property name is stored once.
 */
public final class FdtWriter {

    public static final int MAGIC = 0xd00dfeed;
    public static final int VERSION = 17;
    public static final int LAST_COMPATIBLE_VERSION = 16;
    public static final int HEADER_SIZE = 40;

    static final int FDT_BEGIN_NODE = 1;
    static final int FDT_END_NODE = 2;
    static final int FDT_PROP = 3;
    static final int FDT_END = 9;

    private FdtWriter() {
    }

    /** The DTB for {@code root} with the given reservations; {@code bootCpu} is the header's boot_cpuid_phys. */
    public static byte[] encode(FdtNode root, List<MemoryReservation> reservations, int bootCpu) {
        if (!root.name().isEmpty()) {
            throw new IllegalArgumentException("the root node's name must be empty, not " + root.name());
        }
        Strings strings = new Strings();
        ByteArrayOutputStream struct = new ByteArrayOutputStream();
        writeNode(root, struct, strings);
        putInt(struct, FDT_END);
        byte[] structBytes = struct.toByteArray();
        byte[] stringBytes = strings.bytes();

        int rsvmapOffset = align(HEADER_SIZE, 8);
        int rsvmapSize = (reservations.size() + 1) * 16;
        int structOffset = align(rsvmapOffset + rsvmapSize, 4);
        int stringsOffset = structOffset + structBytes.length;
        int totalSize = stringsOffset + stringBytes.length;

        ByteBuffer out = ByteBuffer.allocate(totalSize); // big-endian, zero-filled padding
        out.putInt(MAGIC);
        out.putInt(totalSize);
        out.putInt(structOffset);
        out.putInt(stringsOffset);
        out.putInt(rsvmapOffset);
        out.putInt(VERSION);
        out.putInt(LAST_COMPATIBLE_VERSION);
        out.putInt(bootCpu);
        out.putInt(stringBytes.length);
        out.putInt(structBytes.length);
        out.position(rsvmapOffset);
        for (MemoryReservation r : reservations) {
            out.putLong(r.address());
            out.putLong(r.size());
        }
        out.putLong(0).putLong(0);
        out.position(structOffset);
        out.put(structBytes);
        out.put(stringBytes);
        return out.array();
    }

    private static void writeNode(FdtNode node, ByteArrayOutputStream out, Strings strings) {
        putInt(out, FDT_BEGIN_NODE);
        byte[] name = node.name().getBytes(StandardCharsets.UTF_8);
        out.writeBytes(name);
        out.write(0);
        pad(out);
        for (Map.Entry<String, byte[]> p : node.properties().entrySet()) {
            byte[] value = p.getValue();
            putInt(out, FDT_PROP);
            putInt(out, value.length);
            putInt(out, strings.offsetOf(p.getKey()));
            out.writeBytes(value);
            pad(out);
        }
        for (FdtNode child : node.children()) {
            writeNode(child, out, strings);
        }
        putInt(out, FDT_END_NODE);
    }

    private static void putInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    private static void pad(ByteArrayOutputStream out) {
        while (out.size() % 4 != 0) {
            out.write(0);
        }
    }

    private static int align(int value, int alignment) {
        return (value + alignment - 1) & -alignment;
    }

    /** The strings block: each distinct property name once, NUL-terminated. */
    private static final class Strings {
        private final Map<String, Integer> offsets = new HashMap<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        int offsetOf(String name) {
            return offsets.computeIfAbsent(name, n -> {
                int offset = bytes.size();
                bytes.writeBytes(n.getBytes(StandardCharsets.UTF_8));
                bytes.write(0);
                return offset;
            });
        }

        byte[] bytes() {
            return bytes.toByteArray();
        }
    }
}

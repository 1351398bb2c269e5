package dev.jvmm.machine.fdt;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One node of a device tree under construction: a name ({@code "serial@10000000"}, or
 * {@code ""} for the root), properties in insertion order, and children. Property values
 * are stored already encoded (big-endian cells, NUL-terminated strings), as the DTB holds
 * them.
 */
public final class FdtNode {

    private final String name;
    private final Map<String, byte[]> properties = new LinkedHashMap<>();
    private final List<FdtNode> children = new ArrayList<>();

    public FdtNode(String name) {
        this.name = Objects.requireNonNull(name);
        if (name.indexOf('/') >= 0 || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("bad device tree node name: " + name);
        }
    }

    public String name() {
        return name;
    }

    /** Adds and returns a new child node. */
    public FdtNode addChild(String childName) {
        FdtNode child = new FdtNode(childName);
        for (FdtNode existing : children) {
            if (existing.name.equals(childName)) {
                throw new IllegalArgumentException("duplicate node " + childName + " under '" + name + "'");
            }
        }
        children.add(child);
        return child;
    }

    /** The child called {@code childName}, or null. */
    public FdtNode child(String childName) {
        for (FdtNode c : children) {
            if (c.name.equals(childName)) {
                return c;
            }
        }
        return null;
    }

    public List<FdtNode> children() {
        return Collections.unmodifiableList(children);
    }

    /** Properties by name, in insertion order; values are the encoded bytes. */
    public Map<String, byte[]> properties() {
        return Collections.unmodifiableMap(properties);
    }

    /** Sets a property to raw bytes (replacing an earlier value). */
    public FdtNode property(String propertyName, byte[] value) {
        if (propertyName.isEmpty() || propertyName.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("bad property name: " + propertyName);
        }
        properties.put(propertyName, value.clone());
        return this;
    }

    /** A property with no value (a flag such as {@code interrupt-controller}). */
    public FdtNode flag(String propertyName) {
        return property(propertyName, new byte[0]);
    }

    /** One or more 32-bit big-endian cells. */
    public FdtNode u32(String propertyName, int... cells) {
        ByteBuffer b = ByteBuffer.allocate(cells.length * 4);
        for (int c : cells) {
            b.putInt(c);
        }
        return property(propertyName, b.array());
    }

    /** One or more 64-bit values, each as two big-endian cells. */
    public FdtNode u64(String propertyName, long... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8);
        for (long v : values) {
            b.putLong(v);
        }
        return property(propertyName, b.array());
    }

    /** A string, or a string list: each NUL-terminated, concatenated. */
    public FdtNode string(String propertyName, String... values) {
        int length = 0;
        List<byte[]> parts = new ArrayList<>();
        for (String v : values) {
            if (v.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("NUL inside string property " + propertyName);
            }
            byte[] p = v.getBytes(StandardCharsets.UTF_8);
            parts.add(p);
            length += p.length + 1;
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        for (byte[] p : parts) {
            b.put(p).put((byte) 0);
        }
        return property(propertyName, b.array());
    }
}

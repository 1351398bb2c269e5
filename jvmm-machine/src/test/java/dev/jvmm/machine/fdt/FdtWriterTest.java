package dev.jvmm.machine.fdt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class FdtWriterTest {

    private static FdtNode sampleTree() {
        FdtNode root = new FdtNode("");
        root.u32("#address-cells", 2).string("compatible", "test");
        root.addChild("a@1").string("compatible", "x", "y").u64("reg", 1, 2);
        root.addChild("b").flag("interrupt-controller").string("compatible", "z");
        return root;
    }

    @Test
    void headerDescribesVersion17BlobWithAlignedBlocks() {
        byte[] dtb = FdtWriter.encode(sampleTree(), List.of(), 3);
        ByteBuffer h = ByteBuffer.wrap(dtb);
        assertThat(h.getInt(0)).isEqualTo(0xd00dfeed);
        assertThat(h.getInt(4)).isEqualTo(dtb.length);
        int structOff = h.getInt(8);
        int stringsOff = h.getInt(12);
        int rsvOff = h.getInt(16);
        assertThat(h.getInt(20)).isEqualTo(17);
        assertThat(h.getInt(24)).isEqualTo(16);
        assertThat(h.getInt(28)).isEqualTo(3);
        int stringsSize = h.getInt(32);
        int structSize = h.getInt(36);
        assertThat(rsvOff % 8).isZero();
        assertThat(rsvOff).isGreaterThanOrEqualTo(40);
        assertThat(structOff % 4).isZero();
        assertThat(structSize % 4).isZero();
        assertThat(stringsOff).isEqualTo(structOff + structSize);
        assertThat(stringsOff + stringsSize).isEqualTo(dtb.length);
        assertThat(h.getInt(structOff)).isEqualTo(FdtWriter.FDT_BEGIN_NODE);
        assertThat(h.getInt(structOff + structSize - 4)).isEqualTo(FdtWriter.FDT_END);
    }

    @Test
    void propertyNamesAreStoredOnceInStringsBlock() {
        byte[] dtb = FdtWriter.encode(sampleTree(), List.of(), 0);
        ByteBuffer h = ByteBuffer.wrap(dtb);
        String strings = new String(dtb, h.getInt(12), h.getInt(32), StandardCharsets.US_ASCII);
        // "compatible" is used by three nodes but appears once.
        assertThat(strings.split("\0")).containsExactlyInAnyOrder(
                "#address-cells", "compatible", "reg", "interrupt-controller");
    }

    @Test
    void memoryReservationsAreWrittenAndTerminatedByZeroEntry() {
        byte[] dtb = FdtWriter.encode(sampleTree(),
                List.of(new MemoryReservation(0x8000_0000L, 0x20_0000L)), 0);
        ByteBuffer h = ByteBuffer.wrap(dtb);
        int rsv = h.getInt(16);
        assertThat(h.getLong(rsv)).isEqualTo(0x8000_0000L);
        assertThat(h.getLong(rsv + 8)).isEqualTo(0x20_0000L);
        assertThat(h.getLong(rsv + 16)).isZero();
        assertThat(h.getLong(rsv + 24)).isZero();
        assertThat(h.getInt(8)).isGreaterThanOrEqualTo(rsv + 32);
    }

    @Test
    void propertyValuesArePaddedToFourBytesAndEncodedBigEndian() {
        FdtNode root = new FdtNode("");
        root.string("s", "abcde").u32("n", 0x01020304);
        byte[] dtb = FdtWriter.encode(root, List.of(), 0);
        ByteBuffer h = ByteBuffer.wrap(dtb);
        int p = h.getInt(8) + 8; // after BEGIN_NODE and the empty, padded root name
        assertThat(h.getInt(p)).isEqualTo(FdtWriter.FDT_PROP);
        assertThat(h.getInt(p + 4)).isEqualTo(6); // "abcde\0"
        assertThat(new String(dtb, p + 12, 5, StandardCharsets.US_ASCII)).isEqualTo("abcde");
        int next = p + 12 + 8; // 6 bytes padded to 8
        assertThat(h.getInt(next)).isEqualTo(FdtWriter.FDT_PROP);
        assertThat(h.getInt(next + 4)).isEqualTo(4);
        assertThat(h.getInt(next + 12)).isEqualTo(0x01020304);
    }

    @Test
    void duplicateChildNamesAreRefused() {
        FdtNode root = new FdtNode("");
        root.addChild("cpus");
        assertThatThrownBy(() -> root.addChild("cpus")).isInstanceOf(IllegalArgumentException.class);
    }
}

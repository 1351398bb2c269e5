package dev.jvmm.bench;

import static dev.jvmm.bench.GuestCode.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The encodings are GNU as's (riscv64-linux-gnu-as -march=rv64gc, objdump -M no-aliases). */
class GuestCodeTest {

    private static int[] words(GuestCode c) {
        ByteBuffer b = ByteBuffer.wrap(c.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        int[] w = new int[b.remaining() / 4];
        for (int k = 0; k < w.length; k++) {
            w[k] = b.getInt();
        }
        return w;
    }

    private static int[] parcels(GuestCode c) {
        ByteBuffer b = ByteBuffer.wrap(c.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        int[] p = new int[b.remaining() / 2];
        for (int k = 0; k < p.length; k++) {
            p[k] = b.getShort() & 0xffff;
        }
        return p;
    }

    @Test
    void encodesIntegerInstructionsAsTheGnuAssemblerDoes() {
        GuestCode c = new GuestCode(0)
                .addi(T0, T0, -1).add(S0, S0, T0).xor(S3, S0, S2).slli(S4, S3, 3).srli(A0, A0, 1)
                .andi(T2, T0, 3).mul(A0, A1, A0).ld(T1, S1, 0).ld(T2, S1, 8).sd(T1, S1, 0).sw(S0, S1, 8)
                .lui(S1, 0x80100).addiw(S1, S1, -2048).ret().csrw(CSR_SATP, T0).sfenceVma();
        assertThat(words(c)).containsExactly(0xfff28293, 0x00540433, 0x012449b3, 0x00399a13, 0x00155513,
                0x0032f393, 0x02a58533, 0x0004b303, 0x0084b383, 0x0064b023, 0x0084a423,
                0x801004b7, 0x8004849b, 0x00008067, 0x18029073, 0x12000073);
    }

    @Test
    void resolvesBackwardAndForwardBranchAndJumpTargets() {
        GuestCode c = new GuestCode(0x5c);
        c.label("loop").bnez(T0, "loop").beq(A0, A1, "fwd").call("loop").j("fwd").addi(A0, A0, 1);
        c.label("fwd").lui(T0, 0x80000);
        assertThat(words(c)).containsExactly(0x00029063, 0x00b50863, 0xff9ff0ef, 0x0080006f, 0x00150513, 0x800002b7);
    }

    @Test
    void encodesCompressedInstructionsAsTheGnuAssemblerDoes() {
        GuestCode c = new GuestCode(0)
                .cAddi(A0, -3).cLi(A1, 17).cMv(A2, A3).cAdd(A4, A5).cSlli(S0, 3).cLdsp(RA, 24).cSdsp(S0, 8)
                .cLd(A0, A1, 16);
        assertThat(parcels(c)).containsExactly(0x1575, 0x45c5, 0x8636, 0x973e, 0x040e, 0x60e2, 0xe422, 0x6988);
    }

    @Test
    void rejectsBranchTargetsOutOfReach() {
        GuestCode c = new GuestCode(0);
        c.label("far");
        for (int k = 0; k < 1100; k++) {
            c.addi(A0, A0, 1);
        }
        c.bnez(A0, "far");
        org.assertj.core.api.Assertions.assertThatThrownBy(c::bytes).isInstanceOf(IllegalArgumentException.class);
    }
}

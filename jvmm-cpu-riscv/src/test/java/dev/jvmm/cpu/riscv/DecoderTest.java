package dev.jvmm.cpu.riscv;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecoderTest {

    /** Compressed instruction and its 32-bit equivalent, as the assembler spells them. */
    private static final List<String[]> PAIRS = List.of(
            new String[] {"c.addi4spn s0, sp, 1020", "addi s0, sp, 1020"},
            new String[] {"c.fld fa5, 248(a0)", "fld fa5, 248(a0)"},
            new String[] {"c.lw a5, 124(a4)", "lw a5, 124(a4)"},
            new String[] {"c.ld s1, 248(a3)", "ld s1, 248(a3)"},
            new String[] {"c.fsd fs0, 8(a1)", "fsd fs0, 8(a1)"},
            new String[] {"c.sw a2, 64(s1)", "sw a2, 64(s1)"},
            new String[] {"c.sd a0, 136(a5)", "sd a0, 136(a5)"},
            new String[] {"c.nop", "addi x0, x0, 0"},
            new String[] {"c.addi t1, -32", "addi t1, t1, -32"},
            new String[] {"c.addiw a0, 31", "addiw a0, a0, 31"},
            new String[] {"c.addiw a0, -1", "addiw a0, a0, -1"},
            new String[] {"c.li s11, -17", "addi s11, x0, -17"},
            new String[] {"c.addi16sp sp, -512", "addi sp, sp, -512"},
            new String[] {"c.addi16sp sp, 496", "addi sp, sp, 496"},
            new String[] {"c.lui t2, 0xfffe1", "lui t2, 0xfffe1"},
            new String[] {"c.lui t2, 31", "lui t2, 31"},
            new String[] {"c.srli a0, 63", "srli a0, a0, 63"},
            new String[] {"c.srai s1, 1", "srai s1, s1, 1"},
            new String[] {"c.andi a3, -3", "andi a3, a3, -3"},
            new String[] {"c.sub a0, a1", "sub a0, a0, a1"},
            new String[] {"c.xor s0, a5", "xor s0, s0, a5"},
            new String[] {"c.or a2, a3", "or a2, a2, a3"},
            new String[] {"c.and a4, s1", "and a4, a4, s1"},
            new String[] {"c.subw a0, a1", "subw a0, a0, a1"},
            new String[] {"c.addw a5, a4", "addw a5, a5, a4"},
            new String[] {"c.j .+2046", "jal x0, .+2046"},
            new String[] {"c.j .-2048", "jal x0, .-2048"},
            new String[] {"c.beqz a0, .-256", "beq a0, x0, .-256"},
            new String[] {"c.bnez s1, .+254", "bne s1, x0, .+254"},
            new String[] {"c.slli t0, 33", "slli t0, t0, 33"},
            new String[] {"c.fldsp ft1, 504(sp)", "fld ft1, 504(sp)"},
            new String[] {"c.lwsp ra, 252(sp)", "lw ra, 252(sp)"},
            new String[] {"c.ldsp t6, 504(sp)", "ld t6, 504(sp)"},
            new String[] {"c.jr ra", "jalr x0, 0(ra)"},
            new String[] {"c.mv a0, t6", "add a0, x0, t6"},
            new String[] {"c.ebreak", "ebreak"},
            new String[] {"c.jalr a5", "jalr ra, 0(a5)"},
            new String[] {"c.add s2, s3", "add s2, s2, s3"},
            new String[] {"c.fsdsp fs11, 504(sp)", "fsd fs11, 504(sp)"},
            new String[] {"c.swsp s0, 252(sp)", "sw s0, 252(sp)"},
            new String[] {"c.sdsp t3, 504(sp)", "sd t3, 504(sp)"});

    @Test
    void compressedInstructionsExpandToWhatTheAssemblerEncodes() {
        StringBuilder src = new StringBuilder();
        for (String[] p : PAIRS) {
            src.append(p[0]).append('\n');
        }
        src.append(".option norvc\n");
        // '.'-relative targets encode the same offset in both forms.
        for (String[] p : PAIRS) {
            src.append(p[1]).append('\n');
        }
        String source = src.toString();
        byte[] image = TestRig.assemble(source).image();
        ByteBuffer buf = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        int n = PAIRS.size();
        for (int i = 0; i < n; i++) {
            int parcel = buf.getShort(2 * i) & 0xffff;
            int full = buf.getInt(2 * n + 4 * i);
            assertThat(Decoder.isCompressed(parcel)).as(PAIRS.get(i)[0]).isTrue();
            assertThat(Integer.toHexString(Decoder.expandCompressed(parcel)))
                    .as(PAIRS.get(i)[0]).isEqualTo(Integer.toHexString(full));
        }
    }

    @Test
    void reservedCompressedEncodingsAreIllegal() {
        int[] illegal = {
            0x0000, // all zeros (C.ADDI4SPN with imm 0)
            0x0004, // C.ADDI4SPN nzuimm = 0 with rd' != 0
            0x8000, // quadrant 0 funct3 100 is reserved
            0x2001, // C.ADDIW rd = 0
            0x6081, // C.LUI ra with imm 0
            0x6101, // C.ADDI16SP with imm 0
            0x9c41, // C.SUBW/ADDW space, reserved sub-encoding 10
            0x9c61, // reserved sub-encoding 11
            0x4002, // C.LWSP rd = 0
            0x6002, // C.LDSP rd = 0
            0x8002, // C.JR x0
        };
        for (int c : illegal) {
            assertThat(Decoder.expandCompressed(c)).as("0x%04x", c).isZero();
        }
    }

    @Test
    void immediateFieldsSignExtend() {
        assertThat(Decoder.immI(0xfff00093)).isEqualTo(-1); // addi x1, x0, -1
        assertThat(Decoder.immS(0xfe112c23)).isEqualTo(-8); // sw x1, -8(x2)
        assertThat(Decoder.immB(0xfe000ee3)).isEqualTo(-4); // beq x0, x0, -4
        assertThat(Decoder.immJ(0xffdff06f)).isEqualTo(-4); // jal x0, -4
        assertThat(Decoder.immU(0x800000b7)).isEqualTo(0xffffffff80000000L); // lui x1, 0x80000
    }
}

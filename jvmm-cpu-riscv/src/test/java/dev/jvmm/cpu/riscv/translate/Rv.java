package dev.jvmm.cpu.riscv.translate;

/** Encoders for 32-bit RV64 instructions, for generated test programs. */
final class Rv {

    private Rv() {
    }

    static int r(int f7, int rs2, int rs1, int f3, int rd, int op) {
        return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
    }

    static int i(int imm, int rs1, int f3, int rd, int op) {
        return (imm << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
    }

    static int s(int imm, int rs2, int rs1, int f3, int op) {
        return ((imm >> 5) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 31) << 7) | op;
    }

    static int b(int imm, int rs2, int rs1, int f3) {
        return (((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12)
                | (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7) | 0x63;
    }

    static int u(int imm, int rd, int op) {
        return (imm & 0xfffff000) | (rd << 7) | op;
    }

    static int j(int imm, int rd) {
        return (((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3ff) << 21) | (((imm >> 11) & 1) << 20)
                | (imm & 0xff000) | (rd << 7) | 0x6f;
    }

    static int addi(int rd, int rs1, int imm) {
        return i(imm, rs1, 0, rd, 0x13);
    }

    static int csrrs(int rd, int csr, int rs1) {
        return i(csr, rs1, 2, rd, 0x73);
    }

    static int csrrw(int rd, int csr, int rs1) {
        return i(csr, rs1, 1, rd, 0x73);
    }

    static int lui(int rd, int imm20) {
        return u(imm20 << 12, rd, 0x37);
    }

    static final int MRET = 0x30200073;
    static final int FENCE_I = 0x0000100f;

    static byte[] bytes(int[] words, int count) {
        byte[] out = new byte[count * 4];
        for (int k = 0; k < count; k++) {
            int w = words[k];
            out[4 * k] = (byte) w;
            out[4 * k + 1] = (byte) (w >>> 8);
            out[4 * k + 2] = (byte) (w >>> 16);
            out[4 * k + 3] = (byte) (w >>> 24);
        }
        return out;
    }
}

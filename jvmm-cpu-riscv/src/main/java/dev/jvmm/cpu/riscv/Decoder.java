package dev.jvmm.cpu.riscv;

/**
 * Pure instruction decoding: field extraction from 32-bit instruction words and expansion of
 * RV64C compressed instructions into their 32-bit equivalents. Holds no hart state, so the
 * interpreter, a translator or a disassembler can share it.
 */
public final class Decoder {

    /** Expansion of every 16-bit parcel; 0 marks an illegal/reserved encoding. */
    private static final int[] EXPANDED = new int[1 << 16];

    static {
        for (int c = 0; c < EXPANDED.length; c++) {
            EXPANDED[c] = (c & 3) == 3 ? 0 : expandUncached(c);
        }
    }

    private Decoder() {
    }

    // ---- 32-bit fields ----

    public static int opcode(int insn) {
        return insn & 0x7f;
    }

    public static int rd(int insn) {
        return (insn >>> 7) & 31;
    }

    public static int rs1(int insn) {
        return (insn >>> 15) & 31;
    }

    public static int rs2(int insn) {
        return (insn >>> 20) & 31;
    }

    public static int rs3(int insn) {
        return insn >>> 27;
    }

    public static int funct3(int insn) {
        return (insn >>> 12) & 7;
    }

    public static int funct7(int insn) {
        return insn >>> 25;
    }

    public static long immI(int insn) {
        return insn >> 20;
    }

    public static long immS(int insn) {
        return ((insn >> 25) << 5) | ((insn >>> 7) & 31);
    }

    public static long immB(int insn) {
        return ((insn >> 31) << 12) | (((insn >>> 7) & 1) << 11) | (((insn >>> 25) & 0x3f) << 5)
                | (((insn >>> 8) & 0xf) << 1);
    }

    public static long immU(int insn) {
        return insn & 0xfffff000;
    }

    public static long immJ(int insn) {
        return ((insn >> 31) << 20) | (insn & 0xff000) | (((insn >>> 20) & 1) << 11)
                | (((insn >>> 21) & 0x3ff) << 1);
    }

    /** Whether a parcel starts a 32-bit instruction (low two bits 11). */
    public static boolean isCompressed(int parcel) {
        return (parcel & 3) != 3;
    }

    /** The 32-bit equivalent of a 16-bit instruction, or 0 if the encoding is illegal or reserved. */
    public static int expandCompressed(int parcel) {
        return EXPANDED[parcel & 0xffff];
    }

    // ---- 32-bit encoders used by the expansion ----

    static int encodeR(int funct7, int rs2, int rs1, int funct3, int rd, int opcode) {
        return (funct7 << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode;
    }

    static int encodeI(int imm, int rs1, int funct3, int rd, int opcode) {
        return (imm << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode;
    }

    static int encodeS(int imm, int rs2, int rs1, int funct3, int opcode) {
        return ((imm >> 5) << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | ((imm & 31) << 7) | opcode;
    }

    static int encodeB(int imm, int rs2, int rs1, int funct3, int opcode) {
        return (((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15)
                | (funct3 << 12) | (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7) | opcode;
    }

    static int encodeJ(int imm, int rd, int opcode) {
        return (((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3ff) << 21) | (((imm >> 11) & 1) << 20)
                | (imm & 0xff000) | (rd << 7) | opcode;
    }

    static int encodeU(int imm, int rd, int opcode) {
        return (imm & 0xfffff000) | (rd << 7) | opcode;
    }

    private static int bit(int c, int i) {
        return (c >>> i) & 1;
    }

    private static int bits(int c, int hi, int lo) {
        return (c >>> lo) & ((1 << (hi - lo + 1)) - 1);
    }

    private static int signExtend(int value, int width) {
        return (value << (32 - width)) >> (32 - width);
    }

    private static final int OP_LOAD = 0x03;
    private static final int OP_LOAD_FP = 0x07;
    private static final int OP_IMM = 0x13;
    private static final int OP_IMM_32 = 0x1b;
    private static final int OP_STORE = 0x23;
    private static final int OP_STORE_FP = 0x27;
    private static final int OP = 0x33;
    private static final int OP_LUI = 0x37;
    private static final int OP_32 = 0x3b;
    private static final int OP_BRANCH = 0x63;
    private static final int OP_JALR = 0x67;
    private static final int OP_JAL = 0x6f;
    private static final int OP_SYSTEM = 0x73;

    static int expandUncached(int c) {
        int op = c & 3;
        int f3 = bits(c, 15, 13);
        int rdFull = bits(c, 11, 7);
        int rs2Full = bits(c, 6, 2);
        int rdP = 8 + bits(c, 4, 2);
        int rs1P = 8 + bits(c, 9, 7);
        int imm6 = signExtend((bit(c, 12) << 5) | bits(c, 6, 2), 6);
        switch (op) {
            case 0 -> {
                switch (f3) {
                    case 0 -> { // C.ADDI4SPN
                        int imm = (bits(c, 12, 11) << 4) | (bits(c, 10, 7) << 6) | (bit(c, 6) << 2) | (bit(c, 5) << 3);
                        return imm == 0 ? 0 : encodeI(imm, 2, 0, rdP, OP_IMM);
                    }
                    case 1 -> { // C.FLD
                        return encodeI(ldsdOffset(c), rs1P, 3, rdP, OP_LOAD_FP);
                    }
                    case 2 -> { // C.LW
                        return encodeI(lwswOffset(c), rs1P, 2, rdP, OP_LOAD);
                    }
                    case 3 -> { // C.LD
                        return encodeI(ldsdOffset(c), rs1P, 3, rdP, OP_LOAD);
                    }
                    case 5 -> { // C.FSD
                        return encodeS(ldsdOffset(c), rdP, rs1P, 3, OP_STORE_FP);
                    }
                    case 6 -> { // C.SW
                        return encodeS(lwswOffset(c), rdP, rs1P, 2, OP_STORE);
                    }
                    case 7 -> { // C.SD
                        return encodeS(ldsdOffset(c), rdP, rs1P, 3, OP_STORE);
                    }
                    default -> {
                        return 0;
                    }
                }
            }
            case 1 -> {
                switch (f3) {
                    case 0 -> { // C.ADDI / C.NOP
                        return encodeI(imm6, rdFull, 0, rdFull, OP_IMM);
                    }
                    case 1 -> { // C.ADDIW
                        return rdFull == 0 ? 0 : encodeI(imm6, rdFull, 0, rdFull, OP_IMM_32);
                    }
                    case 2 -> { // C.LI
                        return encodeI(imm6, 0, 0, rdFull, OP_IMM);
                    }
                    case 3 -> {
                        if (rdFull == 2) { // C.ADDI16SP
                            int imm = signExtend((bit(c, 12) << 9) | (bit(c, 6) << 4) | (bit(c, 5) << 6)
                                    | (bits(c, 4, 3) << 7) | (bit(c, 2) << 5), 10);
                            return imm == 0 ? 0 : encodeI(imm, 2, 0, 2, OP_IMM);
                        }
                        // C.LUI
                        return imm6 == 0 ? 0 : encodeU(imm6 << 12, rdFull, OP_LUI);
                    }
                    case 4 -> {
                        int funct2 = bits(c, 11, 10);
                        int shamt = (bit(c, 12) << 5) | bits(c, 6, 2);
                        switch (funct2) {
                            case 0 -> {
                                return encodeI(shamt, rs1P, 5, rs1P, OP_IMM); // C.SRLI
                            }
                            case 1 -> {
                                return encodeI(0x400 | shamt, rs1P, 5, rs1P, OP_IMM); // C.SRAI
                            }
                            case 2 -> {
                                return encodeI(imm6, rs1P, 7, rs1P, OP_IMM); // C.ANDI
                            }
                            default -> {
                                int rs2P = rdP;
                                int sel = bits(c, 6, 5);
                                if (bit(c, 12) == 0) {
                                    return switch (sel) {
                                        case 0 -> encodeR(0x20, rs2P, rs1P, 0, rs1P, OP); // C.SUB
                                        case 1 -> encodeR(0, rs2P, rs1P, 4, rs1P, OP); // C.XOR
                                        case 2 -> encodeR(0, rs2P, rs1P, 6, rs1P, OP); // C.OR
                                        default -> encodeR(0, rs2P, rs1P, 7, rs1P, OP); // C.AND
                                    };
                                }
                                return switch (sel) {
                                    case 0 -> encodeR(0x20, rs2P, rs1P, 0, rs1P, OP_32); // C.SUBW
                                    case 1 -> encodeR(0, rs2P, rs1P, 0, rs1P, OP_32); // C.ADDW
                                    default -> 0;
                                };
                            }
                        }
                    }
                    case 5 -> { // C.J
                        return encodeJ(jumpOffset(c), 0, OP_JAL);
                    }
                    default -> { // C.BEQZ / C.BNEZ
                        int imm = signExtend((bit(c, 12) << 8) | (bits(c, 11, 10) << 3) | (bits(c, 6, 5) << 6)
                                | (bits(c, 4, 3) << 1) | (bit(c, 2) << 5), 9);
                        return encodeB(imm, 0, rs1P, f3 == 6 ? 0 : 1, OP_BRANCH);
                    }
                }
            }
            default -> {
                switch (f3) {
                    case 0 -> { // C.SLLI
                        int shamt = (bit(c, 12) << 5) | bits(c, 6, 2);
                        return encodeI(shamt, rdFull, 1, rdFull, OP_IMM);
                    }
                    case 1 -> { // C.FLDSP
                        return encodeI(ldspOffset(c), 2, 3, rdFull, OP_LOAD_FP);
                    }
                    case 2 -> { // C.LWSP
                        int imm = (bit(c, 12) << 5) | (bits(c, 6, 4) << 2) | (bits(c, 3, 2) << 6);
                        return rdFull == 0 ? 0 : encodeI(imm, 2, 2, rdFull, OP_LOAD);
                    }
                    case 3 -> { // C.LDSP
                        return rdFull == 0 ? 0 : encodeI(ldspOffset(c), 2, 3, rdFull, OP_LOAD);
                    }
                    case 4 -> {
                        if (bit(c, 12) == 0) {
                            if (rs2Full == 0) { // C.JR
                                return rdFull == 0 ? 0 : encodeI(0, rdFull, 0, 0, OP_JALR);
                            }
                            return encodeR(0, rs2Full, 0, 0, rdFull, OP); // C.MV
                        }
                        if (rs2Full == 0) {
                            if (rdFull == 0) {
                                return 0x00100073; // C.EBREAK
                            }
                            return encodeI(0, rdFull, 0, 1, OP_JALR); // C.JALR
                        }
                        return encodeR(0, rs2Full, rdFull, 0, rdFull, OP); // C.ADD
                    }
                    case 5 -> { // C.FSDSP
                        return encodeS(sdspOffset(c), rs2Full, 2, 3, OP_STORE_FP);
                    }
                    case 6 -> { // C.SWSP
                        int imm = (bits(c, 12, 9) << 2) | (bits(c, 8, 7) << 6);
                        return encodeS(imm, rs2Full, 2, 2, OP_STORE);
                    }
                    default -> { // C.SDSP
                        return encodeS(sdspOffset(c), rs2Full, 2, 3, OP_STORE);
                    }
                }
            }
        }
    }

    private static int lwswOffset(int c) {
        return (bits(c, 12, 10) << 3) | (bit(c, 6) << 2) | (bit(c, 5) << 6);
    }

    private static int ldsdOffset(int c) {
        return (bits(c, 12, 10) << 3) | (bits(c, 6, 5) << 6);
    }

    private static int ldspOffset(int c) {
        return (bit(c, 12) << 5) | (bits(c, 6, 5) << 3) | (bits(c, 4, 2) << 6);
    }

    private static int sdspOffset(int c) {
        return (bits(c, 12, 10) << 3) | (bits(c, 9, 7) << 6);
    }

    private static int jumpOffset(int c) {
        int imm = (bit(c, 12) << 11) | (bit(c, 11) << 4) | (bits(c, 10, 9) << 8) | (bit(c, 8) << 10)
                | (bit(c, 7) << 6) | (bit(c, 6) << 7) | (bits(c, 5, 3) << 1) | (bit(c, 2) << 5);
        return signExtend(imm, 12);
    }
}

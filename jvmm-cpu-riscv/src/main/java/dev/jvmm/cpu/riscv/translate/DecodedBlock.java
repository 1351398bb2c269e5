package dev.jvmm.cpu.riscv.translate;

import dev.jvmm.cpu.riscv.Decoder;
import java.util.List;

/**
 * The dense form a block is decoded into once for the runtime's block interpreter (the tier
 * between the interpreter and compiled code): one long per instruction, kept by the block's
 * {@link Translation} (no object of its own: a chain of blocks touches one entry and one array
 * per block). Its low half holds the operation in bits 0-7, rd, rs1, rs2 in bits 8-12, 13-17
 * and 18-22, a jump's or branch's exit number in bits 23-30 and, in bit 31, whether the
 * instruction is compressed (the pcs inside the block follow from it); its high half is the
 * operand: the immediate, a pc relative to the block's start (AUIPC's value, a jump's or
 * branch's target), a funct3, or (for the operations handed to the hart's own units) the
 * instruction itself. Operations that would only write x0 become {@link #NOP}. The block is
 * an extended one: conditional branches may come anywhere (a taken one leaves the block), a jump
 * only last; the pc after the block ({@link Translation#decodedEnd}) is a final jump's link
 * value and a final branch's fall-through.
 *
 * <p>Only instructions the translator accepts ({@link BlockDecoder#isTranslatable}) reach
 * here, so each is a valid encoding; the block is cut before the first one this form does
 * not cover (the float CSR accesses), which the interpreter then runs, and after its 255th
 * branch.
 */
public final class DecodedBlock {

    // Operations. Loads and stores are listed by width; W suffixes are the RV64 word forms.
    public static final int NOP = 0;
    public static final int LUI = 1; // rd = operand
    public static final int ADDI = 2;
    public static final int SLTI = 3;
    public static final int SLTIU = 4;
    public static final int XORI = 5;
    public static final int ORI = 6;
    public static final int ANDI = 7;
    public static final int SLLI = 8;
    public static final int SRLI = 9;
    public static final int SRAI = 10;
    public static final int ADDIW = 11;
    public static final int SLLIW = 12;
    public static final int SRLIW = 13;
    public static final int SRAIW = 14;
    public static final int ADD = 15;
    public static final int SUB = 16;
    public static final int SLL = 17;
    public static final int SLT = 18;
    public static final int SLTU = 19;
    public static final int XOR = 20;
    public static final int SRL = 21;
    public static final int SRA = 22;
    public static final int OR = 23;
    public static final int AND = 24;
    public static final int MUL = 25;
    public static final int MULDIV = 26; // the other M operations: operand = funct3
    public static final int ADDW = 27;
    public static final int SUBW = 28;
    public static final int SLLW = 29;
    public static final int SRLW = 30;
    public static final int SRAW = 31;
    public static final int MULW = 32;
    public static final int MULDIVW = 33; // DIVW, DIVUW, REMW, REMUW: operand = funct3
    public static final int LB = 34;
    public static final int LH = 35;
    public static final int LW = 36;
    public static final int LD = 37;
    public static final int LBU = 38;
    public static final int LHU = 39;
    public static final int LWU = 40;
    public static final int LOAD_X0 = 41; // a load into x0: it may still fault; operand = imm, rd field = funct3
    public static final int SB = 42;
    public static final int SH = 43;
    public static final int SW = 44;
    public static final int SD = 45;
    public static final int FENCE = 46;
    public static final int PAUSE = 47;
    public static final int ATOMIC = 48; // operand = the instruction
    public static final int FLOAT = 49; // operand = the instruction (registers are its own business)
    public static final int J = 50; // JAL x0
    public static final int JAL = 51;
    public static final int JR = 52; // JALR x0: operand = imm
    public static final int JALR = 53;
    public static final int BEQ = 54;
    public static final int BNE = 55;
    public static final int BLT = 56;
    public static final int BGE = 57;
    public static final int BLTU = 58;
    public static final int BGEU = 59;
    public static final int AUIPC = 60; // rd = block pc + operand

    /** Set in the word of a compressed (2-byte) instruction; a compressed FLOAT's parcel is in bits 8-23 (for mtval). */
    public static final int COMPRESSED = 1 << 31;
    /**
     * A jump's or branch's word holds its exit number (1 for the block's first, ...) in bits
     * 23-30, which names its link slot; slot 0 is for running off the block's end. A block is
     * cut after its {@link #MAX_EXITS}th exit, so the numbers fit.
     */
    public static final int EXIT_SHIFT = 23;
    static final int MAX_EXITS = 255;

    private static final int PAUSE_ENCODING = 0x0100000f;

    private DecodedBlock() {
    }

    /**
     * The dense form of {@code block}'s leading instructions up to the first one it does not
     * cover; null if that is the first.
     */
    static long[] encode(GuestBlock block) {
        List<GuestBlock.Instruction> list = block.instructions();
        int n = 0;
        int exitsBefore = 0;
        while (n < list.size() && covers(list.get(n).insn()) && exitsBefore < MAX_EXITS) {
            if (BlockDecoder.isControlTransfer(list.get(n).insn())) {
                exitsBefore++;
            }
            n++;
        }
        if (n == 0) {
            return null;
        }
        long[] code = new long[n];
        int exits = 0;
        for (int k = 0; k < n; k++) {
            GuestBlock.Instruction i = list.get(k);
            int offset = (int) (i.pc() - block.pc());
            int word = word(i.insn());
            if ((word & 0xff) >= J && (word & 0xff) <= BGEU) {
                word |= ++exits << EXIT_SHIFT;
            }
            if (i.length() == 2) {
                word |= COMPRESSED;
                if ((word & 0xff) == FLOAT) {
                    word |= ((block.code()[offset] & 0xff) | (block.code()[offset + 1] & 0xff) << 8) << 8;
                }
            }
            code[k] = (word & 0xffffffffL) | (long) operand(i.insn(), offset) << 32;
        }
        return code;
    }

    private static boolean covers(int insn) {
        return (insn & 0x7f) != 0x73;
    }

    /**
     * The operand of {@code insn} at byte {@code offset} into the block. A pc-relative one fits
     * in an int: U-type immediates are at most 2^31 - 4096 away and the offset is under 4096.
     */
    private static int operand(int insn, int offset) {
        return switch (insn & 0x7f) {
            case 0x37 -> insn & 0xfffff000;
            case 0x17 -> offset + (insn & 0xfffff000);
            case 0x6f -> offset + (int) Decoder.immJ(insn);
            case 0x63 -> offset + (int) Decoder.immB(insn);
            case 0x23 -> (int) Decoder.immS(insn);
            case 0x33, 0x3b -> (insn >>> 12) & 7; // the funct3 for MULDIV(W)
            case 0x2f, 0x07, 0x27, 0x43, 0x47, 0x4b, 0x4f, 0x53 -> insn;
            default -> insn >> 20; // I-type: loads, OP-IMM(-32) (shift amounts are masked), JALR
        };
    }

    private static int word(int insn) {
        int rd = (insn >>> 7) & 31;
        int rs1 = (insn >>> 15) & 31;
        int rs2 = (insn >>> 20) & 31;
        int f3 = (insn >>> 12) & 7;
        int f7 = insn >>> 25;
        int op = switch (insn & 0x7f) {
            case 0x37 -> LUI;
            case 0x17 -> AUIPC;
            case 0x6f -> rd == 0 ? J : JAL;
            case 0x67 -> rd == 0 ? JR : JALR;
            case 0x63 -> switch (f3) {
                case 0 -> BEQ;
                case 1 -> BNE;
                case 4 -> BLT;
                case 5 -> BGE;
                case 6 -> BLTU;
                default -> BGEU;
            };
            case 0x03 -> rd == 0 ? LOAD_X0 : LB + f3; // LB LH LW LD LBU LHU LWU in funct3 order
            case 0x23 -> SB + f3;
            case 0x13 -> switch (f3) {
                case 0 -> ADDI;
                case 1 -> SLLI;
                case 2 -> SLTI;
                case 3 -> SLTIU;
                case 4 -> XORI;
                case 5 -> (insn >>> 30) != 0 ? SRAI : SRLI;
                case 6 -> ORI;
                default -> ANDI;
            };
            case 0x1b -> switch (f3) {
                case 0 -> ADDIW;
                case 1 -> SLLIW;
                default -> f7 != 0 ? SRAIW : SRLIW;
            };
            case 0x33 -> f7 == 1 ? (f3 == 0 ? MUL : MULDIV) : switch (f3) {
                case 0 -> f7 != 0 ? SUB : ADD;
                case 1 -> SLL;
                case 2 -> SLT;
                case 3 -> SLTU;
                case 4 -> XOR;
                case 5 -> f7 != 0 ? SRA : SRL;
                case 6 -> OR;
                default -> AND;
            };
            case 0x3b -> f7 == 1 ? (f3 == 0 ? MULW : MULDIVW) : switch (f3) {
                case 0 -> f7 != 0 ? SUBW : ADDW;
                case 1 -> SLLW;
                default -> f7 != 0 ? SRAW : SRLW;
            };
            case 0x0f -> insn == PAUSE_ENCODING ? PAUSE : FENCE;
            case 0x2f -> ATOMIC;
            default -> FLOAT;
        };
        boolean writesOnlyX0 = rd == 0 && (op <= MULDIVW || op == AUIPC);
        if (op == LOAD_X0) {
            rd = f3;
        }
        if (op == FLOAT) {
            return FLOAT; // its fields hold the raw parcel, if any
        }
        return writesOnlyX0 ? NOP : op | rd << 8 | rs1 << 13 | rs2 << 18;
    }

    /** Link slots a block's words need: one per exit and one for its end. */
    public static int exitSlots(long[] code) {
        int slots = 1;
        for (long w : code) {
            int op = (int) w & 0xff;
            if (op >= J && op <= BGEU) {
                slots++;
            }
        }
        return slots;
    }

    /** The pc of instruction {@code k} of {@code code}, a block at {@code pc} (for traps: it adds up the lengths before it). */
    public static long pcOf(long pc, long[] code, int k) {
        long p = pc;
        for (int j = 0; j < k; j++) {
            p += (int) code[j] < 0 ? 2 : 4;
        }
        return p;
    }
}

package dev.jvmm.cpu.riscv.translate;

import dev.jvmm.cpu.riscv.Decoder;
import java.util.List;

/**
 * The warm tier's form of a basic block: its instructions decoded once into a dense operation
 * number, register fields and a ready operand, so the runtime's block interpreter runs them
 * without fetching, expanding compressed parcels or decoding again. Far cheaper to make than
 * a compiled block (no class, no HotSpot compile) and several times faster to run than the
 * interpreter; blocks too cold to compile run in this form.
 *
 * <p>Each instruction is one word in {@link #ops()}: operation (bits 0-7), rd (8-12), rs1
 * (13-17), rs2 (18-22), and bit 23 set when it is compressed (2 bytes long); and one long in
 * {@link #operands()}: the immediate, or for branches and jumps the absolute target, for LUI
 * and AUIPC the value, for {@link #GENERIC} the raw bits (high word) and expanded instruction
 * (low word) for the interpreter. Immutable once made.
 */
public final class DecodedBlock {

    /** Run by the interpreter's own decoder (FP, atomics, FENCE, FP CSR accesses, M's divisions). */
    public static final int GENERIC = 0;
    /** An ALU instruction that writes x0: no effect. */
    public static final int NOP = 1;
    /** LUI and AUIPC: rd = operand. */
    public static final int SET = 2;
    public static final int ADDI = 3, SLTI = 4, SLTIU = 5, XORI = 6, ORI = 7, ANDI = 8, SLLI = 9, SRLI = 10, SRAI = 11;
    public static final int ADDIW = 12, SLLIW = 13, SRLIW = 14, SRAIW = 15;
    public static final int ADD = 16, SUB = 17, SLL = 18, SLT = 19, SLTU = 20, XOR = 21, SRL = 22, SRA = 23, OR = 24,
            AND = 25, MUL = 26;
    public static final int ADDW = 27, SUBW = 28, SLLW = 29, SRLW = 30, SRAW = 31, MULW = 32;
    /** Loads: rd = memory[rs1 + operand] (rd is never x0: such loads are {@link #GENERIC}). */
    public static final int LB = 33, LH = 34, LW = 35, LD = 36, LBU = 37, LHU = 38, LWU = 39;
    /** Stores: memory[rs1 + operand] = rs2. */
    public static final int SB = 40, SH = 41, SW = 42, SD = 43;
    /** Branches to the absolute operand. */
    public static final int BEQ = 44, BNE = 45, BLT = 46, BGE = 47, BLTU = 48, BGEU = 49;
    /** JAL to the absolute operand; JALR to rs1 + operand (rd may be x0 for both). */
    public static final int JAL = 50, JALR = 51;

    private static final int COMPRESSED = 1 << 23;
    private static final int[] BRANCHES = {BEQ, BNE, GENERIC, GENERIC, BLT, BGE, BLTU, BGEU};
    private static final int[] LOADS = {LB, LH, LW, LD, LBU, LHU, LWU, GENERIC};
    private static final int[] STORES = {SB, SH, SW, SD, GENERIC, GENERIC, GENERIC, GENERIC};
    private static final int[] REGISTER_OPS = {ADD, SLL, SLT, SLTU, XOR, SRL, OR, AND};

    private final long pc;
    private final int[] ops;
    private final long[] operands;

    private DecodedBlock(long pc, int[] ops, long[] operands) {
        this.pc = pc;
        this.ops = ops;
        this.operands = operands;
    }

    /** Decodes {@code block}'s instructions (all {@link BlockDecoder#isTranslatable translatable}). */
    public static DecodedBlock of(GuestBlock block) {
        List<GuestBlock.Instruction> list = block.instructions();
        byte[] code = block.code();
        int[] ops = new int[list.size()];
        long[] operands = new long[list.size()];
        for (int k = 0; k < ops.length; k++) {
            GuestBlock.Instruction in = list.get(k);
            int insn = in.insn();
            int op = operationOf(insn);
            long operand = switch (op) {
                case GENERIC -> ((long) rawBits(code, (int) (in.pc() - block.pc()), in.length()) << 32)
                        | (insn & 0xffffffffL);
                case SET -> (insn & 0x7f) == 0x37 ? (long) (insn & 0xfffff000) : in.pc() + (insn & 0xfffff000);
                case BEQ, BNE, BLT, BGE, BLTU, BGEU -> in.pc() + Decoder.immB(insn);
                case JAL -> in.pc() + Decoder.immJ(insn);
                case SB, SH, SW, SD -> Decoder.immS(insn);
                default -> insn >> 20; // I-type immediate (shift amounts are masked when used)
            };
            ops[k] = op | (((insn >>> 7) & 31) << 8) | (((insn >>> 15) & 31) << 13) | (((insn >>> 20) & 31) << 18)
                    | (in.length() == 2 ? COMPRESSED : 0);
            operands[k] = operand;
        }
        return new DecodedBlock(block.pc(), ops, operands);
    }

    /** The operation of a translatable instruction. */
    private static int operationOf(int insn) {
        int rd = (insn >>> 7) & 31;
        int f3 = (insn >>> 12) & 7;
        int f7 = insn >>> 25;
        int op = switch (insn & 0x7f) {
            case 0x37, 0x17 -> SET;
            case 0x6f -> JAL;
            case 0x67 -> JALR;
            case 0x63 -> BRANCHES[f3];
            case 0x03 -> rd == 0 ? GENERIC : LOADS[f3];
            case 0x23 -> STORES[f3];
            case 0x13 -> switch (f3) {
                case 0 -> ADDI;
                case 1 -> SLLI;
                case 2 -> SLTI;
                case 3 -> SLTIU;
                case 4 -> XORI;
                case 5 -> (insn >>> 26) == 0 ? SRLI : SRAI;
                case 6 -> ORI;
                default -> ANDI;
            };
            case 0x1b -> switch (f3) {
                case 0 -> ADDIW;
                case 1 -> SLLIW;
                default -> f7 == 0 ? SRLIW : SRAIW;
            };
            case 0x33 -> switch (f7) {
                case 0 -> REGISTER_OPS[f3];
                case 0x20 -> f3 == 0 ? SUB : SRA;
                default -> f3 == 0 ? MUL : GENERIC;
            };
            case 0x3b -> switch (f7) {
                case 0 -> f3 == 0 ? ADDW : f3 == 1 ? SLLW : SRLW;
                case 0x20 -> f3 == 0 ? SUBW : SRAW;
                default -> f3 == 0 ? MULW : GENERIC;
            };
            default -> GENERIC;
        };
        boolean writesOnlyRd = op >= SET && op <= MULW;
        return writesOnlyRd && rd == 0 ? NOP : op;
    }

    /** The instruction's bits as fetched (the parcel of a compressed one), for mtval. */
    private static int rawBits(byte[] code, int at, int length) {
        int parcel = (code[at] & 0xff) | (code[at + 1] & 0xff) << 8;
        return length == 2 ? parcel : parcel | (code[at + 2] & 0xff) << 16 | (code[at + 3] & 0xff) << 24;
    }

    /** The pc of the first instruction. */
    public long pc() {
        return pc;
    }

    /** Instructions in the block. */
    public int length() {
        return ops.length;
    }

    /** One word per instruction (see the class comment); not to be modified. */
    public int[] ops() {
        return ops;
    }

    /** One operand per instruction (see the class comment); not to be modified. */
    public long[] operands() {
        return operands;
    }

    /** The operation number of an {@link #ops()} word. */
    public static int operation(int word) {
        return word & 0xff;
    }

    /** The length in bytes of the instruction of an {@link #ops()} word. */
    public static int length(int word) {
        return 4 - ((word >>> 22) & 2); // branch-free: 2 when the COMPRESSED bit is set
    }
}

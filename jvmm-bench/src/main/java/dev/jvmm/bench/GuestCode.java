package dev.jvmm.bench;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small RV64 assembler for the benchmarks' guest programs: the instructions they use, with
 * labels for branches and jumps, encoded as the ISA manual lays them out. The benchmarks need no
 * cross toolchain at run time this way; the tests compare the encodings with GNU as's.
 */
public final class GuestCode {

    // ABI register numbers.
    public static final int ZERO = 0, RA = 1, SP = 2, T0 = 5, T1 = 6, T2 = 7, S0 = 8, S1 = 9;
    public static final int A0 = 10, A1 = 11, A2 = 12, A3 = 13, A4 = 14, A5 = 15, A6 = 16, A7 = 17;
    public static final int S2 = 18, S3 = 19, S4 = 20;

    public static final int CSR_SATP = 0x180;

    private final long base;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<String, Long> labels = new HashMap<>();
    private final List<Fixup> fixups = new ArrayList<>();

    /** A branch or jump whose target label was not yet known where it was emitted. */
    private record Fixup(int offset, String label, boolean jal) {
    }

    /** Code that will be loaded at guest address {@code base}. */
    public GuestCode(long base) {
        this.base = base;
    }

    /** The guest address of the next instruction. */
    public long here() {
        return base + out.size();
    }

    public GuestCode label(String name) {
        if (labels.putIfAbsent(name, here()) != null) {
            throw new IllegalArgumentException("label defined twice: " + name);
        }
        return this;
    }

    public long address(String label) {
        Long a = labels.get(label);
        if (a == null) {
            throw new IllegalArgumentException("no label " + label);
        }
        return a;
    }

    /** The machine code, with every label reference resolved. */
    public byte[] bytes() {
        byte[] b = out.toByteArray();
        for (Fixup f : fixups) {
            long offset = address(f.label) - (base + f.offset);
            int word = readInt(b, f.offset) | (f.jal ? jImmediate(offset) : bImmediate(offset));
            writeInt(b, f.offset, word);
        }
        return b;
    }

    // ---- 32-bit formats ----

    public GuestCode word(int insn) {
        for (int i = 0; i < 4; i++) {
            out.write(insn >>> (8 * i));
        }
        return this;
    }

    public GuestCode parcel(int c) {
        out.write(c);
        out.write(c >>> 8);
        return this;
    }

    static int r(int funct7, int rs2, int rs1, int funct3, int rd, int opcode) {
        return (funct7 << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode;
    }

    static int i(long imm, int rs1, int funct3, int rd, int opcode) {
        checkSigned(imm, 12);
        return ((int) imm << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode;
    }

    static int s(long imm, int rs2, int rs1, int funct3, int opcode) {
        checkSigned(imm, 12);
        int v = (int) imm;
        return ((v >> 5) << 25) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | ((v & 31) << 7) | opcode;
    }

    static int bImmediate(long offset) {
        checkSigned(offset, 13);
        int v = (int) offset;
        return (((v >> 12) & 1) << 31) | (((v >> 5) & 0x3f) << 25) | (((v >> 1) & 0xf) << 8) | (((v >> 11) & 1) << 7);
    }

    static int jImmediate(long offset) {
        checkSigned(offset, 21);
        int v = (int) offset;
        return (((v >> 20) & 1) << 31) | (((v >> 1) & 0x3ff) << 21) | (((v >> 11) & 1) << 20) | (v & 0xff000);
    }

    private static void checkSigned(long v, int bits) {
        if (v < -(1L << (bits - 1)) || v >= (1L << (bits - 1))) {
            throw new IllegalArgumentException(v + " does not fit " + bits + " signed bits");
        }
    }

    // ---- RV64I and M ----

    public GuestCode lui(int rd, int imm20) {
        return word((imm20 << 12) | (rd << 7) | 0x37);
    }

    public GuestCode addi(int rd, int rs1, long imm) {
        return word(i(imm, rs1, 0, rd, 0x13));
    }

    public GuestCode addiw(int rd, int rs1, long imm) {
        return word(i(imm, rs1, 0, rd, 0x1b));
    }

    public GuestCode andi(int rd, int rs1, long imm) {
        return word(i(imm, rs1, 7, rd, 0x13));
    }

    public GuestCode slli(int rd, int rs1, int shamt) {
        return word(i(shamt & 63, rs1, 1, rd, 0x13));
    }

    public GuestCode srli(int rd, int rs1, int shamt) {
        return word(i(shamt & 63, rs1, 5, rd, 0x13));
    }

    public GuestCode add(int rd, int rs1, int rs2) {
        return word(r(0, rs2, rs1, 0, rd, 0x33));
    }

    public GuestCode xor(int rd, int rs1, int rs2) {
        return word(r(0, rs2, rs1, 4, rd, 0x33));
    }

    public GuestCode mul(int rd, int rs1, int rs2) {
        return word(r(1, rs2, rs1, 0, rd, 0x33));
    }

    public GuestCode ld(int rd, int rs1, long imm) {
        return word(i(imm, rs1, 3, rd, 0x03));
    }

    public GuestCode sd(int rs2, int rs1, long imm) {
        return word(s(imm, rs2, rs1, 3, 0x23));
    }

    public GuestCode sw(int rs2, int rs1, long imm) {
        return word(s(imm, rs2, rs1, 2, 0x23));
    }

    public GuestCode bne(int rs1, int rs2, String target) {
        return branch(1, rs1, rs2, target);
    }

    public GuestCode beq(int rs1, int rs2, String target) {
        return branch(0, rs1, rs2, target);
    }

    private GuestCode branch(int funct3, int rs1, int rs2, String target) {
        fixups.add(new Fixup(out.size(), target, false));
        return word((rs2 << 20) | (rs1 << 15) | (funct3 << 12) | 0x63);
    }

    public GuestCode jal(int rd, String target) {
        fixups.add(new Fixup(out.size(), target, true));
        return word((rd << 7) | 0x6f);
    }

    public GuestCode jalr(int rd, int rs1, long imm) {
        return word(i(imm, rs1, 0, rd, 0x67));
    }

    // ---- pseudo-instructions, as GNU as expands them ----

    public GuestCode j(String target) {
        return jal(ZERO, target);
    }

    public GuestCode call(String target) {
        return jal(RA, target);
    }

    public GuestCode ret() {
        return jalr(ZERO, RA, 0);
    }

    public GuestCode mv(int rd, int rs) {
        return addi(rd, rs, 0);
    }

    public GuestCode bnez(int rs, String target) {
        return bne(rs, ZERO, target);
    }

    public GuestCode beqz(int rs, String target) {
        return beq(rs, ZERO, target);
    }

    /** Loads any 64-bit constant: lui/addiw for 32-bit values, else the upper part shifted into place. */
    public GuestCode li(int rd, long value) {
        long lo = (value << 52) >> 52; // the low 12 bits, sign-extended
        if (value == (int) value) {
            long hi = ((value - lo) >>> 12) & 0xfffff;
            if (hi == 0) {
                return addi(rd, ZERO, lo);
            }
            lui(rd, (int) hi);
            return lo == 0 ? this : addiw(rd, rd, lo);
        }
        long upper = (value - lo) >> 12;
        int shift = 12 + Long.numberOfTrailingZeros(upper);
        li(rd, (value - lo) >> shift);
        slli(rd, rd, shift);
        return lo == 0 ? this : addi(rd, rd, lo);
    }

    // ---- system ----

    public GuestCode csrw(int csr, int rs1) {
        return word((csr << 20) | (rs1 << 15) | (1 << 12) | 0x73);
    }

    public GuestCode sfenceVma() {
        return word(0x12000073);
    }

    // ---- compressed (RV64C), for the decode stream ----

    public GuestCode cAddi(int rd, int imm) {
        return parcel(ci(0, imm, rd, 1));
    }

    public GuestCode cLi(int rd, int imm) {
        return parcel(ci(2, imm, rd, 1));
    }

    public GuestCode cSlli(int rd, int shamt) {
        return parcel(ci(0, shamt, rd, 2));
    }

    public GuestCode cMv(int rd, int rs2) {
        return parcel((0b1000 << 12) | (rd << 7) | (rs2 << 2) | 2);
    }

    public GuestCode cAdd(int rd, int rs2) {
        return parcel((0b1001 << 12) | (rd << 7) | (rs2 << 2) | 2);
    }

    /** c.ldsp: offset a multiple of 8, 0..504. */
    public GuestCode cLdsp(int rd, int offset) {
        return parcel((3 << 13) | (((offset >> 5) & 1) << 12) | (rd << 7) | (((offset >> 3) & 3) << 5)
                | (((offset >> 6) & 7) << 2) | 2);
    }

    /** c.sdsp: offset a multiple of 8, 0..504. */
    public GuestCode cSdsp(int rs2, int offset) {
        return parcel((7 << 13) | (((offset >> 3) & 7) << 10) | (((offset >> 6) & 7) << 7) | (rs2 << 2) | 2);
    }

    /** c.ld rd', offset(rs1'): registers x8-x15, offset a multiple of 8, 0..248. */
    public GuestCode cLd(int rd, int rs1, int offset) {
        return parcel((3 << 13) | (((offset >> 3) & 7) << 10) | (compressedRegister(rs1) << 7)
                | (((offset >> 6) & 3) << 5) | (compressedRegister(rd) << 2));
    }

    private static int ci(int funct3, int imm, int rd, int op) {
        return (funct3 << 13) | (((imm >> 5) & 1) << 12) | (rd << 7) | ((imm & 31) << 2) | op;
    }

    private static int compressedRegister(int r) {
        if (r < 8 || r > 15) {
            throw new IllegalArgumentException("x" + r + " has no 3-bit compressed form");
        }
        return r - 8;
    }

    private static int readInt(byte[] b, int o) {
        return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8 | (b[o + 2] & 0xff) << 16 | (b[o + 3] & 0xff) << 24;
    }

    private static void writeInt(byte[] b, int o, int v) {
        for (int k = 0; k < 4; k++) {
            b[o + k] = (byte) (v >>> (8 * k));
        }
    }
}

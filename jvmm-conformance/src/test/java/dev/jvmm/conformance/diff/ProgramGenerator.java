package dev.jvmm.conformance.diff;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates random but valid RV64GC programs from a seed: integer ALU (incl. W forms), M, loads and
 * stores inside the data region, forward branches and jumps, F/D arithmetic in every rounding mode
 * with awkward operands, CSR accesses to fflags/frm/fcsr/mscratch, AMOs and LR/SC, compressed
 * instructions, and a few instructions that trap in ways the spec pins down.
 *
 * <p>What is deliberately left out, because the spec lets implementations differ (or QEMU 7.2, the
 * reference, is known to be wrong): misaligned loads, stores, AMOs and LR (may succeed or trap, and
 * with either cause), counters (cycle/time/instret), mtval of ebreak (the runtime logs 0), LR/SC
 * other than an LR immediately followed by its SC, AMOs and SCs to unmapped addresses (QEMU 7.2 reports
 * an AMO access fault as a load fault, cause 5, where the spec says 7), HINT encodings.
 *
 * <p>Register roles: tp holds the runtime frame, s0 = DATA_BASE + 0x800 and s1 = DATA_BASE + 0x8800
 * are data-region bases, gp and t6 are the trace's scratch (see BatchSource); the random code never
 * writes these five.
 */
final class ProgramGenerator {

    static final long DATA_BASE = 0x8040_0000L;
    static final int DATA_SIZE = 0x1_0000;
    static final int S0_OFFSET = 0x800;
    static final int S1_OFFSET = 0x8800;
    /** Unmapped on both boards (DRAM is 128 MiB from 0x8000_0000; nothing else lives here). */
    static final long UNMAPPED = 0x9000_0000L;

    private static final int[] INT_WRITABLE = {1, 2, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
        20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30};
    /** Compressed rd' registers the random code may write (x8, x9 are the bases). */
    private static final int[] C_WRITABLE = {10, 11, 12, 13, 14, 15};
    private static final String[] RM = {"rne", "rtz", "rdn", "rup", "rmm", "dyn"};

    private static final long[] INT_VALUES = {0, 1, -1, 2, -2, 0x7fff_ffffL, 0x8000_0000L, 0xffff_ffffL,
        -0x8000_0000L, 0x1_0000_0000L, Long.MAX_VALUE, Long.MIN_VALUE, 0x7ff, -0x800, 31, 32, 63, 64,
        0x8000_0000_0000_0001L, 0xffff_ffff_7fff_ffffL};

    private static final long[] DOUBLE_BITS = {
        0L, 0x8000_0000_0000_0000L,                              // +-0
        0x7ff0_0000_0000_0000L, 0xfff0_0000_0000_0000L,          // +-inf
        0x7ff8_0000_0000_0000L, 0xfff8_0000_0000_0000L,          // quiet NaNs
        0x7ff0_0000_0000_0001L, 0x7ff4_dead_beef_0001L,          // signaling NaNs
        0x7ff8_0000_dead_beefL,                                  // quiet NaN with payload
        1L, 0x800f_ffff_ffff_ffffL, 0x0010_0000_0000_0000L,      // subnormals, min normal
        0x7fef_ffff_ffff_ffffL, 0xffef_ffff_ffff_ffffL,          // +-max finite
        bits(1.0), bits(-1.0), bits(0.5), bits(1.5), bits(2.5), bits(-2.5), bits(3.0), bits(0.1),
        bits(1.0 / 3), bits(2147483647.5), bits(-2147483648.5), bits(2147483648.0), bits(-2147483649.0),
        bits(4294967295.5), bits(4294967296.0), bits(9.223372036854775807E18), bits(-9.223372036854775808E18),
        bits(1.8446744073709552E19), bits(1e300), bits(1e-300), bits(-0.75), bits(1e-310),
    };

    private static final int[] FLOAT_BITS = {
        0, 0x8000_0000, 0x7f80_0000, 0xff80_0000, 0x7fc0_0000, 0xffc0_0000, 0x7f80_0001, 0x7fa0_beef,
        0x7fc0_dead, 1, 0x807f_ffff, 0x0080_0000, 0x7f7f_ffff, 0xff7f_ffff,
        fbits(1f), fbits(-1f), fbits(0.5f), fbits(1.5f), fbits(2.5f), fbits(-2.5f), fbits(0.1f), fbits(3f),
        fbits(2147483648f), fbits(-2147483648f), fbits(4294967296f), fbits(9.223372E18f), fbits(-9.223372E18f),
        fbits(1.8446744E19f), fbits(1e30f), fbits(1e-30f), fbits(1e-40f), fbits(-0.75f),
    };

    private final SplittableRandom rnd;
    private final List<Unit> units = new ArrayList<>();
    private final long[] hotOffsets = new long[24];
    private int length;

    private ProgramGenerator(long seed) {
        // Mixed first: SplittableRandom's streams for seeds a gamma apart are shifts of each other.
        this.rnd = new SplittableRandom(mix(seed));
    }

    /** The program for {@code seed} with {@code length} random units; equal arguments give equal programs. */
    static RandomProgram generate(long seed, int length) {
        ProgramGenerator g = new ProgramGenerator(seed);
        return g.build(seed, length);
    }

    private RandomProgram build(long seed, int n) {
        length = n;
        long memorySeed = rnd.nextLong() | 1;
        for (int i = 0; i < hotOffsets.length; i++) {
            long region = switch (i % 3) {
                case 0 -> 0;                  // reachable from s0
                case 1 -> 0x8000;             // reachable from s1
                default -> rnd.nextInt(DATA_SIZE / 0x1000) * 0x1000L;
            };
            hotOffsets[i] = region + rnd.nextInt(0x1000 / 8) * 8L;
        }
        List<String> setup = new ArrayList<>();
        for (long off : hotOffsets) {
            setup.add("li t0, " + memoryValue());
            setup.add("li t1, " + (DATA_BASE + off));
            setup.add("sd t0, 0(t1)");
        }
        for (int f = 0; f < 32; f++) {
            setup.add("li t0, " + fpValue());
            setup.add("fmv.d.x f" + f + ", t0");
        }
        setup.add("li t0, " + ((rnd.nextInt(5) << 5) | (rnd.nextBoolean() ? 0 : rnd.nextInt(32))));
        setup.add("csrw fcsr, t0");
        setup.add("li t0, " + rnd.nextLong());
        setup.add("csrw mscratch, t0");
        setup.add("li s0, " + (DATA_BASE + S0_OFFSET));
        setup.add("li s1, " + (DATA_BASE + S1_OFFSET));
        for (int r : INT_WRITABLE) {
            setup.add("li x" + r + ", " + intValue());
        }
        for (int i = 0; i < n; i++) {
            units.add(nextUnit(i));
        }
        return new RandomProgram(seed, memorySeed, setup, units);
    }

    // ---- choosing the next unit ----

    private Unit nextUnit(int i) {
        int w = rnd.nextInt(160);
        if (w < 14) return intRegReg();
        if (w < 24) return intRegImm();
        if (w < 27) return upperImm();
        if (w < 36) return mulDiv();
        if (w < 41) {
            int rd = wr();
            return Unit.of("li x" + rd, "li x" + rd + ", " + intValue());
        }
        if (w < 50) return load();
        if (w < 57) return store();
        if (w < 61) return fpLoadStore();
        if (w < 67) return branch(i);
        if (w < 70) return jump(i);
        if (w < 84) return fpArith();
        if (w < 90) return fpValueUnit();
        if (w < 97) return fpConvert();
        if (w < 106) return fpMisc();
        if (w < 111) return csr();
        if (w < 116) return amo();
        if (w < 119) return lrsc();
        if (w < 134) return compressed(i);
        if (w < 137) return trap();
        if (w < 139) return Unit.of(rnd.nextBoolean() ? "fence" : "fence.i");
        return w < 150 ? intRegReg() : fpArith();
    }

    // ---- integer ----

    private Unit intRegReg() {
        String op = pick("add", "sub", "sll", "slt", "sltu", "xor", "srl", "sra", "or", "and",
                "addw", "subw", "sllw", "srlw", "sraw");
        return Unit.of(op + " x" + wrOrZero() + ", x" + any() + ", x" + any());
    }

    private Unit intRegImm() {
        String op = pick("addi", "slti", "sltiu", "xori", "ori", "andi", "slli", "srli", "srai",
                "addiw", "slliw", "srliw", "sraiw");
        long imm = switch (op) {
            case "slli", "srli", "srai" -> rnd.nextInt(64);
            case "slliw", "srliw", "sraiw" -> rnd.nextInt(32);
            default -> imm12();
        };
        return Unit.of(op + " x" + wrOrZero() + ", x" + any() + ", " + imm);
    }

    private Unit upperImm() {
        String op = rnd.nextBoolean() ? "lui" : "auipc";
        int imm = rnd.nextInt(4) == 0 ? pickInt(0, 1, 0x7ffff, 0x80000, 0xfffff) : rnd.nextInt(1 << 20);
        return Unit.of(op + " x" + wr() + ", " + imm);
    }

    private Unit mulDiv() {
        String op = pick("mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu",
                "mulw", "divw", "divuw", "remw", "remuw");
        return Unit.of(op + " x" + wrOrZero() + ", x" + any() + ", x" + any());
    }

    // ---- memory ----

    /** A data-region offset aligned to {@code size}, often one of the program's hot words. */
    private long dataOffset(int size) {
        long off = rnd.nextInt(5) < 3
                ? hotOffsets[rnd.nextInt(hotOffsets.length)] + rnd.nextInt(8 / size) * (long) size
                : rnd.nextInt(DATA_SIZE / size) * (long) size;
        return off;
    }

    /** Lines computing the access and the "disp(base)" operand for offset {@code off} into the region. */
    private String address(List<String> lines, long off, int size) {
        if (off < 0x1000 && rnd.nextInt(4) != 0) {
            return (off - S0_OFFSET) + "(s0)";
        }
        if (off >= 0x8000 && off < 0x9000 && rnd.nextInt(4) != 0) {
            return (off - S1_OFFSET) + "(s1)";
        }
        int base = wr();
        long disp = (rnd.nextInt(4096) - 2048) / size * (long) size;
        lines.add("li x" + base + ", " + (DATA_BASE + off - disp));
        return disp + "(x" + base + ")";
    }

    private Unit load() {
        String op = pick("lb", "lbu", "lh", "lhu", "lw", "lwu", "ld");
        int size = sizeOf(op);
        List<String> lines = new ArrayList<>();
        String addr = address(lines, dataOffset(size), size);
        String insn = op + " x" + (rnd.nextInt(20) == 0 ? 0 : wr()) + ", " + addr;
        lines.add(insn);
        return new Unit(insn, lines, -1);
    }

    private Unit store() {
        String op = pick("sb", "sh", "sw", "sd");
        int size = sizeOf(op);
        List<String> lines = new ArrayList<>();
        String addr = address(lines, dataOffset(size), size);
        String insn = op + " x" + any() + ", " + addr;
        lines.add(insn);
        return new Unit(insn, lines, -1);
    }

    private Unit fpLoadStore() {
        String op = pick("flw", "fld", "fsw", "fsd");
        int size = op.endsWith("w") ? 4 : 8;
        List<String> lines = new ArrayList<>();
        String addr = address(lines, dataOffset(size), size);
        String insn = op + " f" + freg() + ", " + addr;
        lines.add(insn);
        return new Unit(insn, lines, -1);
    }

    private static int sizeOf(String op) {
        return switch (op.charAt(op.length() - 1) == 'u' ? op.charAt(op.length() - 2) : op.charAt(op.length() - 1)) {
            case 'b' -> 1;
            case 'h' -> 2;
            case 'w' -> 4;
            default -> 8;
        };
    }

    // ---- control flow ----

    /** A later unit index, 2..maxSkip+1 ahead (so at least one unit is skipped), at most the end. */
    private int forward(int i, int maxSkip) {
        return Math.min(length, i + 2 + rnd.nextInt(maxSkip));
    }

    private Unit branch(int i) {
        String op = pick("beq", "bne", "blt", "bge", "bltu", "bgeu");
        int a = any();
        int b = rnd.nextInt(4) == 0 ? a : any();
        String insn = op + " x" + a + ", x" + b + ", " + Unit.TARGET;
        return new Unit(insn, List.of(insn), forward(i, 6));
    }

    private Unit jump(int i) {
        int target = forward(i, 6);
        int rd = rnd.nextInt(5) == 0 ? 0 : wr();
        if (rnd.nextBoolean()) {
            String insn = "jal x" + rd + ", " + Unit.TARGET;
            return new Unit(insn, List.of(insn), target);
        }
        int base = wr();
        int disp = rnd.nextInt(64) * 2 - 64;
        String insn = "jalr x" + rd + ", " + disp + "(x" + base + ")";
        return new Unit(insn, List.of("la x" + base + ", " + Unit.TARGET,
                "addi x" + base + ", x" + base + ", " + (-disp), insn), target);
    }

    // ---- floating point ----

    private String rm() {
        return RM[rnd.nextInt(RM.length)];
    }

    private Unit fpArith() {
        String p = rnd.nextBoolean() ? ".s" : ".d";
        int k = rnd.nextInt(10);
        String d = "f" + freg();
        String a = "f" + freg();
        String b = "f" + freg();
        if (k < 5) {
            String op = pick("fadd", "fsub", "fmul", "fdiv", "fdiv");
            return Unit.of(op + p + " " + d + ", " + a + ", " + b + ", " + rm());
        }
        if (k < 6) {
            return Unit.of("fsqrt" + p + " " + d + ", " + a + ", " + rm());
        }
        String op = pick("fmadd", "fmsub", "fnmadd", "fnmsub");
        return Unit.of(op + p + " " + d + ", " + a + ", " + b + ", f" + freg() + ", " + rm());
    }

    private Unit fpValueUnit() {
        int t = wr();
        int f = freg();
        if (rnd.nextBoolean()) {
            return Unit.of("fmv.w.x f" + f + " (interesting)", "li x" + t + ", " + FLOAT_BITS[rnd.nextInt(FLOAT_BITS.length)],
                    "fmv.w.x f" + f + ", x" + t);
        }
        return Unit.of("fmv.d.x f" + f + " (interesting)", "li x" + t + ", " + DOUBLE_BITS[rnd.nextInt(DOUBLE_BITS.length)],
                "fmv.d.x f" + f + ", x" + t);
    }

    private Unit fpConvert() {
        String p = rnd.nextBoolean() ? "s" : "d";
        int k = rnd.nextInt(9);
        if (k < 4) {
            String to = pick("w", "wu", "l", "lu");
            return Unit.of("fcvt." + to + "." + p + " x" + wrOrZero() + ", f" + freg() + ", " + rm());
        }
        if (k < 7) {
            String from = pick("w", "wu", "l", "lu");
            boolean exact = p.equals("d") && from.startsWith("w");   // binutils takes no rm for these
            if (exact && rnd.nextInt(3) == 0) {
                // the same with rm = dyn, so that an invalid frm must trap here too
                int fd = freg();
                int rs = any();
                return Unit.of("fcvt.d." + from + " f" + fd + ", x" + rs + ", dyn", ".insn r 0x53, 7, 0x69, f" + fd
                        + ", x" + rs + ", x" + (from.equals("w") ? 0 : 1));
            }
            return Unit.of("fcvt." + p + "." + from + " f" + freg() + ", x" + any() + (exact ? "" : ", " + rm()));
        }
        if (p.equals("s")) {
            return Unit.of("fcvt.s.d f" + freg() + ", f" + freg() + ", " + rm());
        }
        if (rnd.nextInt(3) == 0) {
            int fd = freg();
            int fs = freg();
            return Unit.of("fcvt.d.s f" + fd + ", f" + fs + ", dyn", ".insn r 0x53, 7, 0x21, f" + fd + ", f" + fs + ", x0");
        }
        return Unit.of("fcvt.d.s f" + freg() + ", f" + freg());
    }

    private Unit fpMisc() {
        String p = rnd.nextBoolean() ? ".s" : ".d";
        int k = rnd.nextInt(12);
        if (k < 4) {
            String op = pick("fmin", "fmax", "fsgnj", "fsgnjn", "fsgnjx");
            return Unit.of(op + p + " f" + freg() + ", f" + freg() + ", f" + freg());
        }
        if (k < 7) {
            String op = pick("feq", "flt", "fle");
            return Unit.of(op + p + " x" + wrOrZero() + ", f" + freg() + ", f" + freg());
        }
        if (k < 8) {
            return Unit.of("fclass" + p + " x" + wr() + ", f" + freg());
        }
        String w = p.equals(".s") ? "w" : "d";
        if (k < 10) {
            return Unit.of("fmv.x." + w + " x" + wr() + ", f" + freg());
        }
        return Unit.of("fmv." + w + ".x f" + freg() + ", x" + any());
    }

    private Unit csr() {
        String csr = pick("fflags", "frm", "fcsr", "mscratch", "fflags", "fcsr");
        int rd = rnd.nextInt(6) == 0 ? 0 : wr();
        List<String> lines = new ArrayList<>();
        int k = rnd.nextInt(7);
        String insn;
        if (k == 3) {
            insn = "csrrs x" + rd + ", " + csr + ", x0";                  // a pure read
        } else if (k > 3) {
            insn = pick("csrrwi", "csrrsi", "csrrci") + " x" + rd + ", " + csr + ", " + rnd.nextInt(32);
        } else {
            int src = any();
            if (!csr.equals("mscratch") && rnd.nextInt(3) != 0) {
                src = wr();                                              // a value that leaves frm valid, mostly
                long v = csr.equals("frm") ? pickRounding() : (pickRounding() << 5) | rnd.nextInt(32);
                lines.add("li x" + src + ", " + v);
            }
            insn = pick("csrrw", "csrrs", "csrrc") + " x" + rd + ", " + csr + ", x" + src;
        }
        lines.add(insn);
        if ((csr.equals("frm") || csr.equals("fcsr")) && k != 3) {
            // frm may now be one of the reserved 5..7: a dynamic-rounding op must then trap; make it valid again
            lines.add("fadd.d f" + freg() + ", f" + freg() + ", f" + freg() + ", dyn");
            lines.add("fsrmi x0, " + rnd.nextInt(5));
        }
        return new Unit(insn, lines, -1);
    }

    /** A rounding mode for frm: valid mostly, sometimes one of the reserved 5..7. */
    private long pickRounding() {
        return rnd.nextInt(8) == 0 ? 5 + rnd.nextInt(3) : rnd.nextInt(5);
    }

    // ---- atomics ----

    private Unit amo() {
        String w = rnd.nextBoolean() ? ".w" : ".d";
        int size = w.equals(".w") ? 4 : 8;
        String op = pick("amoswap", "amoadd", "amoxor", "amoand", "amoor", "amomin", "amomax", "amominu", "amomaxu");
        String order = pick("", "", ".aq", ".rl", ".aqrl");
        int base = wr();
        String insn = op + w + order + " x" + wrOrZero() + ", x" + any() + ", (x" + base + ")";
        return Unit.of(insn, "li x" + base + ", " + (DATA_BASE + dataOffset(size)), insn);
    }

    private Unit lrsc() {
        String w = rnd.nextBoolean() ? ".w" : ".d";
        int size = w.equals(".w") ? 4 : 8;
        int base = wr();
        int scRd = wr();
        List<String> lines = new ArrayList<>();
        lines.add("li x" + base + ", " + (DATA_BASE + dataOffset(size)));
        String insn;
        if (rnd.nextInt(4) == 0) {
            // no reservation is held (every SC clears it): this SC must fail and not write
            insn = "sc" + w + " x" + scRd + ", x" + any() + ", (x" + base + ") without lr";
        } else {
            int lrRd;
            do {
                lrRd = wr();
            } while (lrRd == base);
            lines.add("lr" + w + pick("", ".aq", ".aqrl") + " x" + lrRd + ", (x" + base + ")");
            insn = "lr" + w + "/sc" + w;
        }
        lines.add("sc" + w + pick("", ".rl", ".aqrl") + " x" + scRd + ", x" + any() + ", (x" + base + ")");
        lines.add("snez x" + scRd + ", x" + scRd);   // the failure code's value is not specified, only nonzero
        return new Unit(insn, lines, -1, "x" + scRd);
    }

    // ---- compressed ----

    private Unit compressed(int i) {
        List<String> lines = new ArrayList<>();
        int target = -1;
        String insn;
        int k = rnd.nextInt(26);
        switch (k) {
            case 0 -> insn = "c.addi x" + wr() + ", " + nz6();
            case 1 -> insn = "c.addiw x" + wr() + ", " + (rnd.nextInt(64) - 32);
            case 2 -> insn = "c.li x" + wr() + ", " + (rnd.nextInt(64) - 32);
            case 3 -> {
                int rd;
                do {
                    rd = wr();
                } while (rd == 2);
                insn = "c.lui x" + rd + ", " + (rnd.nextBoolean() ? 1 + rnd.nextInt(31) : 0xfffe0 + rnd.nextInt(32));
            }
            case 4 -> insn = "c.slli x" + wr() + ", " + (1 + rnd.nextInt(63));
            case 5 -> insn = (rnd.nextBoolean() ? "c.srli" : "c.srai") + " x" + cwr() + ", " + (1 + rnd.nextInt(63));
            case 6 -> insn = "c.andi x" + cwr() + ", " + (rnd.nextInt(64) - 32);
            case 7 -> insn = "c.mv x" + wr() + ", x" + nonZero();
            case 8 -> insn = "c.add x" + wr() + ", x" + nonZero();
            case 9, 10 -> insn = pick("c.sub", "c.xor", "c.or", "c.and", "c.subw", "c.addw")
                    + " x" + cwr() + ", x" + (8 + rnd.nextInt(8));
            case 11, 12 -> {
                boolean dword = rnd.nextBoolean();
                int size = dword ? 8 : 4;
                boolean useS1 = rnd.nextBoolean();
                int off = rnd.nextInt(dword ? 32 : 32) * size;
                String base = useS1 ? "x9" : "x8";
                String kind = rnd.nextBoolean() ? "l" : "s";
                String reg = kind.equals("l") ? "x" + cwr() : "x" + (8 + rnd.nextInt(8));
                insn = "c." + kind + (dword ? "d" : "w") + " " + reg + ", " + off + "(" + base + ")";
            }
            case 13 -> {
                String op = pick("c.fld", "c.fsd");
                insn = op + " f" + (8 + rnd.nextInt(8)) + ", " + rnd.nextInt(32) * 8 + "(x" + (8 + rnd.nextInt(2)) + ")";
            }
            case 14, 15 -> {
                // sp-relative: point sp into the region first
                String op = pick("c.lwsp", "c.ldsp", "c.swsp", "c.sdsp", "c.fldsp", "c.fsdsp");
                int size = op.contains("w") ? 4 : 8;
                int off = rnd.nextInt(64) * size;
                lines.add("li x2, " + (DATA_BASE + (dataOffset(8) & ~0x1ff)));
                String reg = op.contains("f") ? "f" + freg()
                        : op.startsWith("c.l") ? "x" + wr() : "x" + any();
                insn = op + " " + reg + ", " + off + "(x2)";
            }
            case 16 -> insn = "c.addi16sp x2, " + nz6() * 16;
            case 17 -> insn = "c.addi4spn x" + cwr() + ", x2, " + (1 + rnd.nextInt(255)) * 4;
            case 18 -> {
                insn = "c.j " + Unit.TARGET;
                target = forward(i, 6);
            }
            case 19, 20 -> {
                insn = (rnd.nextBoolean() ? "c.beqz" : "c.bnez") + " x" + (8 + rnd.nextInt(8)) + ", " + Unit.TARGET;
                target = forward(i, 2);
            }
            case 21 -> {
                int reg = wr();
                target = forward(i, 4);
                lines.add("la x" + reg + ", " + Unit.TARGET);
                insn = (rnd.nextBoolean() ? "c.jr" : "c.jalr") + " x" + reg;
            }
            case 22 -> insn = "c.nop";
            default -> insn = pick("c.add", "c.mv") + " x" + wr() + ", x" + nonZero();
        }
        lines.add(".option rvc");
        lines.add(insn);
        lines.add(".option norvc");
        return new Unit(insn, lines, target);
    }

    // ---- instructions that trap, with causes and mtval the spec fixes ----

    private Unit trap() {
        int k = rnd.nextInt(8);
        return switch (k) {
            case 0 -> Unit.of("ecall");
            case 1 -> Unit.of("ebreak");
            case 2 -> Unit.of("c.ebreak", ".option rvc", "c.ebreak", ".option norvc");
            case 3 -> Unit.of("custom-0 (illegal)", ".word " + (0x0b | rnd.nextInt(1 << 25) << 7));
            case 4 -> Unit.of("c.unimp (illegal)", ".hword 0");
            case 5 -> {
                // reserved static rounding mode 5 or 6 on fadd.d: illegal
                int word = 0x0200_0053 | (5 + rnd.nextInt(2)) << 12 | freg() << 7 | freg() << 15 | freg() << 20;
                yield Unit.of("fadd.d with reserved rm", ".word " + word);
            }
            case 6 -> {
                int base = wr();
                String op = pick("lb", "lh", "lw", "ld", "lbu", "flw", "fld");
                String reg = op.startsWith("f") ? "f" + freg() : "x" + wr();
                String insn = op + " " + reg + ", 0(x" + base + ") unmapped";
                yield Unit.of(insn, "li x" + base + ", " + (UNMAPPED + rnd.nextInt(0x1000) * 8L),
                        op + " " + reg + ", 0(x" + base + ")");
            }
            default -> {
                int base = wr();
                String op = pick("sb", "sh", "sw", "sd");
                String insn = op + " x" + any() + ", 0(x" + base + ")";
                yield Unit.of(insn + " unmapped", "li x" + base + ", " + (UNMAPPED + rnd.nextInt(0x1000) * 8L), insn);
            }
        };
    }

    // ---- values and registers ----

    private long intValue() {
        return switch (rnd.nextInt(4)) {
            case 0 -> INT_VALUES[rnd.nextInt(INT_VALUES.length)];
            case 1 -> (long) rnd.nextInt();                    // sign-extended 32-bit
            case 2 -> rnd.nextInt(2001) - 1000;
            default -> rnd.nextLong();
        };
    }

    private long fpValue() {
        return switch (rnd.nextInt(4)) {
            case 0, 1 -> DOUBLE_BITS[rnd.nextInt(DOUBLE_BITS.length)];
            case 2 -> 0xffff_ffff_0000_0000L | (FLOAT_BITS[rnd.nextInt(FLOAT_BITS.length)] & 0xffff_ffffL);
            default -> rnd.nextInt(8) == 0 ? rnd.nextLong()   // raw bits (a single from it is not NaN-boxed)
                    : bits(rnd.nextDouble() * 1000 - 500);
        };
    }

    private long memoryValue() {
        return switch (rnd.nextInt(3)) {
            case 0 -> intValue();
            case 1 -> DOUBLE_BITS[rnd.nextInt(DOUBLE_BITS.length)];
            default -> (FLOAT_BITS[rnd.nextInt(FLOAT_BITS.length)] & 0xffff_ffffL)
                    | ((long) FLOAT_BITS[rnd.nextInt(FLOAT_BITS.length)] << 32);
        };
    }

    private long imm12() {
        return rnd.nextInt(4) == 0 ? pickInt(0, 1, -1, 2047, -2048) : rnd.nextInt(4096) - 2048;
    }

    private int nz6() {
        int v = rnd.nextInt(63) - 32;
        return v >= 0 ? v + 1 : v;
    }

    private int wr() {
        return INT_WRITABLE[rnd.nextInt(INT_WRITABLE.length)];
    }

    private int wrOrZero() {
        return rnd.nextInt(25) == 0 ? 0 : wr();
    }

    private int cwr() {
        return C_WRITABLE[rnd.nextInt(C_WRITABLE.length)];
    }

    private int any() {
        return rnd.nextInt(32);
    }

    private int nonZero() {
        return 1 + rnd.nextInt(31);
    }

    private int freg() {
        return rnd.nextInt(32);
    }

    private String pick(String... options) {
        return options[rnd.nextInt(options.length)];
    }

    private int pickInt(int... options) {
        return options[rnd.nextInt(options.length)];
    }

    /** MurmurHash3's 64-bit finalizer: neighbouring seeds give unrelated values. */
    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51_afd7_ed55_8ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ce_b9fe_1a85_ec53L;
        return z ^ (z >>> 33);
    }

    private static long bits(double d) {
        return Double.doubleToRawLongBits(d);
    }

    private static int fbits(float f) {
        return Float.floatToRawIntBits(f);
    }
}

package dev.jvmm.cpu.riscv.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Random F/D programs run in a counted loop on the interpreter and on the translator tier in
 * lockstep, with random run budgets: every F and D operation in both formats on special
 * operands (NaNs including signalling and improperly NaN-boxed singles, infinities, signed
 * zeros, subnormals, extremes, integers at the conversion edges), every static rounding mode,
 * the dynamic mode with frm set to valid and invalid values, fflags reads and writes, mstatus.FS
 * switched between Off, Initial and Dirty, FP loads and stores (misaligned, page-crossing,
 * faulting) and illegal FP encodings. A trap handler skips whatever traps. The translator
 * compiles single blocks or regions (forward branches give a region several paths to its FP
 * instructions).
 */
class RandomFloatProgramLockstepTest {

    private static final long BASE = Lockstep.RAM_BASE;
    private static final long DATA = BASE + 0x11000; // x30; accesses reach both neighbouring pages
    private static final int COUNTER = 31;
    private static final int DATA_REG = 30;
    private static final int FS_INITIAL_REG = 29; // holds 0x2000
    private static final int HANDLER_TMP = 28;
    private static final int FS_MASK_REG = 27; // holds 0x6000
    private static final int FS_HIGH_REG = 26; // holds 0x4000
    private static final int DESTS = 26; // x0..x25 may be written by the body

    /** 64-bit patterns the f registers and memory are filled with. */
    private static final long[] SPECIALS = {
        0L, 0x8000_0000_0000_0000L, // +-0
        0x7ff0_0000_0000_0000L, 0xfff0_0000_0000_0000L, // +-inf
        0x7ff8_0000_0000_0000L, 0x7ff0_0000_0000_0001L, 0xfff8_0000_0000_0123L, 0x7ff4_0000_0000_0000L, // NaNs
        1L, 0x000f_ffff_ffff_ffffL, 0x8000_0000_0000_0001L, 0x0010_0000_0000_0000L, // subnormals, min normal
        0x7fef_ffff_ffff_ffffL, 0xffef_ffff_ffff_ffffL, // +-max
        0x3ff0_0000_0000_0000L, 0xbff8_0000_0000_0000L, 0x3fb9_9999_9999_999aL, // 1, -1.5, 0.1
        0x43e0_0000_0000_0000L, 0xc3e0_0000_0000_0000L, 0x43f0_0000_0000_0000L, // 2^63, -2^63, 2^64
        0x41df_ffff_ffe0_0000L, 0x41ef_ffff_ffff_0000L, 0xc1e0_0000_0020_0000L, // near 2^31, 2^32, -2^31
        0x3fe0_0000_0000_0000L, 0xbfe0_0000_0000_0000L, 0x4004_0000_0000_0000L, // 0.5, -0.5, 2.5
        0x4340_0000_0000_0001L, 0x3ff0_0000_0000_0001L, 0x0000_0000_0000_0003L,
        // NaN-boxed singles
        0xffff_ffff_0000_0000L, 0xffff_ffff_8000_0000L, 0xffff_ffff_7f80_0000L, 0xffff_ffff_ff80_0000L,
        0xffff_ffff_7fc0_0000L, 0xffff_ffff_7f80_0001L, 0xffff_ffff_ffc0_1234L, 0xffff_ffff_7fa0_0000L,
        0xffff_ffff_0000_0001L, 0xffff_ffff_007f_ffffL, 0xffff_ffff_0080_0000L, 0xffff_ffff_8000_0001L,
        0xffff_ffff_7f7f_ffffL, 0xffff_ffff_ff7f_ffffL, 0xffff_ffff_3f80_0000L, 0xffff_ffff_3dcc_cccdL,
        0xffff_ffff_4f00_0000L, 0xffff_ffff_cf00_0000L, 0xffff_ffff_4f80_0000L, 0xffff_ffff_5f00_0000L,
        0xffff_ffff_3f00_0000L, 0xffff_ffff_4020_0000L, 0xffff_ffff_4b80_0001L, 0xffff_ffff_3f80_0001L,
        // improperly boxed singles (read as the canonical NaN)
        0x0000_0000_3f80_0000L, 0xffff_fffe_3f80_0000L, 0x7fff_ffff_4000_0000L,
        // integers for FCVT.fmt.int
        -1L, Long.MIN_VALUE, Long.MAX_VALUE, 0x8000_0000L, 0xffff_ffff_7fff_ffffL, 0x0020_0000_0000_0001L,
        0x0100_0001L, 0xffff_ffffL, 0x7fff_ffffL,
    };

    @Property(tries = 50, seed = "20251127")
    void randomFloatProgramsMatchTheInterpreterAtEveryStep(@ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] code = new int[1024];
        int n = 0;
        int handlerIndex = 1000;
        long handler = BASE + 4L * handlerIndex;
        n = loadAddress(code, n, 5, handler);
        code[n++] = Rv.csrrw(0, 0x305, 5);
        code[n++] = Rv.lui(FS_MASK_REG, 6); // 0x6000: FS
        code[n++] = Rv.lui(FS_INITIAL_REG, 2); // 0x2000: FS = Initial
        code[n++] = Rv.lui(FS_HIGH_REG, 4); // 0x4000: clearing it turns Dirty into Initial
        code[n++] = Rv.csrrs(0, 0x300, FS_INITIAL_REG);
        n = loadAddress(code, n, DATA_REG, DATA);
        code[n++] = Rv.addi(COUNTER, 0, 10 + random.nextInt(20));
        for (int r = 0; r < 32; r++) {
            code[n++] = Rv.i(8 * r, DATA_REG, 3, r, 0x07); // fld fr, 8r(x30)
        }
        for (int r = 1; r < DESTS; r++) {
            code[n++] = Rv.i(8 * random.nextInt(256), DATA_REG, 3, r, 0x03); // ld xr, ...
        }
        code[n++] = Rv.i(0x001, 0, 1, 0, 0x73); // csrrw x0, fflags, x0: start with clear flags
        int bodyStart = n;
        int bodyEnd = bodyStart + 10 + random.nextInt(80);
        while (n < bodyEnd) {
            code[n] = randomInstruction(random, bodyEnd - n);
            n++;
        }
        code[n] = Rv.addi(COUNTER, COUNTER, -1);
        n++;
        code[n] = Rv.b(4 * (bodyStart - n), 0, COUNTER, 1);
        n++;
        int done = n;
        code[n++] = Rv.j(0, 0);
        // Handler: skip the trapping instruction.
        code[handlerIndex] = Rv.csrrs(HANDLER_TMP, 0x341, 0);
        code[handlerIndex + 1] = Rv.addi(HANDLER_TMP, HANDLER_TMP, 4);
        code[handlerIndex + 2] = Rv.csrrw(0, 0x341, HANDLER_TMP);
        code[handlerIndex + 3] = Rv.MRET;

        int threshold = new int[] {1, 1, 2, 5}[random.nextInt(4)];
        int region = new int[] {1, 16, 256}[random.nextInt(3)]; // single blocks, small and large regions
        RegionShape shape = RegionShape.values()[random.nextInt(RegionShape.values().length)];
        TranslatorOptions options = TranslatorOptions.defaults().withHotThreshold(threshold).withMaxRegionInstructions(region)
                .withRegionShape(shape);
        // A quarter of the programs never compile: the block interpreter runs every decoded block.
        boolean decodedOnly = random.nextInt(4) == 0;
        if (decodedOnly) {
            options = options.withHotThreshold(Integer.MAX_VALUE).withWarmThreshold(1 + random.nextInt(2));
        }
        try (Lockstep l = new Lockstep(1L << 20, options)) {
            l.write(BASE, Rv.bytes(code, code.length));
            byte[] data = new byte[0x2000];
            for (int k = 0; k < data.length; k += 8) {
                long v = random.nextInt(8) == 0 ? random.nextLong() : SPECIALS[random.nextInt(SPECIALS.length)];
                for (int b = 0; b < 8; b++) {
                    data[k + b] = (byte) (v >>> (8 * b));
                }
            }
            l.write(DATA - 0x1000, data);
            l.reset(BASE);
            l.runRandom(random, 64, 150_000, BASE + 4L * done);
            assertThat(l.interp.pc()).isEqualTo(BASE + 4L * done);
            assertThat(l.jit.translatorStats().compileFailures()).isZero();
            if (decodedOnly) {
                assertThat(l.jit.translatorStats().decodedInstructions()).isPositive();
                assertThat(l.jit.translatorStats().blocksCompiled()).isZero();
            } else {
                assertThat(l.jit.translatorStats().translatedInstructions()).isPositive();
            }
        }
    }

    /** Loads a 32-bit positive address into {@code rd}. */
    private static int loadAddress(int[] code, int n, int rd, long address) {
        code[n++] = Rv.lui(rd, (int) ((address + 0x800) >>> 12) & 0xfffff);
        code[n++] = Rv.addi(rd, rd, (int) (address << 52 >> 52));
        code[n++] = Rv.i(32, rd, 1, rd, 0x13); // lui sign-extends: clear the upper half
        code[n++] = Rv.i(32, rd, 5, rd, 0x13);
        return n;
    }

    private static int fr(SplittableRandom r) {
        return r.nextInt(32);
    }

    private static int xs(SplittableRandom r) {
        return r.nextInt(32);
    }

    private static int xd(SplittableRandom r) {
        return r.nextInt(DESTS);
    }

    /** A rounding-mode field: mostly valid static modes and DYN, rarely the reserved 5 and 6. */
    private static int rm(SplittableRandom r) {
        int k = r.nextInt(40);
        return k == 0 ? 5 : k == 1 ? 6 : k < 20 ? 7 : k % 5;
    }

    /** S or D, rarely the unsupported H and Q formats. */
    private static int fmt(SplittableRandom r) {
        return r.nextInt(50) == 0 ? 2 + r.nextInt(2) : r.nextInt(2);
    }

    private static int opFp(int funct5, int fmt, int rs2, int rs1, int f3, int rd) {
        return Rv.r((funct5 << 2) | fmt, rs2, rs1, f3, rd, 0x53);
    }

    private static int randomInstruction(SplittableRandom r, int room) {
        int kind = r.nextInt(100);
        int fmt = fmt(r);
        int imm = r.nextInt(4096) - 2048;
        if (kind < 16) {
            return opFp(r.nextInt(4), fmt, fr(r), fr(r), rm(r), fr(r)); // FADD/FSUB/FMUL/FDIV
        } else if (kind < 20) {
            return opFp(0x0b, fmt, r.nextInt(30) == 0 ? 1 : 0, fr(r), rm(r), fr(r)); // FSQRT
        } else if (kind < 28) {
            int op = new int[] {0x43, 0x47, 0x4b, 0x4f}[r.nextInt(4)];
            return (fr(r) << 27) | (fmt << 25) | (fr(r) << 20) | (fr(r) << 15) | (rm(r) << 12) | (fr(r) << 7) | op;
        } else if (kind < 33) {
            return opFp(0x04, fmt, fr(r), fr(r), r.nextInt(r.nextInt(20) == 0 ? 4 : 3), fr(r)); // FSGNJ*
        } else if (kind < 37) {
            return opFp(0x05, fmt, fr(r), fr(r), r.nextInt(r.nextInt(20) == 0 ? 3 : 2), fr(r)); // FMIN/FMAX
        } else if (kind < 40) {
            int from = r.nextInt(20) == 0 ? r.nextInt(4) : 1 - (fmt & 1);
            return opFp(0x08, fmt, from, fr(r), rm(r), fr(r)); // FCVT.S.D / FCVT.D.S
        } else if (kind < 45) {
            return opFp(0x14, fmt, fr(r), fr(r), r.nextInt(r.nextInt(20) == 0 ? 4 : 3), xd(r)); // FEQ/FLT/FLE
        } else if (kind < 51) {
            return opFp(0x18, fmt, r.nextInt(r.nextInt(20) == 0 ? 6 : 4), fr(r), rm(r), xd(r)); // FCVT.int.fmt
        } else if (kind < 56) {
            return opFp(0x1a, fmt, r.nextInt(r.nextInt(20) == 0 ? 6 : 4), xs(r), rm(r), fr(r)); // FCVT.fmt.int
        } else if (kind < 60) {
            int rs2 = r.nextInt(30) == 0 ? 1 : 0;
            return opFp(0x1c, fmt, rs2, fr(r), r.nextInt(r.nextInt(20) == 0 ? 3 : 2), xd(r)); // FMV.X, FCLASS
        } else if (kind < 63) {
            return opFp(0x1e, fmt, 0, xs(r), r.nextInt(30) == 0 ? 1 : 0, fr(r)); // FMV.fmt.X
        } else if (kind < 71) {
            int base = r.nextInt(40) == 0 ? 0 : DATA_REG; // x0 base: an access fault
            int width = r.nextInt(30) == 0 ? r.nextInt(8) : 2 + r.nextInt(2);
            return Rv.i(imm, base, width, fr(r), 0x07); // FLW/FLD
        } else if (kind < 78) {
            int base = r.nextInt(40) == 0 ? 0 : DATA_REG;
            int width = r.nextInt(30) == 0 ? r.nextInt(8) : 2 + r.nextInt(2);
            return Rv.s(imm, fr(r), base, width, 0x27); // FSW/FSD
        } else if (kind < 81) {
            return Rv.i(0x002, xs(r), 1, 0, 0x73); // csrw frm, x (frm = x & 7, so often invalid)
        } else if (kind < 84) {
            // fflags, frm, fcsr with every CSR instruction form; register or immediate source,
            // often x0 / 0 (pure reads).
            int csr = 1 + r.nextInt(3);
            int f3 = new int[] {1, 2, 3, 5, 6, 7}[r.nextInt(6)];
            int src = r.nextInt(3) == 0 ? 0 : (f3 >= 5 ? r.nextInt(32) : xs(r));
            return Rv.i(csr, src, f3, xd(r), 0x73);
        } else if (kind < 89) {
            return switch (r.nextInt(5)) {
                case 0 -> Rv.i(0x300, FS_MASK_REG, 3, 0, 0x73); // csrc mstatus: FS = Off
                case 1 -> Rv.csrrs(0, 0x300, FS_INITIAL_REG); // Off -> Initial
                case 2, 3 -> Rv.i(0x300, FS_HIGH_REG, 3, 0, 0x73); // Dirty -> Initial, so dirtying shows
                default -> Rv.csrrs(0, 0x300, FS_MASK_REG); // Dirty
            };
        } else if (kind < 90) {
            return Rv.csrrs(xd(r), 0x300, 0); // read mstatus (SD, FS)
        } else if (kind < 95) {
            int skip = 1 + r.nextInt(Math.max(1, Math.min(4, room)));
            int f3 = new int[] {0, 1, 4, 5, 6, 7}[r.nextInt(6)];
            return Rv.b(4 * skip, xs(r), xs(r), f3);
        } else if (kind < 99) {
            return Rv.r(0, xs(r), xs(r), r.nextBoolean() ? 0 : 4, xd(r), 0x33); // add / xor
        } else {
            return 0xffffffff;
        }
    }
}

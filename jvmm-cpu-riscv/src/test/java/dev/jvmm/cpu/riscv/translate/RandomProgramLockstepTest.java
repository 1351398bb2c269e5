package dev.jvmm.cpu.riscv.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Random RV64 programs (ALU, M, loads/stores including misaligned and page-crossing ones,
 * forward branches and jumps, FP moves/arithmetic, CSR accesses, access faults and illegal
 * instructions skipped by a trap handler) run in a counted loop on the interpreter and on the
 * translator tier in lockstep, with random run budgets.
 */
class RandomProgramLockstepTest {

    private static final long BASE = Lockstep.RAM_BASE;
    private static final long DATA = BASE + 0x11000; // x30; accesses reach both neighbouring pages
    private static final int COUNTER = 31;
    private static final int DATA_REG = 30;
    private static final int HANDLER_TMP = 28;

    @Property(tries = 60, seed = "20251126")
    void randomProgramsMatchTheInterpreterAtEveryStep(@ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] code = new int[1024];
        int n = 0;
        // Prologue: trap handler, FP on, PMP irrelevant (M-mode), data base, loop counter.
        int handlerIndex = 1000;
        long handler = BASE + 4L * handlerIndex;
        code[n++] = Rv.lui(5, (int) ((handler + 0x800) >>> 12) & 0xfffff);
        code[n++] = Rv.addi(5, 5, (int) (handler << 52 >> 52));
        code[n++] = Rv.i(32, 5, 1, 5, 0x13); // lui sign-extends: clear the upper half
        code[n++] = Rv.i(32, 5, 5, 5, 0x13);
        code[n++] = Rv.csrrw(0, 0x305, 5);
        code[n++] = Rv.lui(5, 6); // 0x6000 = FS dirty
        code[n++] = Rv.csrrs(0, 0x300, 5);
        code[n++] = Rv.lui(DATA_REG, (int) ((DATA + 0x800) >>> 12) & 0xfffff);
        code[n++] = Rv.addi(DATA_REG, DATA_REG, (int) (DATA << 52 >> 52));
        code[n++] = Rv.i(32, DATA_REG, 1, DATA_REG, 0x13);
        code[n++] = Rv.i(32, DATA_REG, 5, DATA_REG, 0x13);
        code[n++] = Rv.addi(COUNTER, 0, 20 + random.nextInt(20));
        for (int r = 1; r < 28; r++) {
            code[n++] = Rv.addi(r, 0, random.nextInt(4096) - 2048);
        }
        int bodyStart = n;
        int bodyLength = 10 + random.nextInt(60);
        int bodyEnd = bodyStart + bodyLength;
        while (n < bodyEnd) {
            code[n] = randomInstruction(random, bodyEnd - n);
            n++;
        }
        code[n] = Rv.addi(COUNTER, COUNTER, -1);
        n++;
        code[n] = Rv.b(4 * (bodyStart - n), 0, COUNTER, 1); // bne counter, x0, body
        n++;
        int done = n;
        code[n++] = Rv.j(0, 0);
        // Handler: skip the faulting instruction.
        code[handlerIndex] = Rv.csrrs(HANDLER_TMP, 0x341, 0);
        code[handlerIndex + 1] = Rv.addi(HANDLER_TMP, HANDLER_TMP, 4);
        code[handlerIndex + 2] = Rv.csrrw(0, 0x341, HANDLER_TMP);
        code[handlerIndex + 3] = Rv.MRET;

        int threshold = new int[] {1, 2, 7}[random.nextInt(3)];
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
            for (int k = 0; k < data.length; k++) {
                data[k] = (byte) random.nextInt();
            }
            l.write(DATA - 0x1000, data);
            l.reset(BASE);
            l.runRandom(random, 64, 200_000, BASE + 4L * done);
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

    private static int reg(SplittableRandom r) {
        return r.nextInt(32);
    }

    private static int dest(SplittableRandom r) {
        return r.nextInt(28); // x28..x31 are reserved; x0 included on purpose
    }

    private static final int[][] OP = {
        {0, 0}, {0, 1}, {0, 2}, {0, 3}, {0, 4}, {0, 5}, {0, 6}, {0, 7}, {0x20, 0}, {0x20, 5},
        {1, 0}, {1, 1}, {1, 2}, {1, 3}, {1, 4}, {1, 5}, {1, 6}, {1, 7}};
    private static final int[][] OP32 = {{0, 0}, {0, 1}, {0, 5}, {0x20, 0}, {0x20, 5}, {1, 0}, {1, 4}, {1, 5}, {1, 6}, {1, 7}};

    /** One random instruction; {@code room} instructions remain before the loop's end. */
    private static int randomInstruction(SplittableRandom r, int room) {
        int kind = r.nextInt(100);
        int imm = r.nextInt(4096) - 2048;
        if (kind < 22) {
            int[] f = OP[r.nextInt(OP.length)];
            return Rv.r(f[0], reg(r), reg(r), f[1], dest(r), 0x33);
        } else if (kind < 32) {
            int[] f = OP32[r.nextInt(OP32.length)];
            return Rv.r(f[0], reg(r), reg(r), f[1], dest(r), 0x3b);
        } else if (kind < 44) {
            int f3 = r.nextInt(8);
            if (f3 == 1) {
                imm = r.nextInt(64);
            } else if (f3 == 5) {
                imm = r.nextInt(64) | (r.nextBoolean() ? 0x400 : 0);
            }
            return Rv.i(imm, reg(r), f3, dest(r), 0x13);
        } else if (kind < 50) {
            int f3 = new int[] {0, 1, 5}[r.nextInt(3)];
            if (f3 != 0) {
                imm = r.nextInt(32) | (f3 == 5 && r.nextBoolean() ? 0x400 : 0);
            }
            return Rv.i(imm, reg(r), f3, dest(r), 0x1b);
        } else if (kind < 54) {
            return Rv.u(r.nextInt(), dest(r), r.nextBoolean() ? 0x37 : 0x17);
        } else if (kind < 66) {
            int base = r.nextInt(40) == 0 ? 0 : DATA_REG; // x0 base: an access fault
            return Rv.i(imm, base, r.nextInt(7), dest(r), 0x03);
        } else if (kind < 76) {
            int base = r.nextInt(40) == 0 ? 0 : DATA_REG;
            return Rv.s(imm, reg(r), base, r.nextInt(4), 0x23);
        } else if (kind < 86) {
            int skip = 1 + r.nextInt(Math.max(1, Math.min(4, room)));
            int f3 = new int[] {0, 1, 4, 5, 6, 7}[r.nextInt(6)];
            return Rv.b(4 * skip, reg(r), reg(r), f3);
        } else if (kind < 89) {
            int skip = 1 + r.nextInt(Math.max(1, Math.min(3, room)));
            return Rv.j(4 * skip, dest(r));
        } else if (kind < 95) {
            int fd = r.nextInt(32);
            int fs = r.nextInt(32);
            return switch (r.nextInt(5)) {
                case 0 -> 0xf2000053 | (reg(r) << 15) | (fd << 7); // fmv.d.x
                case 1 -> 0xe2000053 | (fs << 15) | (dest(r) << 7); // fmv.x.d
                case 2 -> 0x02007053 | (r.nextInt(32) << 20) | (fs << 15) | (fd << 7); // fadd.d dyn
                case 3 -> Rv.i(imm, DATA_REG, 3, fd, 0x07); // fld
                default -> Rv.s(imm, fs, DATA_REG, 3, 0x27); // fsd
            };
        } else if (kind < 98) {
            return r.nextBoolean() ? Rv.csrrs(dest(r), 0x340, 0) : Rv.csrrw(0, 0x340, reg(r));
        } else if (kind < 99) {
            return 0x0ff0000f; // fence
        } else {
            return 0xffffffff; // illegal: the handler skips it
        }
    }
}

package dev.jvmm.bench;

import static dev.jvmm.bench.GuestCode.*;

/**
 * The guest programs the benchmarks run. Each loops forever, so that a hart can be given any
 * instruction budget; code sits at {@link #RAM_BASE}, data at {@link #DATA}.
 */
public final class GuestPrograms {

    public static final long RAM_BASE = 0x8000_0000L;
    public static final long RAM_SIZE = 4L << 20;
    /** Where the loops load and store. */
    public static final long DATA = RAM_BASE + 0x10_0000;
    /** The Sv39 root page table of {@link #loadLoop}. */
    public static final long PAGE_TABLE = RAM_BASE + 0x20_0000;
    /** Iterations of the inner loops before the outer loop reloads the counter. */
    public static final int INNER = 100_000;

    private GuestPrograms() {
    }

    /**
     * A tight counted loop: ALU, a load and a store per iteration, one backward branch (8
     * instructions per iteration, one basic block). The same loop as the translator's own
     * JitBenchmark (in jvmm-cpu-riscv's tests).
     */
    public static GuestCode tightLoop() {
        GuestCode c = new GuestCode(RAM_BASE);
        c.li(S0, 0).li(S1, DATA).li(S2, 1);
        c.label("outer").li(T0, INNER);
        c.label("loop")
                .add(S0, S0, T0)
                .xor(S3, S0, S2)
                .slli(S4, S3, 3)
                .ld(T1, S1, 0)
                .add(T1, T1, S4)
                .sd(T1, S1, 0)
                .addi(T0, T0, -1)
                .bnez(T0, "loop");
        return c.j("outer");
    }

    /**
     * Calls and a data-dependent branch: several blocks per iteration (a call, its return, a
     * branch taken three times in four), so the dispatcher between blocks is exercised.
     */
    public static GuestCode callLoop() {
        GuestCode c = new GuestCode(RAM_BASE);
        c.li(S0, 0).li(S1, DATA);
        c.label("outer").li(T0, INNER);
        c.label("loop")
                .mv(A0, T0)
                .call("work")
                .add(S0, S0, A0)
                .andi(T2, T0, 3)
                .beqz(T2, "skip")
                .sw(S0, S1, 8);
        c.label("skip")
                .addi(T0, T0, -1)
                .bnez(T0, "loop")
                .j("outer");
        c.label("work")
                .slli(A1, A0, 2)
                .mul(A0, A1, A0)
                .srli(A0, A0, 1)
                .ret();
        return c;
    }

    /**
     * Straight-line code: {@code length} ALU instructions, a quarter of them compressed, then a
     * jump back. Through the interpreter this is almost only fetch, decode and dispatch.
     */
    public static GuestCode straightLine(int length) {
        GuestCode c = new GuestCode(RAM_BASE);
        c.label("top");
        for (int k = 0; k < length; k++) {
            int rd = A0 + k % 6;
            int rs = A0 + (k + 3) % 6;
            switch (k % 8) {
                case 0 -> c.addi(rd, rs, k % 100);
                case 1 -> c.add(rd, rd, rs);
                case 2 -> c.cAddi(rd, 1 + k % 7);
                case 3 -> c.xor(rd, rs, rd);
                case 4 -> c.slli(rd, rs, k % 13);
                case 5 -> c.cMv(rd, rs);
                case 6 -> c.lui(rd, k & 0xfffff);
                default -> c.srli(rd, rd, 1 + k % 5);
            }
        }
        return c.j("top");
    }

    /**
     * Eight loads from one page, then a counted backward branch (10 instructions per iteration,
     * 80 % loads): every load is a data-TLB hit after the first. With {@code sv39} the code
     * first turns on Sv39 paging (satp = the identity gigapage table at {@link #PAGE_TABLE},
     * which {@link #writeIdentityPageTable} writes); the hart must start in S-mode.
     */
    public static GuestCode loadLoop(boolean sv39) {
        GuestCode c = new GuestCode(RAM_BASE);
        if (sv39) {
            c.li(T0, (8L << 60) | (PAGE_TABLE >>> 12)).csrw(CSR_SATP, T0).sfenceVma();
        }
        c.li(S1, DATA);
        c.label("outer").li(T0, INNER);
        c.label("loop");
        int[] regs = {A0, A1, A2, A3, A4, A5, A6, A7};
        for (int k = 0; k < regs.length; k++) {
            c.ld(regs[k], S1, 8L * k);
        }
        c.addi(T0, T0, -1).bnez(T0, "loop");
        return c.j("outer");
    }

    /** The Sv39 root table of {@link #loadLoop}: the 1 GiB at RAM_BASE mapped to itself, RWX, A and D set. */
    public static long[] identityPageTable() {
        long[] table = new long[512];
        long v = 1, r = 2, w = 4, x = 8, a = 64, d = 128;
        table[(int) (RAM_BASE >>> 30)] = ((RAM_BASE >>> 12) << 10) | v | r | w | x | a | d;
        return table;
    }

    /**
     * A realistic mix of RV64GC encodings for the decoder: loads, stores, ALU, branches, jumps,
     * FP and about 40 % compressed parcels, in a fixed pseudo-random order; {@code count}
     * instructions. Not meant to run.
     */
    public static GuestCode decodeMix(int count) {
        GuestCode c = new GuestCode(RAM_BASE);
        long seed = 0x9e3779b97f4a7c15L;
        for (int k = 0; k < count; k++) {
            seed ^= seed << 13;
            seed ^= seed >>> 7;
            seed ^= seed << 17;
            if (k % 256 == 0) {
                c.label("near" + k / 256); // branches stay within their +-4 KiB reach
            }
            String near = "near" + k / 256;
            int pick = (int) Long.remainderUnsigned(seed, 20);
            int rd = A0 + (int) ((seed >>> 20) & 7);
            int rs = S0 + (int) ((seed >>> 24) & 7);
            switch (pick) {
                case 0 -> c.addi(rd, rs, (seed >>> 32) & 0x3ff);
                case 1 -> c.add(rd, rd, rs);
                case 2 -> c.ld(rd, rs, 8 * ((seed >>> 32) & 31));
                case 3 -> c.sd(rd, rs, 8 * ((seed >>> 32) & 31));
                case 4 -> c.xor(rd, rs, rd);
                case 5 -> c.slli(rd, rs, (int) (seed >>> 40) & 63);
                case 6 -> c.bnez(rd, near);
                case 7 -> c.lui(rd, (int) (seed >>> 40) & 0xfffff);
                case 8 -> c.mul(rd, rs, rd);
                case 9 -> c.word(0x6ac5f543); // fmadd.d fa0, fa1, fa2, fa3
                case 10 -> c.word(0x01013507); // fld fa0, 16(sp)
                case 11 -> c.jal(RA, near);
                case 12 -> c.cAddi(rd, 1 + (int) ((seed >>> 32) & 15));
                case 13 -> c.cLi(rd, (int) ((seed >>> 32) & 15));
                case 14 -> c.cMv(rd, rs);
                case 15 -> c.cAdd(rd, rs);
                case 16 -> c.cLdsp(rd, 8 * (int) ((seed >>> 32) & 31));
                case 17 -> c.cSdsp(rd, 8 * (int) ((seed >>> 32) & 31));
                case 18 -> c.cLd(S0 + (int) ((seed >>> 20) & 7), rs, 8 * (int) ((seed >>> 32) & 31));
                default -> c.cSlli(rd, 1 + (int) ((seed >>> 32) & 31));
            }
        }
        return c;
    }
}

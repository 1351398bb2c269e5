package dev.jvmm.cpu.riscv;

/**
 * Physical memory protection: 64 entries (pmpcfg0..15 even-numbered on RV64, pmpaddr0..63),
 * TOR/NA4/NAPOT matching, the lock bit, grain 4 bytes. Decoded ranges are kept so a check is
 * a short scan; the MMU consults it only when it fills a TLB entry or takes a slow path.
 */
final class Pmp {

    static final int ENTRIES = 64;

    static final int R = 1;
    static final int W = 2;
    static final int X = 4;
    static final int A_MASK = 0x18;
    static final int A_OFF = 0;
    static final int A_TOR = 0x08;
    static final int A_NA4 = 0x10;
    static final int A_NAPOT = 0x18;
    static final int L = 0x80;

    /** pmpaddr holds bits 55:2 of an address. */
    static final long ADDR_MASK = (1L << 54) - 1;

    private final byte[] cfg = new byte[ENTRIES];
    private final long[] addr = new long[ENTRIES];
    // Decoded: [lo, hi) per active entry, in priority order.
    private final long[] lo = new long[ENTRIES];
    private final long[] hi = new long[ENTRIES];
    private final int[] perm = new int[ENTRIES];
    private final int[] index = new int[ENTRIES];
    private int active;
    private boolean anyLocked;

    void reset() {
        java.util.Arrays.fill(cfg, (byte) 0);
        java.util.Arrays.fill(addr, 0);
        decode();
    }

    /** pmpcfgN (N even): eight configuration bytes. */
    long readCfg(int n) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (cfg[n * 4 + i] & 0xff);
        }
        return v;
    }

    void writeCfg(int n, long value) {
        for (int i = 0; i < 8; i++) {
            int e = n * 4 + i;
            if ((cfg[e] & L) != 0) {
                continue;
            }
            int b = (int) (value >>> (8 * i)) & 0xff;
            b &= L | A_MASK | X | W | R;
            if ((b & (R | W)) == W) { // W without R is reserved: drop W
                b &= ~W;
            }
            cfg[e] = (byte) b;
        }
        decode();
    }

    long readAddr(int i) {
        return addr[i];
    }

    void writeAddr(int i, long value) {
        if ((cfg[i] & L) != 0) {
            return;
        }
        if (i + 1 < ENTRIES && (cfg[i + 1] & L) != 0 && (cfg[i + 1] & A_MASK) == A_TOR) {
            return;
        }
        addr[i] = value & ADDR_MASK;
        decode();
    }

    // ---- snapshots ----

    /** The 64 configuration bytes, entry order. */
    byte[] cfgBytes() {
        return cfg.clone();
    }

    /** The 64 pmpaddr values. */
    long[] addrs() {
        return addr.clone();
    }

    /** Whether {@code b} is a configuration byte a pmpcfg write can leave behind. */
    static boolean isLegalCfg(int b) {
        return (b & ~(L | A_MASK | X | W | R)) == 0 && (b & (R | W)) != W;
    }

    /**
     * Replaces every entry, locked or not (a restore, not a guest write); the caller has
     * checked the values with {@link #isLegalCfg} and {@link #ADDR_MASK}.
     */
    void restore(byte[] cfgs, long[] addrs) {
        System.arraycopy(cfgs, 0, cfg, 0, ENTRIES);
        System.arraycopy(addrs, 0, addr, 0, ENTRIES);
        decode();
    }

    private void decode() {
        int n = 0;
        boolean locked = false;
        for (int i = 0; i < ENTRIES; i++) {
            int c = cfg[i] & 0xff;
            int a = c & A_MASK;
            if (a == A_OFF) {
                continue;
            }
            long start;
            long end;
            if (a == A_TOR) {
                start = i == 0 ? 0 : addr[i - 1] << 2;
                end = addr[i] << 2;
            } else if (a == A_NA4) {
                start = addr[i] << 2;
                end = start + 4;
            } else {
                long ones = Long.numberOfTrailingZeros(~addr[i]);
                if (ones >= 54) {
                    start = 0;
                    end = 1L << 56;
                } else {
                    long size = 1L << (ones + 3);
                    start = (addr[i] << 2) & ~(size - 1);
                    end = start + size;
                }
            }
            lo[n] = start;
            hi[n] = end;
            perm[n] = c;
            index[n] = i;
            locked |= (c & L) != 0;
            n++;
        }
        active = n;
        anyLocked = locked;
    }

    /**
     * Whether an access of {@code length} bytes at {@code pa} with permission {@code need}
     * (R, W or X) is allowed at privilege {@code priv}.
     */
    boolean allows(long pa, long length, int need, int priv) {
        if (priv == Csrs.PRIV_M && !anyLocked) {
            return true;
        }
        long last = pa + length - 1;
        for (int k = 0; k < active; k++) {
            long start = lo[k];
            long end = hi[k];
            if (Long.compareUnsigned(start, end) >= 0) {
                continue;
            }
            boolean firstIn = Long.compareUnsigned(pa, start) >= 0 && Long.compareUnsigned(pa, end) < 0;
            boolean lastIn = Long.compareUnsigned(last, start) >= 0 && Long.compareUnsigned(last, end) < 0;
            boolean overlaps = Long.compareUnsigned(pa, end) < 0 && Long.compareUnsigned(last, start) >= 0;
            if (!overlaps) {
                continue;
            }
            if (!(firstIn && lastIn)) {
                return false; // partial match fails
            }
            int c = perm[k];
            if (priv == Csrs.PRIV_M && (c & L) == 0) {
                return true;
            }
            return (c & need) == need;
        }
        return priv == Csrs.PRIV_M;
    }
}

package dev.jvmm.conformance.diff;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import java.util.TreeMap;

/**
 * The binary record runtime.S's diff_dump writes for each sub-program (the layout of diff.h's
 * REC_* constants), and its conversion into the same "name value" pairs the printed dump has, so
 * that a record and a printed state compare, and are reported, alike.
 */
final class DumpRecord {

    /** diff.h's DUMP_BASE: where a batch's first record goes. */
    static final long DUMP_BASE = 0x8080_0000L;
    /** Last byte a batch's records may use (the end of QEMU's and jvmm's 128 MiB of RAM). */
    static final long DUMP_LIMIT = 0x8800_0000L;
    static final int REC_BEGIN = 0;
    static final int REC_UNITS = 8;
    static final int REC_FRAME = 16;
    static final int FRAME_SIZE = 2560;
    static final int REC_MEM = REC_FRAME + FRAME_SIZE;
    static final int REC_END = REC_MEM + 128;
    static final int REC_TRACE = REC_END + 8;
    static final long BEGIN_MAGIC = 0x4447_4542_0000_0000L;
    static final long END_MAGIC = 0x4445_4e44_0000_0000L;

    /** Frame offsets (diff.h FR_*). */
    private static final int FR_F = 256;
    private static final int FR_FCSR = 512;
    private static final int FR_MSCRATCH = 520;
    private static final int FR_TRAPS = 528;
    private static final int FR_LOG = 1024;
    private static final int LOG_ENTRY = 24;
    private static final int LOG_MAX = 64;
    private static final String[] LOG_NAMES = {"cause", "tval", "epc"};
    private static final int MEM_PAGES = ProgramGenerator.DATA_SIZE / 0x1000;

    private DumpRecord() {
    }

    /** The size of a record with {@code units} trace slots. */
    static long size(int units) {
        return REC_TRACE + 16L * units;
    }

    /** The address of each entry's record, then the end of the last one. */
    static long[] addresses(List<Integer> units) {
        long[] a = new long[units.size() + 1];
        a[0] = DUMP_BASE;
        for (int k = 0; k < units.size(); k++) {
            a[k + 1] = a[k] + size(units.get(k));
        }
        if (a[units.size()] > DUMP_LIMIT) {
            throw new IllegalArgumentException("the batch's dump records (%d bytes) do not fit in RAM: use smaller batches"
                    .formatted(a[units.size()] - DUMP_BASE));
        }
        return a;
    }

    /**
     * The states in {@code dump} (the bytes from DUMP_BASE on, possibly short) of a batch whose
     * entries have {@code units} trace slots each. A record whose BEGIN word is missing is left out
     * (as a program that printed nothing); one whose END word is missing is incomplete.
     */
    static StateDump parse(byte[] dump, List<Integer> units) {
        long[] at = addresses(units);
        Map<Integer, StateDump.ProgramState> programs = new TreeMap<>();
        for (int k = 0; k < units.size(); k++) {
            Reader r = new Reader(dump, at[k] - DUMP_BASE);
            if (r.word(REC_BEGIN) != BEGIN_MAGIC + k) {
                continue;
            }
            int n = units.get(k);
            SequencedMap<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                long value = r.word(REC_TRACE + 16L * i);
                long flags = r.word(REC_TRACE + 16L * i + 8);
                values.put("u" + hex(i, 4), hex(value, 16) + "." + hex(flags & 0xff, 2));
            }
            for (int x = 1; x < 32; x++) {
                values.put("x" + x, hex(r.word(REC_FRAME + 8L * x)));
            }
            for (int f = 0; f < 32; f++) {
                values.put("f" + f, hex(r.word(REC_FRAME + FR_F + 8L * f)));
            }
            values.put("fcsr", hex(r.word(REC_FRAME + FR_FCSR)));
            values.put("mscratch", hex(r.word(REC_FRAME + FR_MSCRATCH)));
            long traps = r.word(REC_FRAME + FR_TRAPS);
            values.put("traps", hex(traps));
            long logged = Long.compareUnsigned(traps, LOG_MAX) > 0 ? LOG_MAX : traps;
            for (int t = 0; t < logged; t++) {
                for (int j = 0; j < 3; j++) {
                    values.put("trap %02x %s".formatted(t, LOG_NAMES[j]),
                            hex(r.word(REC_FRAME + FR_LOG + (long) LOG_ENTRY * t + 8L * j)));
                }
            }
            for (int p = 0; p < MEM_PAGES; p++) {
                values.put("mem@%04x".formatted(p * 0x1000), hex(r.word(REC_MEM + 8L * p)));
            }
            programs.put(k, new StateDump.ProgramState(values, r.word(REC_END) == END_MAGIC + k));
        }
        return new StateDump(programs);
    }

    private static String hex(long v) {
        return hex(v, 16);
    }

    /** The low {@code digits} hex digits of v, zero-padded, as the runtime's puthexn prints them. */
    private static String hex(long v, int digits) {
        String s = Long.toHexString(digits == 16 ? v : v & ((1L << (4 * digits)) - 1));
        return "0".repeat(digits - s.length()) + s;
    }

    /** Little-endian words of one record; bytes past the dump read as zero. */
    private record Reader(byte[] dump, long base) {

        long word(long offset) {
            long v = 0;
            for (int b = 7; b >= 0; b--) {
                long i = base + offset + b;
                v = v << 8 | (i < dump.length ? dump[(int) i] & 0xff : 0);
            }
            return v;
        }
    }
}

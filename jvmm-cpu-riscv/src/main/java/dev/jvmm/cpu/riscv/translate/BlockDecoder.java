package dev.jvmm.cpu.riscv.translate;

import dev.jvmm.cpu.riscv.Decoder;
import dev.jvmm.memory.GuestMemory;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts a basic block out of guest RAM and decides which instructions the tier translates:
 * RV64I and M without CSR/system instructions, FENCE, F and D (with accesses to fflags and
 * reads of frm and fcsr). An encoding the interpreter would
 * reject as illegal is never translated, so illegal-instruction traps always come from the
 * interpreter.
 */
public final class BlockDecoder {

    private BlockDecoder() {
    }

    /**
     * Decodes at most {@code max} instructions from RAM offset {@code offset} (virtual
     * {@code pc}); stops after a control transfer, before an untranslatable instruction or
     * one that crosses the page end, and at the page end. May return an empty block. The
     * bytes are copied out of RAM once and decoded from the copy, so the block's
     * {@link GuestBlock#code()} is exactly what was decoded even if another thread or a
     * device writes the page meanwhile.
     */
    public static GuestBlock decode(MemorySegment ram, long pc, long offset, int max) {
        return decode(ram, pc, offset, max, false);
    }

    /**
     * As {@link #decode(MemorySegment, long, long, int)}, but with {@code pastBranches} it goes
     * on after conditional branches (their fall-through), stopping only after a jump: an
     * extended block, which a taken branch leaves early.
     */
    public static GuestBlock decode(MemorySegment ram, long pc, long offset, int max, boolean pastBranches) {
        long available = offset < 0 || offset >= ram.byteSize() ? 0
                : Math.min(Math.min(GuestMemory.PAGE_SIZE - (offset & 0xfff), 4L * max), ram.byteSize() - offset);
        byte[] window = new byte[(int) available];
        MemorySegment.copy(ram, ValueLayout.JAVA_BYTE, offset, window, 0, window.length);
        MemorySegment bytes = MemorySegment.ofArray(window);
        List<GuestBlock.Instruction> out = new ArrayList<>();
        long p = pc;
        int o = 0;
        // The window ends at the page end or holds max 4-byte instructions, so its end is a stop either way.
        while (out.size() < max && o + 2 <= window.length) {
            int parcel = bytes.get(GuestMemory.SHORT, o) & 0xffff;
            int insn;
            int length;
            if (Decoder.isCompressed(parcel)) {
                insn = Decoder.expandCompressed(parcel);
                length = 2;
                if (insn == 0) {
                    break;
                }
            } else {
                if (o + 4 > window.length) {
                    break; // crosses into the next page: the interpreter fetches it
                }
                insn = bytes.get(GuestMemory.INT, o);
                length = 4;
            }
            if (!isTranslatable(insn)) {
                break;
            }
            out.add(new GuestBlock.Instruction(p, insn, length));
            p += length;
            o += length;
            if (isControlTransfer(insn) && !(pastBranches && isBranch(insn))) {
                break;
            }
        }
        return new GuestBlock(pc, offset, List.copyOf(out), p, Arrays.copyOf(window, o));
    }

    /** A valid AMO, LR or SC (word or doubleword; LR with rs2 = 0). */
    static boolean isAtomic(int insn) {
        int f3 = (insn >>> 12) & 7;
        if ((insn & 0x7f) != 0x2f || (f3 != 2 && f3 != 3)) {
            return false;
        }
        return switch (insn >>> 27) {
            case 0x02 -> ((insn >>> 20) & 31) == 0;
            case 0x03, 0x00, 0x01, 0x04, 0x08, 0x0c, 0x10, 0x14, 0x18, 0x1c -> true;
            default -> false;
        };
    }

    static boolean isBranch(int insn) {
        return (insn & 0x7f) == 0x63;
    }

    static boolean isControlTransfer(int insn) {
        int op = insn & 0x7f;
        return op == 0x63 || op == 0x6f || op == 0x67;
    }

    /** Whether {@link BlockCompiler} translates this (32-bit or expanded) instruction. */
    public static boolean isTranslatable(int insn) {
        int f3 = (insn >>> 12) & 7;
        int f7 = insn >>> 25;
        return switch (insn & 0x7f) {
            case 0x37, 0x17, 0x6f -> true; // LUI, AUIPC, JAL
            case 0x67 -> f3 == 0; // JALR
            case 0x63 -> f3 != 2 && f3 != 3; // branches
            case 0x03 -> f3 != 7; // loads
            case 0x23 -> f3 <= 3; // stores
            case 0x13 -> switch (f3) {
                case 1 -> (insn >>> 26) == 0;
                case 5 -> (insn >>> 26) == 0 || (insn >>> 26) == 0x10;
                default -> true;
            };
            case 0x1b -> switch (f3) {
                case 0 -> true;
                case 1 -> f7 == 0;
                case 5 -> f7 == 0 || f7 == 0x20;
                default -> false;
            };
            case 0x33 -> f7 == 0 || f7 == 1 || (f7 == 0x20 && (f3 == 0 || f3 == 5));
            case 0x3b -> switch (f7) {
                case 0 -> f3 == 0 || f3 == 1 || f3 == 5;
                case 0x20 -> f3 == 0 || f3 == 5;
                case 1 -> f3 == 0 || f3 >= 4;
                default -> false;
            };
            case 0x0f -> f3 == 0; // FENCE (not FENCE.I)
            case 0x2f -> isAtomic(insn);
            case 0x07, 0x27, 0x43, 0x47, 0x4b, 0x4f, 0x53 -> FloatEmitter.isTranslatable(insn);
            case 0x73 -> FloatEmitter.isFloatCsrAccess(insn); // fflags, reads of frm and fcsr
            default -> false;
        };
    }
}

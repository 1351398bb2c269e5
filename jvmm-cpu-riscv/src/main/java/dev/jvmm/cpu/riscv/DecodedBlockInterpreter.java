package dev.jvmm.cpu.riscv;

import static dev.jvmm.cpu.riscv.translate.DecodedBlock.*;

import dev.jvmm.cpu.riscv.translate.DecodedBlock;
import dev.jvmm.cpu.riscv.translate.Translation;
import dev.jvmm.cpu.riscv.translate.Translator;

/**
 * The warm tier: runs a {@link DecodedBlock} with the interpreter's semantics but none of its
 * per-instruction fetching and decoding. Operations it does not specialise go to the
 * interpreter's {@link Interpreter#execute}. Like the interpreter it retires one instruction
 * at a time (instret stays exact for MMIO) and raises traps precisely, at the faulting
 * instruction's pc.
 *
 * <p>A decoded block's page is marked as code, so a store that changes it (even one of the
 * block's own, or a page-table walk's A/D update landing there) drops the decoded form and
 * sets the runtime's {@link JitRuntime#codeWritten}; the run then ends after that
 * instruction, as the interpreter would fetch the new bytes next.
 */
final class DecodedBlockInterpreter {

    private final Interpreter interp;
    private final Csrs csrs;
    private final Mmu mmu;
    private final JitRuntime runtime;

    DecodedBlockInterpreter(Interpreter interp, Csrs csrs, Mmu mmu, JitRuntime runtime) {
        this.interp = interp;
        this.csrs = csrs;
        this.mmu = mmu;
        this.runtime = runtime;
    }

    /** The entry whose block ran last (set by {@link #run}). */
    Translation last;
    /** Whether the last {@link #run} stopped for the run loop (trap, an instruction that needs its attention, code written). */
    boolean stopped;

    /**
     * Runs the decoded block of {@code first}, whose first instruction is at the hart's pc, then
     * the warm blocks linked after it, while fewer than {@code chunk} instructions were
     * attempted and the next block fits in {@code limit}; returns the instructions attempted
     * as {@link Interpreter#runBlock} counts them. Stops (see {@link #stopped}) after a trap
     * (entered here), after an instruction that needs the run loop's attention
     * ({@link Interpreter#breakBlock}) and after one that wrote translated code.
     */
    int run(Translation first, Translator translator, int chunk, long limit) {
        Csrs c = csrs;
        runtime.codeWritten = false;
        interp.breakBlock = false;
        int epoch = runtime.linkEpoch;
        int done = 0; // instructions retired by the blocks before the current one
        Translation t = first;
        DecodedBlock b = t.decoded();
        while (true) {
            int r = execute(b, c.instret);
            if (r < 0) {
                return finish(t, done + ~r, true);
            }
            done += r;
            long pc = interp.pc;
            Translation s = t.linked(pc, epoch);
            if (s == null || done >= chunk || (b = s.decoded()) == null || b.length() > limit - done
                    || !fetchLeadsTo(t, pc, s) || translator.noteRun(s) != null) {
                return finish(t, done, false);
            }
            t = s;
        }
    }

    /**
     * Whether {@code pc}, reached from {@code from}, leads to the RAM bytes of {@code s}, so the
     * hart may run them there (as the dispatcher's lookup would find): within from's page the
     * mapping that led to from still holds (nothing in a run may change it); another page's
     * must be in the fetch TLB for the current privilege.
     */
    private boolean fetchLeadsTo(Translation from, long pc, Translation s) {
        if (((pc ^ from.pc()) >>> 12) == 0) {
            return true;
        }
        Mmu m = mmu;
        int i = (int) (pc >>> 12) & Mmu.TLB_MASK;
        return m.fetchTag[i] == pc >>> 12 && pc + m.fetchAdd[i] == s.offset();
    }

    /**
     * Runs {@code b} from its first instruction; {@code base} is instret before it. Returns its
     * length when it ran through, else the complement of the instructions attempted (a trap,
     * entered here, or a stop after an instruction). Leaves the next pc and instret in the hart.
     */
    private int execute(DecodedBlock b, long base) {
        int[] ops = b.ops();
        long[] operands = b.operands();
        long[] x = interp.x;
        Mmu m = mmu;
        JitRuntime rt = runtime;
        Interpreter in = interp;
        Csrs c = csrs;
        long pc = b.pc();
        int k = 0;
        try {
            for (; k < ops.length; k++) {
                int w = ops[k];
                long v = operands[k];
                int rd = (w >>> 8) & 31;
                long a = x[(w >>> 13) & 31];
                long npc = pc + DecodedBlock.length(w);
                long next = npc;
                boolean stop = false;
            switch (DecodedBlock.operation(w)) {
                case NOP -> { }
                case SET -> x[rd] = v;
                case ADDI -> x[rd] = a + v;
                case SLTI -> x[rd] = a < v ? 1 : 0;
                case SLTIU -> x[rd] = Long.compareUnsigned(a, v) < 0 ? 1 : 0;
                case XORI -> x[rd] = a ^ v;
                case ORI -> x[rd] = a | v;
                case ANDI -> x[rd] = a & v;
                case SLLI -> x[rd] = a << v;
                case SRLI -> x[rd] = a >>> v;
                case SRAI -> x[rd] = a >> v;
                case ADDIW -> x[rd] = (int) (a + v);
                case SLLIW -> x[rd] = (int) a << v;
                case SRLIW -> x[rd] = (int) a >>> v;
                case SRAIW -> x[rd] = (int) a >> v;
                case ADD -> x[rd] = a + x[(w >>> 18) & 31];
                case SUB -> x[rd] = a - x[(w >>> 18) & 31];
                case SLL -> x[rd] = a << x[(w >>> 18) & 31];
                case SLT -> x[rd] = a < x[(w >>> 18) & 31] ? 1 : 0;
                case SLTU -> x[rd] = Long.compareUnsigned(a, x[(w >>> 18) & 31]) < 0 ? 1 : 0;
                case XOR -> x[rd] = a ^ x[(w >>> 18) & 31];
                case SRL -> x[rd] = a >>> x[(w >>> 18) & 31];
                case SRA -> x[rd] = a >> x[(w >>> 18) & 31];
                case OR -> x[rd] = a | x[(w >>> 18) & 31];
                case AND -> x[rd] = a & x[(w >>> 18) & 31];
                case MUL -> x[rd] = a * x[(w >>> 18) & 31];
                case ADDW -> x[rd] = (int) a + (int) x[(w >>> 18) & 31];
                case SUBW -> x[rd] = (int) a - (int) x[(w >>> 18) & 31];
                case SLLW -> x[rd] = (int) a << x[(w >>> 18) & 31];
                case SRLW -> x[rd] = (int) a >>> x[(w >>> 18) & 31];
                case SRAW -> x[rd] = (int) a >> x[(w >>> 18) & 31];
                case MULW -> x[rd] = (int) a * (int) x[(w >>> 18) & 31];
                case LB -> {
                    c.instret = base + k;
                    x[rd] = m.load8(a + v);
                    stop = rt.codeWritten;
                }
                case LH -> {
                    c.instret = base + k;
                    x[rd] = m.load16(a + v);
                    stop = rt.codeWritten;
                }
                case LW -> {
                    c.instret = base + k;
                    x[rd] = m.load32(a + v);
                    stop = rt.codeWritten;
                }
                case LD -> {
                    c.instret = base + k;
                    x[rd] = m.load64(a + v);
                    stop = rt.codeWritten;
                }
                case LBU -> {
                    c.instret = base + k;
                    x[rd] = m.load8(a + v) & 0xffL;
                    stop = rt.codeWritten;
                }
                case LHU -> {
                    c.instret = base + k;
                    x[rd] = m.load16(a + v) & 0xffffL;
                    stop = rt.codeWritten;
                }
                case LWU -> {
                    c.instret = base + k;
                    x[rd] = m.load32(a + v) & 0xffffffffL;
                    stop = rt.codeWritten;
                }
                case SB -> {
                    c.instret = base + k;
                    m.store8(a + v, (byte) x[(w >>> 18) & 31]);
                    stop = rt.codeWritten;
                }
                case SH -> {
                    c.instret = base + k;
                    m.store16(a + v, (short) x[(w >>> 18) & 31]);
                    stop = rt.codeWritten;
                }
                case SW -> {
                    c.instret = base + k;
                    m.store32(a + v, (int) x[(w >>> 18) & 31]);
                    stop = rt.codeWritten;
                }
                case SD -> {
                    c.instret = base + k;
                    m.store64(a + v, x[(w >>> 18) & 31]);
                    stop = rt.codeWritten;
                }
                case BEQ -> next = a == x[(w >>> 18) & 31] ? v : npc;
                case BNE -> next = a != x[(w >>> 18) & 31] ? v : npc;
                case BLT -> next = a < x[(w >>> 18) & 31] ? v : npc;
                case BGE -> next = a >= x[(w >>> 18) & 31] ? v : npc;
                case BLTU -> next = Long.compareUnsigned(a, x[(w >>> 18) & 31]) < 0 ? v : npc;
                case BGEU -> next = Long.compareUnsigned(a, x[(w >>> 18) & 31]) >= 0 ? v : npc;
                case JAL -> {
                    if (rd != 0) {
                        x[rd] = npc;
                    }
                    next = v;
                }
                case JALR -> {
                    next = (a + v) & ~1L; // rs1 read before rd is written
                    if (rd != 0) {
                        x[rd] = npc;
                    }
                }
                default -> {
                    c.instret = base + k;
                    in.execute((int) v, (int) (v >>> 32), pc, npc);
                    next = in.pc;
                    stop = in.breakBlock | rt.codeWritten;
                }
            }
                pc = next;
                if (stop) {
                    c.instret = base + k + 1;
                    in.pc = pc;
                    return ~(k + 1);
                }
            }
        } catch (Traps.Trap trap) {
            c.instret = base + k;
            in.pc = pc;
            in.enterTrap(trap);
            return ~(k + 1);
        }
        c.instret = base + ops.length;
        in.pc = pc;
        return ops.length;
    }

    private int finish(Translation t, int attempted, boolean stop) {
        last = t;
        stopped = stop;
        return attempted;
    }
}

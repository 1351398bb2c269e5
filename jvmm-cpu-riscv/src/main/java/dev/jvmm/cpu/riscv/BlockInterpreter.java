package dev.jvmm.cpu.riscv;

import static dev.jvmm.cpu.riscv.translate.DecodedBlock.*;

import dev.jvmm.cpu.riscv.translate.DecodedBlock;
import dev.jvmm.cpu.riscv.translate.Translation;
import dev.jvmm.cpu.riscv.translate.Translator;
import java.lang.invoke.VarHandle;

/**
 * Runs {@link DecodedBlock}s: the translator tier's middle step for warm code that is not (yet)
 * worth compiling. Decoding once per block instead of at every step saves the interpreter's
 * fetch checks, compressed-instruction expansion and nested dispatch on the fields; one dense
 * switch per instruction remains. The architectural effect of every instruction, the counting
 * of instret and precise traps are exactly the interpreter's.
 *
 * <p>From one block it goes on to the next through the entries' links
 * ({@link Translation#linked}), so warm code runs here without the dispatcher's lookup; a link
 * is followed only in the link epoch it was made in and only to the RAM offset the pc maps to
 * now. In the block's own page that mapping was proven by the dispatcher's lookup of the chain's
 * first block (nothing in a decoded block can change it); in another page the fetch TLB gives
 * it, as for the dispatcher, and a pc it does not map ends the chain.
 */
final class BlockInterpreter {

    private final JitRuntime runtime;
    private final Interpreter interp;
    private final Mmu mmu;
    private final Csrs csrs;
    private final FloatUnit fp;
    private final long[] x;
    private final Translator translator;

    BlockInterpreter(JitRuntime runtime, Translator translator) {
        this.translator = translator;
        this.runtime = runtime;
        this.interp = runtime.interp;
        this.mmu = runtime.mmu;
        this.csrs = runtime.csrs;
        this.fp = runtime.interp.fp;
        this.x = runtime.x;
    }

    /**
     * Runs {@code first}'s decoded block at the interpreter's pc, then linked successors while
     * they are decoded and not compiled, the count stays below {@code chunk} and the next block
     * fits in {@code limit}; returns the instructions attempted as {@link Interpreter#runBlock}
     * counts them. Stops where the fetch TLB does not map the successor, where a successor is
     * not decoded or is hot (the dispatcher then compiles it), after a store that changed
     * translated code (the rest of its block may be stale), and
     * after a trap: its handler is entered, and instret counts only the instructions before it,
     * so the caller sees fewer retired than attempted.
     */
    int runChain(Translation first, int chunk, long limit) {
        long[] x = this.x;
        Mmu m = mmu;
        Csrs c = csrs;
        JitRuntime r = runtime;
        Translation t = first;
        long base = c.instret; // instret at the current block's start
        int done = 0;
        r.codeWritten = false;
        while (true) {
            long[] code = t.decoded();
            long pc = t.pc();
            int n = code.length;
            long target = t.decodedEnd();
            int k = 0;
            int slot = 0; // the exit taken (see DecodedBlock.EXIT_SHIFT); 0: the block's end
            boolean computed = false; // left through a JR that is not a return
            try {
                block:
                for (; k < n; k++) {
                    long w = code[k];
                    int op = (int) w;
                    int rd = (op >>> 8) & 31;
                    int rs1 = (op >>> 13) & 31;
                    int rs2 = (op >>> 18) & 31;
                    long imm = w >> 32;
                    switch (op & 0xff) {
                        case NOP -> { }
                        case LUI -> x[rd] = imm;
                        case AUIPC -> x[rd] = pc + imm;
                        case ADDI -> x[rd] = x[rs1] + imm;
                        case SLTI -> x[rd] = x[rs1] < imm ? 1 : 0;
                        case SLTIU -> x[rd] = Long.compareUnsigned(x[rs1], imm) < 0 ? 1 : 0;
                        case XORI -> x[rd] = x[rs1] ^ imm;
                        case ORI -> x[rd] = x[rs1] | imm;
                        case ANDI -> x[rd] = x[rs1] & imm;
                        case SLLI -> x[rd] = x[rs1] << imm;
                        case SRLI -> x[rd] = x[rs1] >>> imm;
                        case SRAI -> x[rd] = x[rs1] >> imm;
                        case ADDIW -> x[rd] = (int) (x[rs1] + imm);
                        case SLLIW -> x[rd] = (int) x[rs1] << imm;
                        case SRLIW -> x[rd] = (int) x[rs1] >>> (imm & 31);
                        case SRAIW -> x[rd] = (int) x[rs1] >> imm;
                        case ADD -> x[rd] = x[rs1] + x[rs2];
                        case SUB -> x[rd] = x[rs1] - x[rs2];
                        case SLL -> x[rd] = x[rs1] << x[rs2];
                        case SLT -> x[rd] = x[rs1] < x[rs2] ? 1 : 0;
                        case SLTU -> x[rd] = Long.compareUnsigned(x[rs1], x[rs2]) < 0 ? 1 : 0;
                        case XOR -> x[rd] = x[rs1] ^ x[rs2];
                        case SRL -> x[rd] = x[rs1] >>> x[rs2];
                        case SRA -> x[rd] = x[rs1] >> x[rs2];
                        case OR -> x[rd] = x[rs1] | x[rs2];
                        case AND -> x[rd] = x[rs1] & x[rs2];
                        case MUL -> x[rd] = x[rs1] * x[rs2];
                        case MULDIV -> x[rd] = Interpreter.multiplyDivide((int) imm, x[rs1], x[rs2]);
                        case ADDW -> x[rd] = (int) x[rs1] + (int) x[rs2];
                        case SUBW -> x[rd] = (int) x[rs1] - (int) x[rs2];
                        case SLLW -> x[rd] = (int) x[rs1] << x[rs2];
                        case SRLW -> x[rd] = (int) x[rs1] >>> (x[rs2] & 31);
                        case SRAW -> x[rd] = (int) x[rs1] >> x[rs2];
                        case MULW -> x[rd] = (int) x[rs1] * (int) x[rs2];
                        case MULDIVW -> x[rd] = Interpreter.multiplyDivide32((int) imm, (int) x[rs1], (int) x[rs2]);
                        case LB -> {
                            c.instret = base + k;
                            x[rd] = m.load8(x[rs1] + imm);
                        }
                        case LH -> {
                            c.instret = base + k;
                            x[rd] = m.load16(x[rs1] + imm);
                        }
                        case LW -> {
                            c.instret = base + k;
                            x[rd] = m.load32(x[rs1] + imm);
                        }
                        case LD -> {
                            c.instret = base + k;
                            x[rd] = m.load64(x[rs1] + imm);
                        }
                        case LBU -> {
                            c.instret = base + k;
                            x[rd] = m.load8(x[rs1] + imm) & 0xffL;
                        }
                        case LHU -> {
                            c.instret = base + k;
                            x[rd] = m.load16(x[rs1] + imm) & 0xffffL;
                        }
                        case LWU -> {
                            c.instret = base + k;
                            x[rd] = m.load32(x[rs1] + imm) & 0xffffffffL;
                        }
                        case LOAD_X0 -> {
                            c.instret = base + k;
                            long va = x[rs1] + imm;
                            switch (rd) { // the funct3
                                case 0, 4 -> m.load8(va);
                                case 1, 5 -> m.load16(va);
                                case 2, 6 -> m.load32(va);
                                default -> m.load64(va);
                            }
                        }
                        case SB -> {
                            c.instret = base + k;
                            m.store8(x[rs1] + imm, (byte) x[rs2]);
                        }
                        case SH -> {
                            c.instret = base + k;
                            m.store16(x[rs1] + imm, (short) x[rs2]);
                        }
                        case SW -> {
                            c.instret = base + k;
                            m.store32(x[rs1] + imm, (int) x[rs2]);
                        }
                        case SD -> {
                            c.instret = base + k;
                            m.store64(x[rs1] + imm, x[rs2]);
                        }
                        case FENCE -> VarHandle.fullFence();
                        case PAUSE -> Thread.onSpinWait();
                        case ATOMIC -> {
                            c.instret = base + k;
                            long v = interp.atomic((int) imm, x[rs1], x[rs2]);
                            if (rd != 0) {
                                x[rd] = v;
                            }
                        }
                        case FLOAT -> {
                            c.instret = base + k;
                            fp.execute((int) imm, (op & COMPRESSED) != 0 ? (op >>> 8) & 0xffff : (int) imm, x);
                        }
                        // A jump is last, a taken branch leaves: both end the block with k counting them.
                        case J -> {
                            target = pc + imm;
                            slot = op >>> EXIT_SHIFT & 0xff;
                            k++;
                            break block;
                        }
                        case JAL -> {
                            x[rd] = target;
                            target = pc + imm;
                            slot = op >>> EXIT_SHIFT & 0xff;
                            k++;
                            break block;
                        }
                        case JR -> {
                            target = (x[rs1] + imm) & ~1L;
                            computed = rs1 != 1 && rs1 != 5; // not a return: a switch or a tail call
                            slot = op >>> EXIT_SHIFT & 0xff;
                            k++;
                            break block;
                        }
                        case JALR -> {
                            long link = target;
                            target = (x[rs1] + imm) & ~1L;
                            x[rd] = link;
                            slot = op >>> EXIT_SHIFT & 0xff;
                            k++;
                            break block;
                        }
                        case BEQ -> {
                            if (x[rs1] == x[rs2]) {
                                target = pc + imm;
                                slot = op >>> EXIT_SHIFT & 0xff;
                                k++;
                                break block;
                            }
                        }
                        case BNE -> {
                            if (x[rs1] != x[rs2]) {
                                target = pc + imm;
                                slot = op >>> EXIT_SHIFT & 0xff;
                                k++;
                                break block;
                            }
                        }
                        case BLT -> {
                            if (x[rs1] < x[rs2]) {
                                target = pc + imm;
                                slot = op >>> EXIT_SHIFT & 0xff;
                                k++;
                                break block;
                            }
                        }
                        case BGE -> {
                            if (x[rs1] >= x[rs2]) {
                                target = pc + imm;
                                slot = op >>> EXIT_SHIFT & 0xff;
                                k++;
                                break block;
                            }
                        }
                        case BLTU -> {
                            if (Long.compareUnsigned(x[rs1], x[rs2]) < 0) {
                                target = pc + imm;
                                slot = op >>> EXIT_SHIFT & 0xff;
                                k++;
                                break block;
                            }
                        }
                        case BGEU -> {
                            if (Long.compareUnsigned(x[rs1], x[rs2]) >= 0) {
                                target = pc + imm;
                                slot = op >>> EXIT_SHIFT & 0xff;
                                k++;
                                break block;
                            }
                        }
                        default -> throw new IllegalStateException("unknown decoded operation " + (op & 0xff));
                    }
                    // A store, an atomic or a load's page walk (A/D bits) changed translated code.
                    if (r.codeWritten) {
                        return stopAfter(t, k, base, done);
                    }
                }
            } catch (Traps.Trap trap) {
                interp.pc = DecodedBlock.pcOf(pc, code, k);
                c.instret = base + k;
                interp.enterTrap(trap);
                return done + k + 1;
            }
            // k instructions retired: all of them, or up to a taken branch.
            done += k;
            base += k;
            Translation next = done < chunk ? successor(t, slot, computed, target, limit - done) : null;
            if (next == null) {
                interp.pc = target;
                c.instret = base;
                return done;
            }
            t = next;
        }
    }

    /**
     * The decoded, uncompiled and not yet hot entry at {@code pc}, reached through exit
     * {@code slot} of {@code t} (a JR that is not a return if {@code computed}), that fits in {@code left};
     * null to leave it to the dispatcher.
     */
    private Translation successor(Translation t, int slot, boolean computed, long pc, long left) {
        long offset;
        if (((pc ^ t.pc()) >>> 12) == 0) {
            offset = pc - t.pc() + t.offset();
        } else {
            int i = Mmu.slot(pc);
            if (mmu.fetchTlb[i] != (pc >>> 12) || (pc & 1) != 0) {
                return null; // the dispatcher's interpreter raises the fetch fault, if any
            }
            offset = pc + mmu.fetchTlb[i + 1];
        }
        int epoch = runtime.linkEpoch;
        Translation next = t.linked(slot, pc, offset, epoch);
        if (next == null) {
            if (computed) {
                t.noteJumpTarget(pc); // a new target: a region compiled here may predict it
            }
            next = translator.lookup(pc, offset);
            if (next.decoded() == null) {
                return null;
            }
            t.link(slot, next, epoch);
        }
        if (next.block() != null || next.decoded().length > left || translator.noteRun(next) != null) {
            return null;
        }
        return next;
    }

    /** Instruction {@code k} of {@code t}'s block changed translated code: it retired; the rest of the block may be stale. */
    private int stopAfter(Translation t, int k, long base, int done) {
        interp.pc = DecodedBlock.pcOf(t.pc(), t.decoded(), k + 1);
        csrs.instret = base + k + 1;
        return done + k + 1;
    }
}

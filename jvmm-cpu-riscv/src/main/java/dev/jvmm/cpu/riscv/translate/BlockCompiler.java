package dev.jvmm.cpu.riscv.translate;

import static dev.jvmm.cpu.riscv.translate.RuntimeLinkage.*;
import static java.lang.constant.ConstantDescs.CD_Object;
import static java.lang.constant.ConstantDescs.CD_byte;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_short;
import static java.lang.constant.ConstantDescs.CD_void;

import dev.jvmm.cpu.riscv.Decoder;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;

/**
 * Turns a {@link GuestBlock} into the bytes of a class implementing {@link TranslatedBlock}.
 *
 * <p>Generated {@code execute}: load the guest registers the block uses into locals; run the
 * instructions with constant pcs; at each exit write back the registers the block writes, set
 * the pc and return the retired count. Loads and stores inline the TLB hit (tag compare, offset
 * check, segment access; a store then marks its page in the RAM's dirty-page log); on a miss the written registers go back to the register file and the
 * runtime's slow path is called with the instruction's pc and the count retired before it, so a
 * trap there leaves the interpreter's exact state. A store whose slow path reports overwritten
 * code ends the block after it. A block whose last instruction jumps back to its own start
 * loops inside the method while the budget allows.
 */
public final class BlockCompiler {

    private static final int PAUSE = 0x0100000f;

    // Local slots.
    private static final int THIS = 0;
    private static final int RUNTIME_ARG = 1;
    private static final int BUDGET = 2;
    private static final int RT = 3;
    private static final int XS = 4;
    private static final int SEG = 5;
    private static final int LOAD_TAGS = 6;
    private static final int LOAD_ADDS = 7;
    private static final int STORE_TAGS = 8;
    private static final int STORE_ADDS = 9;
    private static final int DONE = 10;
    private static final int VA = 11; // long
    private static final int INDEX = 13;
    private static final int TARGET = 14; // long
    private static final int DIRTY = 16;
    private static final int HOST = 17; // long
    private static final int REG0 = 19; // x1 at REG0 + 2, ...
    private static final int FREG0 = REG0 + 64; // f0, f1 at FREG0 + 2, ...
    private static final int FP_TEMPS = REG0 + 128; // FloatEmitter's locals (six slots)

    private static final MethodTypeDesc EXECUTE = MethodTypeDesc.of(CD_int, CD_Object, CD_int);
    private static final ClassDesc OF_BYTE = ClassDesc.of("java.lang.foreign.ValueLayout$OfByte");
    private static final ClassDesc OF_SHORT = ClassDesc.of("java.lang.foreign.ValueLayout$OfShort");
    private static final ClassDesc OF_INT = ClassDesc.of("java.lang.foreign.ValueLayout$OfInt");
    private static final ClassDesc OF_LONG = ClassDesc.of("java.lang.foreign.ValueLayout$OfLong");
    private static final ClassDesc CD_LONG_BOX = ClassDesc.of("java.lang.Long");
    private static final ClassDesc CD_THREAD = ClassDesc.of("java.lang.Thread");
    private static final ClassDesc CD_VAR_HANDLE = ClassDesc.of("java.lang.invoke.VarHandle");

    private final ClassFile classFile;

    public BlockCompiler(ClassHierarchyResolver resolver) {
        this.classFile = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(resolver));
    }

    /** Class bytes for {@code block} (non-empty) named {@code name} (in the runtime's package). */
    public byte[] compile(GuestBlock block, ClassDesc name) {
        if (block.size() == 0) {
            throw new IllegalArgumentException("empty block");
        }
        return classFile.build(name, cb -> {
            cb.withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SUPER);
            cb.withInterfaceSymbols(TRANSLATED_BLOCK);
            cb.withMethodBody(ConstantDescs.INIT_NAME, ConstantDescs.MTD_void, ClassFile.ACC_PUBLIC,
                    c -> c.aload(THIS).invokespecial(CD_Object, ConstantDescs.INIT_NAME, ConstantDescs.MTD_void).return_());
            cb.withMethodBody("execute", EXECUTE, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL,
                    c -> new Emitter(c, block).emit());
        });
    }

    /** Emits one block's {@code execute} body. */
    private static final class Emitter implements BlockContext {
        private final CodeBuilder c;
        private final GuestBlock block;
        private final FloatEmitter fp;
        private final boolean[] used = new boolean[32];
        private final boolean[] written = new boolean[32];
        private boolean hasLoads;
        private boolean hasStores;
        private Label top;

        Emitter(CodeBuilder c, GuestBlock block) {
            this.c = c;
            this.block = block;
            this.fp = new FloatEmitter(this, FREG0, FP_TEMPS);
            for (GuestBlock.Instruction i : block.instructions()) {
                scan(i.insn());
            }
        }

        private void scan(int insn) {
            int rd = Decoder.rd(insn);
            int rs1 = Decoder.rs1(insn);
            int rs2 = Decoder.rs2(insn);
            boolean readsRs1;
            boolean readsRs2;
            boolean writesRd;
            switch (insn & 0x7f) {
                case 0x37, 0x17, 0x6f -> {
                    readsRs1 = false;
                    readsRs2 = false;
                    writesRd = true;
                }
                case 0x67, 0x13, 0x1b -> {
                    readsRs1 = true;
                    readsRs2 = false;
                    writesRd = true;
                }
                case 0x03 -> {
                    readsRs1 = true;
                    readsRs2 = false;
                    writesRd = true;
                    hasLoads = true;
                }
                case 0x23 -> {
                    readsRs1 = true;
                    readsRs2 = true;
                    writesRd = false;
                    hasStores = true;
                }
                case 0x63 -> {
                    readsRs1 = true;
                    readsRs2 = true;
                    writesRd = false;
                }
                case 0x33, 0x3b -> {
                    readsRs1 = true;
                    readsRs2 = true;
                    writesRd = true;
                }
                default -> {
                    readsRs1 = false;
                    readsRs2 = false;
                    writesRd = false;
                    hasLoads |= (insn & 0x7f) == 0x07;
                    hasStores |= (insn & 0x7f) == 0x27;
                }
            }
            fp.scan(insn, used, written);
            if (readsRs1) {
                used[rs1] = true;
            }
            if (readsRs2) {
                used[rs2] = true;
            }
            if (writesRd) {
                used[rd] = true;
                written[rd] = true;
            }
            used[0] = false;
            written[0] = false;
        }

        void emit() {
            prologue();
            var list = block.instructions();
            for (int k = 0; k < list.size(); k++) {
                instruction(k, list.get(k));
            }
            if (!block.endsWithControlTransfer()) {
                exit(block.nextPc(), list.size());
            }
        }

        private void prologue() {
            c.aload(RUNTIME_ARG).checkcast(RUNTIME).astore(RT);
            c.aload(RT).getfield(RUNTIME, X, LONG_ARRAY).astore(XS);
            if (hasLoads || hasStores) {
                c.aload(RT).getfield(RUNTIME, SEGMENT, MEMORY_SEGMENT).astore(SEG);
            }
            if (hasLoads) {
                c.aload(RT).getfield(RUNTIME, MMU_FIELD, MMU).getfield(MMU, LOAD_TAG, LONG_ARRAY).astore(LOAD_TAGS);
                c.aload(RT).getfield(RUNTIME, MMU_FIELD, MMU).getfield(MMU, LOAD_ADD, LONG_ARRAY).astore(LOAD_ADDS);
            }
            if (hasStores) {
                c.aload(RT).getfield(RUNTIME, MMU_FIELD, MMU).getfield(MMU, STORE_TAG, LONG_ARRAY).astore(STORE_TAGS);
                c.aload(RT).getfield(RUNTIME, MMU_FIELD, MMU).getfield(MMU, STORE_ADD, LONG_ARRAY).astore(STORE_ADDS);
                c.aload(RT).getfield(RUNTIME, DIRTY_PAGES, DIRTY_PAGE_LOG).astore(DIRTY);
            }
            iconst(0);
            c.istore(DONE);
            for (int r = 1; r < 32; r++) {
                if (used[r]) {
                    c.aload(XS);
                    iconst(r);
                    c.laload().lstore(slot(r));
                }
            }
            fp.prologue(RT);
            top = c.newLabel();
            c.labelBinding(top);
        }

        // ---- helpers ----

        private static int slot(int reg) {
            return REG0 + 2 * reg;
        }

        private void iconst(int v) {
            c.loadConstant(Integer.valueOf(v));
        }

        private void lconst(long v) {
            c.loadConstant(Long.valueOf(v));
        }

        private void push(int reg) {
            if (reg == 0) {
                c.lconst_0();
            } else {
                c.lload(slot(reg));
            }
        }

        /** Pops a long into guest register {@code rd} (discarded for x0). */
        private void pop(int rd) {
            if (rd == 0) {
                c.pop2();
            } else {
                c.lstore(slot(rd));
            }
        }

        private void writeBack() {
            for (int r = 1; r < 32; r++) {
                if (written[r]) {
                    c.aload(XS);
                    iconst(r);
                    c.lload(slot(r)).lastore();
                }
            }
            fp.writeBack();
        }

        @Override
        public CodeBuilder code() {
            return c;
        }

        @Override
        public void pushX(int reg) {
            push(reg);
        }

        @Override
        public void popX(int rd) {
            pop(rd);
        }

        /** The running retired count plus {@code k}, on the stack as an int. */
        private void retired(int k) {
            c.iload(DONE);
            iconst(k);
            c.iadd();
        }

        @Override
        public void exit(long pc, int count) {
            writeBack();
            c.aload(RT).getfield(RUNTIME, INTERPRETER_FIELD, INTERPRETER);
            lconst(pc);
            c.putfield(INTERPRETER, PC, CD_long);
            retired(count);
            c.ireturn();
        }

        /** Exit to the pc in local TARGET. */
        private void exitToTarget(int count) {
            writeBack();
            c.aload(RT).getfield(RUNTIME, INTERPRETER_FIELD, INTERPRETER).lload(TARGET).putfield(INTERPRETER, PC, CD_long);
            retired(count);
            c.ireturn();
        }

        /** Jump to {@code target} as the block's last instruction (index {@code k}). */
        private void jumpTo(long target, int k) {
            int len = block.size();
            if (target == block.pc()) {
                // Loop inside the method while another pass fits the budget.
                Label out = c.newLabel();
                c.iload(DONE);
                iconst(len);
                c.iadd().istore(DONE);
                c.iload(DONE);
                iconst(len);
                c.iadd().iload(BUDGET).if_icmpgt(out);
                c.goto_(top);
                c.labelBinding(out);
                exit(target, 0);
            } else {
                exit(target, k + 1);
            }
        }

        /** Converts an int comparison result on the stack (negative = less) to 1L / 0L for "less". */
        private void lessToLong() {
            Label t = c.newLabel();
            Label end = c.newLabel();
            c.iflt(t);
            c.lconst_0();
            c.goto_(end);
            c.labelBinding(t);
            c.lconst_1();
            c.labelBinding(end);
        }

        private void compareUnsigned() {
            c.invokestatic(CD_LONG_BOX, "compareUnsigned", MethodTypeDesc.of(CD_int, CD_long, CD_long));
        }

        // ---- instructions ----

        private void instruction(int k, GuestBlock.Instruction gi) {
            int insn = gi.insn();
            long pc = gi.pc();
            long npc = gi.nextPc();
            int rd = Decoder.rd(insn);
            int rs1 = Decoder.rs1(insn);
            int rs2 = Decoder.rs2(insn);
            int f3 = Decoder.funct3(insn);
            int f7 = Decoder.funct7(insn);
            switch (insn & 0x7f) {
                case 0x37 -> { // LUI
                    if (rd != 0) {
                        lconst(insn & 0xfffff000);
                        pop(rd);
                    }
                }
                case 0x17 -> { // AUIPC
                    if (rd != 0) {
                        lconst(pc + (insn & 0xfffff000));
                        pop(rd);
                    }
                }
                case 0x6f -> { // JAL
                    if (rd != 0) {
                        lconst(npc);
                        pop(rd);
                    }
                    jumpTo(pc + Decoder.immJ(insn), k);
                }
                case 0x67 -> { // JALR: target before the link, as rs1 may be rd
                    push(rs1);
                    lconst(Decoder.immI(insn));
                    c.ladd();
                    lconst(~1L);
                    c.land().lstore(TARGET);
                    if (rd != 0) {
                        lconst(npc);
                        pop(rd);
                    }
                    exitToTarget(k + 1);
                }
                case 0x63 -> branch(k, insn, rs1, rs2, f3, pc, npc);
                case 0x03 -> load(k, insn, rd, rs1, f3, pc);
                case 0x23 -> store(k, insn, rs1, rs2, f3, pc, npc);
                case 0x13 -> opImm(insn, rd, rs1, f3);
                case 0x1b -> opImm32(insn, rd, rs1, f3, f7);
                case 0x33 -> op(rd, rs1, rs2, f3, f7);
                case 0x3b -> op32(rd, rs1, rs2, f3, f7);
                case 0x07, 0x27, 0x43, 0x47, 0x4b, 0x4f, 0x53, 0x73 -> fp.instruction(k, gi);
                case 0x0f -> {
                    if (insn == PAUSE) {
                        c.invokestatic(CD_THREAD, "onSpinWait", MethodTypeDesc.of(CD_void));
                    } else {
                        c.invokestatic(CD_VAR_HANDLE, "fullFence", MethodTypeDesc.of(CD_void));
                    }
                }
                default -> throw new IllegalArgumentException("untranslatable instruction 0x" + Integer.toHexString(insn));
            }
        }

        private void branch(int k, int insn, int rs1, int rs2, int f3, long pc, long npc) {
            Label taken = c.newLabel();
            push(rs1);
            push(rs2);
            switch (f3) {
                case 0 -> c.lcmp().ifeq(taken);
                case 1 -> c.lcmp().ifne(taken);
                case 4 -> c.lcmp().iflt(taken);
                case 5 -> c.lcmp().ifge(taken);
                case 6 -> {
                    compareUnsigned();
                    c.iflt(taken);
                }
                case 7 -> {
                    compareUnsigned();
                    c.ifge(taken);
                }
                default -> throw new IllegalArgumentException("bad branch");
            }
            exit(npc, k + 1);
            c.labelBinding(taken);
            jumpTo(pc + Decoder.immB(insn), k);
        }

        /** Computes va = rs1 + imm into VA and the TLB index into INDEX. */
        private void address(int rs1, long imm) {
            push(rs1);
            lconst(imm);
            c.ladd().lstore(VA);
            c.lload(VA);
            iconst(12);
            c.lushr().l2i();
            iconst(0xff);
            c.iand().istore(INDEX);
        }

        /** Branches to {@code slow} unless the TLB array {@code tags} hits for a {@code size}-byte access at VA. */
        private void tlbCheck(int tags, int size, Label slow) {
            c.aload(tags).iload(INDEX).laload();
            c.lload(VA);
            iconst(12);
            c.lushr().lcmp().ifne(slow);
            if (size > 1) {
                c.lload(VA);
                lconst(0xfff);
                c.land();
                lconst(0x1000 - size);
                c.lcmp().ifgt(slow);
            }
        }

        /** Pushes the segment, the layout and the host offset (VA + add[INDEX]). */
        private void hostAccessPrefix(int adds, int size) {
            pushLayout(size);
            c.lload(VA).aload(adds).iload(INDEX).laload().ladd();
        }

        /** Pushes the segment and the layout for a {@code size}-byte access. */
        private void pushLayout(int size) {
            c.aload(SEG);
            switch (size) {
                case 1 -> c.getstatic(VALUE_LAYOUT, "JAVA_BYTE", OF_BYTE);
                case 2 -> c.getstatic(GUEST_MEMORY, "SHORT", OF_SHORT);
                case 4 -> c.getstatic(GUEST_MEMORY, "INT", OF_INT);
                default -> c.getstatic(GUEST_MEMORY, "LONG", OF_LONG);
            }
        }

        private static ClassDesc layoutType(int size) {
            return switch (size) {
                case 1 -> OF_BYTE;
                case 2 -> OF_SHORT;
                case 4 -> OF_INT;
                default -> OF_LONG;
            };
        }

        private static ClassDesc valueType(int size) {
            return switch (size) {
                case 1 -> CD_byte;
                case 2 -> CD_short;
                case 4 -> CD_int;
                default -> CD_long;
            };
        }

        private void load(int k, int insn, int rd, int rs1, int f3, long pc) {
            loadRaw(k, pc, rs1, Decoder.immI(insn), 1 << (f3 & 3));
            // Both paths leave a long whose low 'size' bytes are the data: extend as the opcode says.
            switch (f3) {
                case 0 -> c.l2i().i2b().i2l();
                case 1 -> c.l2i().i2s().i2l();
                case 2 -> c.l2i().i2l();
                case 4 -> {
                    lconst(0xffL);
                    c.land();
                }
                case 5 -> {
                    lconst(0xffffL);
                    c.land();
                }
                case 6 -> {
                    lconst(0xffffffffL);
                    c.land();
                }
                default -> { }
            }
            pop(rd);
        }

        @Override
        public void loadRaw(int k, long pc, int rs1, long imm, int size) {
            address(rs1, imm);
            Label slow = c.newLabel();
            Label done = c.newLabel();
            tlbCheck(LOAD_TAGS, size, slow);
            hostAccessPrefix(LOAD_ADDS, size);
            c.invokeinterface(MEMORY_SEGMENT, "get", MethodTypeDesc.of(valueType(size), layoutType(size), CD_long));
            if (size != 8) {
                c.i2l();
            }
            c.goto_(done);
            c.labelBinding(slow);
            writeBack();
            c.aload(RT).lload(VA);
            iconst(size);
            lconst(pc);
            retired(k);
            c.invokevirtual(RUNTIME, "loadSlow", LOAD_SLOW);
            c.labelBinding(done);
        }

        private void store(int k, int insn, int rs1, int rs2, int f3, long pc, long npc) {
            storeRaw(k, pc, npc, rs1, Decoder.immS(insn), 1 << f3, () -> push(rs2));
        }

        @Override
        public void storeRaw(int k, long pc, long npc, int rs1, long imm, int size, Runnable value) {
            address(rs1, imm);
            Label slow = c.newLabel();
            Label done = c.newLabel();
            tlbCheck(STORE_TAGS, size, slow);
            c.lload(VA).aload(STORE_ADDS).iload(INDEX).laload().ladd().lstore(HOST);
            pushLayout(size);
            c.lload(HOST);
            value.run();
            switch (size) {
                case 1 -> c.l2i().i2b();
                case 2 -> c.l2i().i2s();
                case 4 -> c.l2i();
                default -> { }
            }
            c.invokeinterface(MEMORY_SEGMENT, "set", MethodTypeDesc.of(CD_void, layoutType(size), CD_long, valueType(size)));
            // Mark the page after the store (the slow path's store marks inside the MMU).
            c.aload(DIRTY).lload(HOST).invokevirtual(DIRTY_PAGE_LOG, "markOffset", MARK_OFFSET);
            c.goto_(done);
            c.labelBinding(slow);
            writeBack();
            c.aload(RT).lload(VA);
            iconst(size);
            value.run();
            lconst(pc);
            retired(k);
            c.invokevirtual(RUNTIME, "storeSlow", STORE_SLOW);
            c.ifeq(done);
            exit(npc, k + 1); // the store overwrote translated code: refetch from the next instruction
            c.labelBinding(done);
        }

        private void opImm(int insn, int rd, int rs1, int f3) {
            if (rd == 0) {
                return; // no effect (includes NOP and HINTs)
            }
            long imm = Decoder.immI(insn);
            push(rs1);
            switch (f3) {
                case 0 -> {
                    lconst(imm);
                    c.ladd();
                }
                case 1 -> {
                    iconst((int) (imm & 63));
                    c.lshl();
                }
                case 2 -> {
                    lconst(imm);
                    c.lcmp();
                    lessToLong();
                }
                case 3 -> {
                    lconst(imm);
                    compareUnsigned();
                    lessToLong();
                }
                case 4 -> {
                    lconst(imm);
                    c.lxor();
                }
                case 5 -> {
                    iconst((int) (imm & 63));
                    if ((insn >>> 26) == 0) {
                        c.lushr();
                    } else {
                        c.lshr();
                    }
                }
                case 6 -> {
                    lconst(imm);
                    c.lor();
                }
                default -> {
                    lconst(imm);
                    c.land();
                }
            }
            pop(rd);
        }

        private void opImm32(int insn, int rd, int rs1, int f3, int f7) {
            if (rd == 0) {
                return;
            }
            push(rs1);
            c.l2i();
            switch (f3) {
                case 0 -> {
                    iconst(insn >> 20);
                    c.iadd();
                }
                case 1 -> {
                    iconst((insn >>> 20) & 31);
                    c.ishl();
                }
                default -> {
                    iconst((insn >>> 20) & 31);
                    if (f7 == 0) {
                        c.iushr();
                    } else {
                        c.ishr();
                    }
                }
            }
            c.i2l();
            pop(rd);
        }

        private void op(int rd, int rs1, int rs2, int f3, int f7) {
            if (rd == 0) {
                return;
            }
            if (f7 == 1 && f3 != 0) {
                iconst(f3);
                push(rs1);
                push(rs2);
                c.invokestatic(INTERPRETER, "multiplyDivide", MULTIPLY_DIVIDE);
                pop(rd);
                return;
            }
            push(rs1);
            push(rs2);
            if (f7 == 1) {
                c.lmul();
            } else if (f7 == 0x20) {
                if (f3 == 0) {
                    c.lsub();
                } else {
                    c.l2i().lshr();
                }
            } else {
                switch (f3) {
                    case 0 -> c.ladd();
                    case 1 -> c.l2i().lshl();
                    case 2 -> {
                        c.lcmp();
                        lessToLong();
                    }
                    case 3 -> {
                        compareUnsigned();
                        lessToLong();
                    }
                    case 4 -> c.lxor();
                    case 5 -> c.l2i().lushr();
                    case 6 -> c.lor();
                    default -> c.land();
                }
            }
            pop(rd);
        }

        private void op32(int rd, int rs1, int rs2, int f3, int f7) {
            if (rd == 0) {
                return;
            }
            push(rs1);
            c.l2i();
            push(rs2);
            c.l2i();
            MethodTypeDesc intOp = MethodTypeDesc.of(CD_int, CD_int, CD_int);
            if (f7 == 1) {
                switch (f3) {
                    case 0 -> c.imul();
                    case 4 -> c.invokestatic(ARITHMETIC, "divw", intOp);
                    case 5 -> c.invokestatic(ARITHMETIC, "divuw", intOp);
                    case 6 -> c.invokestatic(ARITHMETIC, "remw", intOp);
                    default -> c.invokestatic(ARITHMETIC, "remuw", intOp);
                }
            } else if (f7 == 0x20) {
                if (f3 == 0) {
                    c.isub();
                } else {
                    c.ishr();
                }
            } else {
                switch (f3) {
                    case 0 -> c.iadd();
                    case 1 -> c.ishl();
                    default -> c.iushr();
                }
            }
            c.i2l();
            pop(rd);
        }
    }
}

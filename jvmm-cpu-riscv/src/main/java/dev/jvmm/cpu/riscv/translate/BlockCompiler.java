package dev.jvmm.cpu.riscv.translate;

import static dev.jvmm.cpu.riscv.translate.RuntimeLinkage.*;
import static java.lang.constant.ConstantDescs.CD_boolean;
import static java.lang.constant.ConstantDescs.CD_byte;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_short;
import static java.lang.constant.ConstantDescs.CD_void;

import dev.jvmm.cpu.riscv.Decoder;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Attributes;
import java.lang.classfile.Label;
import java.lang.classfile.MethodModel;
import java.lang.classfile.attribute.CodeAttribute;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link GuestRegion} into the bytes of a class implementing {@link TranslatedBlock}.
 *
 * <p>Generated {@code execute}: load the guest registers the region uses into locals (they stay
 * there across the whole region); run the instructions in pc order with constant pcs, each
 * region label a bytecode label, so a branch, JAL or predicted return to a label is a
 * {@code goto}; every way out (a target outside the region, JALR, an untranslated next
 * instruction, the budget) jumps to a shared exit that writes back the registers some path
 * to it may have written, sets the pc and returns the retired count. The count is kept exact
 * as the budget left ({@code LEFT}, the budget minus the instructions retired), lowered on
 * every edge between labels, and the constant position since the last label: a loop then
 * keeps one counter live, not a count and the budget (registers are scarce in guest loops).
 * A backward edge continues only if the longest forward run from its target still fits what
 * is left, so a call never retires more than its budget.
 *
 * <p>F and D instructions are emitted by {@link FloatEmitter}; the f registers are locals like the
 * x registers and are part of the same written-back mask. Its guards (FS not Off, frm valid) and
 * the FS dirtying are placed by a must-data-flow over the region's edges: before (after) the first
 * instruction that needs (sets) them on every path, so each path behaves as the interpreter would.
 *
 * <p>Loads and stores inline the TLB hit (one compare of the tag, in the array that holds tag
 * and add side by side, with the page of the access's last byte; then {@code DirectRam}'s
 * bounds-checked access, a class-data constant so its address and size fold); accesses through
 * one unchanged base register share one check (see {@link AccessGroups}); on a miss the
 * registers the region writes go back to the register file and the runtime's slow path is
 * called with the instruction's pc and the count retired before it, so a trap there leaves the
 * interpreter's exact state. After a slow path the region leaves, to the next instruction: a
 * slow path that returned into the fast one (a call HotSpot must keep every live value across)
 * made HotSpot keep guest registers on the stack in the whole loop around it. Leaving also
 * covers a slow store (or a page walk's A bit) that overwrote translated code.
 */
public final class BlockCompiler {

    private static final int PAUSE = 0x0100000f;

    // Local slots.
    private static final int THIS = 0;
    private static final int BUDGET = 1;
    private static final int DEPTH = 2;
    private static final int RT = 3;
    private static final int XS = 4;
    private static final int RAM = 5;
    private static final int LOAD_TLB = 6;
    private static final int STORE_TLB = 7;
    private static final int LEFT = 8; // the budget minus the instructions retired so far
    private static final int VA = 9; // long
    private static final int INDEX = 11;
    private static final int TARGET = 12; // long
    private static final int NEXT = 14;
    private static final int SLOT = 15; // the exit's link slot, or -1
    private static final int REG0 = 16; // x1 at REG0 + 2, ...
    private static final int FREG0 = REG0 + 64; // f0, f1 at FREG0 + 2, ...
    private static final int FP_TEMPS = REG0 + 128; // FloatEmitter's locals (six slots)
    private static final int GROUP0 = FP_TEMPS + 6; // per access group: its host offset (long), whether it hit (int)

    /** Exits to constant pcs that get a link slot; further ones return to the dispatcher. */
    private static final int MAX_LINKS = 8;

    private static final MethodTypeDesc EXECUTE = MethodTypeDesc.of(CD_int, CD_int, CD_int);
    private static final MethodTypeDesc LINK_TARGETS = MethodTypeDesc.of(LONG_ARRAY);
    private static final ClassDesc BLOCK_ARRAY = TRANSLATED_BLOCK.arrayType();
    private static final ClassDesc CD_LONG_BOX = ClassDesc.of("java.lang.Long");
    private static final ClassDesc CD_THREAD = ClassDesc.of("java.lang.Thread");
    private static final ClassDesc CD_VAR_HANDLE = ClassDesc.of("java.lang.invoke.VarHandle");

    /** Longest {@code execute} body: HotSpot's JITs skip methods over 8000 bytes (HugeMethodLimit). */
    static final int MAX_CODE_LENGTH = 7900;

    private final ClassFile classFile;

    public BlockCompiler(ClassHierarchyResolver resolver) {
        this.classFile = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(resolver));
    }

    /** Class bytes for {@code block} (non-empty) named {@code name} (in the runtime's package). */
    public byte[] compile(GuestBlock block, ClassDesc name) {
        return compile(GuestRegion.of(block), name);
    }

    /** Class bytes for {@code block} (non-empty) named {@code name} (in the runtime's package). */
    public byte[] compile(GuestRegion block, ClassDesc name) {
        if (block.size() == 0) {
            throw new IllegalArgumentException("empty region");
        }
        return classFile.build(name, cb -> {
            cb.withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SUPER);
            cb.withSuperclass(TRANSLATED_BLOCK);
            cb.withMethodBody(ConstantDescs.INIT_NAME, ConstantDescs.MTD_void, ClassFile.ACC_PUBLIC,
                    c -> c.aload(THIS).invokespecial(TRANSLATED_BLOCK, ConstantDescs.INIT_NAME, ConstantDescs.MTD_void).return_());
            List<Long> linkTargets = new ArrayList<>();
            cb.withMethodBody("execute", EXECUTE, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL,
                    c -> linkTargets.addAll(new Emitter(c, block).emit()));
            cb.withMethodBody("linkTargets", LINK_TARGETS, ClassFile.ACC_PROTECTED | ClassFile.ACC_FINAL, c -> {
                c.loadConstant(linkTargets.size()).newarray(java.lang.classfile.TypeKind.LONG);
                for (int k = 0; k < linkTargets.size(); k++) {
                    c.dup().loadConstant(k).loadConstant(linkTargets.get(k)).lastore();
                }
                c.areturn();
            });
        });
    }

    /** Bytecode length of the {@code execute} method in {@code classBytes}. */
    static int codeLength(byte[] classBytes) {
        for (MethodModel m : ClassFile.of().parse(classBytes).methods()) {
            if (m.methodName().equalsString("execute")) {
                return m.findAttribute(Attributes.code()).map(CodeAttribute::codeLength).orElse(0);
            }
        }
        return 0;
    }

    /** Emits one region's {@code execute} body. */
    private static final class Emitter implements BlockContext {
        private final CodeBuilder c;
        private final GuestRegion block;
        private final FloatEmitter fp;
        private final boolean[] used = new boolean[32];
        private final boolean[] written = new boolean[32];
        private boolean hasLoads;
        private boolean hasStores;
        /** The bytecode label of each region label (by guest pc). */
        private final Map<Long, Label> labels = new HashMap<>();
        /** Forward runs of the region's labels (by guest pc). */
        private final Map<Long, Integer> runs = new HashMap<>();
        /** Index of the instruction being emitted. */
        private int current;
        /**
         * Per instruction: registers some path from the entry through it may have written (bit r
         * for x{r}, bit 32 + r for f{r}).
         */
        private final long[] writtenAfter;
        /** Per instruction: the {@link FloatEmitter.Checks} that hold on every path from the entry to it. */
        private final int[] checkedBefore;
        /**
         * The shared write-back for each set of registers an exit writes back; all of them
         * continue in the one chaining tail (the exit's pc in TARGET, its link slot in SLOT).
         */
        private final Map<Long, Label> exits = new java.util.LinkedHashMap<>();
        /** The constant pcs with a link slot, in slot order. */
        private final List<Long> linkTargets = new ArrayList<>();
        /** Loads and stores whose TLB check one check at the first of them covers. */
        private final AccessGroups groups;

        Emitter(CodeBuilder c, GuestRegion block) {
            this.c = c;
            this.block = block;
            this.fp = new FloatEmitter(this, FREG0, FP_TEMPS);
            this.groups = AccessGroups.find(block);
            int n = block.size();
            List<List<Integer>> successors = successors();
            long[] writes = new long[n];
            int[] establishes = new int[n];
            for (int k = 0; k < n; k++) {
                int insn = block.instructions().get(k).insn();
                writes[k] = scan(insn);
                establishes[k] = FloatEmitter.Checks.established(insn);
            }
            writtenAfter = maybeWritten(writes, successors);
            checkedBefore = mustHold(establishes, successors);
            int[] forward = block.forwardRuns();
            for (int k = 0; k < n; k++) {
                long pc = block.instructions().get(k).pc();
                if (block.labels().contains(pc)) {
                    runs.put(pc, forward[k]);
                }
            }
        }

        /** Notes the registers {@code insn} uses; returns those it writes (bit r for x{r}, 32 + r for f{r}). */
        private long scan(int insn) {
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
                case 0x33, 0x3b, 0x2f -> {
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
            long writes = fp.scan(insn, used, written);
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
            if (writesRd && rd != 0) {
                writes |= 1L << rd;
            }
            return writes;
        }

        /** The instructions control may go to inside the region after each one. */
        private List<List<Integer>> successors() {
            var list = block.instructions();
            Map<Long, Integer> index = block.indexByPc();
            List<List<Integer>> all = new ArrayList<>(list.size());
            for (int k = 0; k < list.size(); k++) {
                List<Integer> next = new ArrayList<>();
                if (block.fallsInto(k)) {
                    next.add(k + 1);
                }
                GuestBlock.Instruction i = list.get(k);
                long t = GuestRegion.directTarget(i.pc(), i.insn());
                if (t != GuestRegion.NO_TARGET && block.labels().contains(t)) {
                    next.add(index.get(t));
                }
                for (long site : block.predictions().getOrDefault(i.pc(), List.of())) {
                    next.add(index.get(site));
                }
                all.add(next);
            }
            return all;
        }

        /**
         * Forward data flow over the region's edges: which registers may have been written
         * when control leaves after each instruction. An exit writes back only those (the
         * others still hold their values in the register file), so a short run through a
         * large region does not pay for every register the region writes.
         */
        private long[] maybeWritten(long[] writes, List<List<Integer>> successors) {
            int n = writes.length;
            long[] in = new long[n];
            long[] out = new long[n];
            boolean[] reached = new boolean[n];
            ArrayDeque<Integer> work = new ArrayDeque<>();
            int entry = block.indexByPc().get(block.pc());
            reached[entry] = true;
            work.add(entry);
            while (!work.isEmpty()) {
                int k = work.poll();
                out[k] = in[k] | writes[k];
                for (int s : successors.get(k)) {
                    long merged = in[s] | out[k];
                    if (!reached[s] || merged != in[s]) {
                        reached[s] = true;
                        in[s] = merged;
                        work.add(s);
                    }
                }
            }
            return out;
        }

        /**
         * Forward data flow for the FP guards: which facts (bits of {@code establishes}, see
         * {@link FloatEmitter.Checks}) hold on every path from the entry to each instruction. A
         * guard or the FS dirtying is emitted where its fact may not hold yet, so every path
         * checks FS and frm before its first FP instruction that needs them (exiting there
         * with that instruction's pc and count) and dirties FS after its first dirtying one,
         * as the interpreter does.
         */
        private int[] mustHold(int[] establishes, List<List<Integer>> successors) {
            int n = establishes.length;
            int[] in = new int[n];
            boolean[] reached = new boolean[n];
            ArrayDeque<Integer> work = new ArrayDeque<>();
            int entry = block.indexByPc().get(block.pc());
            reached[entry] = true; // in[entry] = 0: nothing is known at the entry
            work.add(entry);
            while (!work.isEmpty()) {
                int k = work.poll();
                int out = in[k] | establishes[k];
                for (int s : successors.get(k)) {
                    int merged = reached[s] ? in[s] & out : out;
                    if (s == entry) {
                        merged = 0;
                    }
                    if (!reached[s] || merged != in[s]) {
                        reached[s] = true;
                        in[s] = merged;
                        work.add(s);
                    }
                }
            }
            return in; // unreached instructions (dead code) keep 0: every guard, harmlessly
        }

        /** Emits the body; returns the pcs of the link slots. */
        List<Long> emit() {
            prologue();
            var list = block.instructions();
            for (long pc : runs.keySet()) {
                labels.put(pc, c.newLabel());
            }
            // Body: instructions in pc order.
            if (list.getFirst().pc() != block.pc()) {
                c.goto_(labels.get(block.pc()));
            }
            int k = 0; // position since the last label: BUDGET - LEFT + k were retired before instruction k
            for (int n = 0; n < list.size(); n++) {
                GuestBlock.Instruction gi = list.get(n);
                Label here = labels.get(gi.pc());
                if (here != null) {
                    if (n > 0 && block.fallsInto(n - 1) && k != 0) {
                        c.iinc(LEFT, -k);
                    }
                    c.labelBinding(here);
                    k = 0;
                }
                current = n;
                instruction(k, gi);
                k++;
                if (!BlockDecoder.isControlTransfer(gi.insn()) && !block.fallsInto(n)) {
                    exit(gi.nextPc(), k); // the next instruction is not in the region
                }
            }
            Label tail = c.newLabel();
            for (var e : exits.entrySet()) {
                c.labelBinding(e.getValue());
                writeBack(e.getKey());
                c.goto_(tail);
            }
            c.labelBinding(tail);
            c.loadConstant(classData(CLASS_DATA_INTERPRETER, INTERPRETER)).lload(TARGET)
                    .putfield(INTERPRETER, PC, CD_long);
            chain();
            return linkTargets;
        }

        /** Returns the retired count to the dispatcher (or to the block that called this one). */
        private void returnToDispatcher() {
            retired(0);
            c.ireturn();
        }

        /**
         * The exits' one tail, after the write-back, with the next pc in TARGET and its link slot
         * (or -1) in SLOT: the next block is the one linked in the slot, or for an exit without
         * a slot the compiled block the runtime finds at TARGET, or NONE. It is called only while
         * the chain is not too deep, at least one instruction retired here and the rest of the
         * budget covers its entry run (never NONE's), all tested as one sum's sign: one branch,
         * which many blocks take both ways (at the chain's depth and budget ends) before HotSpot
         * compiles them, so it keeps both (a branch that only later runs took, such as the first
         * time a link was there, made it discard and recompile the block; see TranslatedBlock).
         * Else the block returns to the dispatcher, which links the slot. One tail per method,
         * not one per exit: it is most of an exit's bytecode, and HotSpot's compile time grows
         * with the bytecode.
         */
        private void chain() {
            Label plain = c.newLabel();
            Label check = c.newLabel();
            if (!linkTargets.isEmpty()) {
                Label computed = c.newLabel();
                c.iload(SLOT).iflt(computed);
                c.aload(THIS).getfield(TRANSLATED_BLOCK, "links", BLOCK_ARRAY).iload(SLOT).aaload().astore(NEXT);
                c.goto_(check);
                c.labelBinding(computed);
            }
            c.aload(RT).lload(TARGET).invokevirtual(RUNTIME, "chainTarget", CHAIN_TARGET).astore(NEXT);
            c.labelBinding(check);
            // (left - next's entry run) | (MAX_CHAIN_DEPTH - 1 - depth) | (retired - 1) < 0
            c.iload(LEFT);
            c.aload(NEXT).invokevirtual(TRANSLATED_BLOCK, "entryRun", MethodTypeDesc.of(CD_int)).isub();
            iconst(TranslatedBlock.MAX_CHAIN_DEPTH - 1);
            c.iload(DEPTH).isub().ior();
            retired(-1);
            c.ior();
            c.iflt(plain);
            c.aload(RT).dup().getfield(RUNTIME, CHAINED, CD_int);
            retired(0);
            c.iadd().putfield(RUNTIME, CHAINED, CD_int);
            c.aload(NEXT).iload(LEFT).iload(DEPTH).iconst_1().iadd();
            c.invokevirtual(TRANSLATED_BLOCK, "execute", EXECUTE);
            c.ireturn();
            c.labelBinding(plain);
            c.aload(RT).aload(THIS).putfield(RUNTIME, EXIT_BLOCK, TRANSLATED_BLOCK);
            c.aload(RT).iload(SLOT).putfield(RUNTIME, EXIT_SLOT, CD_int);
            returnToDispatcher();
        }

        private void prologue() {
            c.loadConstant(classData(CLASS_DATA_RUNTIME, RUNTIME)).astore(RT);
            // The runtime, the register file, RAM and the data TLB are the class's constants (class data), so
            // HotSpot folds them: no loads at entry, no registers held for them in loops, and TLB
            // indexes need no bounds checks (the arrays' length is known).
            c.loadConstant(classData(CLASS_DATA_X, LONG_ARRAY)).astore(XS);
            if (hasLoads || hasStores) {
                // The TLB arrays are one privilege's (see HartConstants): under another, return
                // before the first instruction and let the interpreter run it.
                Label sameSet = c.newLabel();
                c.loadConstant(classData(CLASS_DATA_MMU, MMU)).getfield(MMU, CURRENT_LOAD_TLB, LONG_ARRAY);
                c.loadConstant(classData(CLASS_DATA_LOAD_TLB, LONG_ARRAY)).if_acmpeq(sameSet);
                c.iconst_0().ireturn();
                c.labelBinding(sameSet);
                c.loadConstant(classData(CLASS_DATA_RAM, DIRECT_RAM)).astore(RAM);
            }
            if (hasLoads) {
                c.loadConstant(classData(CLASS_DATA_LOAD_TLB, LONG_ARRAY)).astore(LOAD_TLB);
            }
            if (hasStores) {
                c.loadConstant(classData(CLASS_DATA_STORE_TLB, LONG_ARRAY)).astore(STORE_TLB);
            }
            c.iload(BUDGET).istore(LEFT);
            for (int r = 1; r < 32; r++) {
                if (used[r]) {
                    c.aload(XS);
                    iconst(r);
                    c.laload().lstore(slot(r));
                }
            }
            fp.prologue();
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
            writeBack(-1L);
        }

        /** Writes back the registers of {@code mask} (bit r for x{r}, 32 + r for f{r}) that the region writes. */
        private void writeBack(long mask) {
            for (int r = 1; r < 32; r++) {
                if (written[r] && (mask & (1L << r)) != 0) {
                    c.aload(XS);
                    iconst(r);
                    c.lload(slot(r)).lastore();
                }
            }
            fp.writeBack((int) (mask >>> 32));
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
            c.iload(BUDGET).iload(LEFT).isub();
            if (k != 0) {
                iconst(k);
                c.iadd();
            }
        }

        /** Leaves the region to {@code pc} after {@code count} more instructions (since the last label). */
        @Override
        public void exit(long pc, int count) {
            boolean samePage = ((pc ^ block.pc()) >>> 12) == 0;
            if (samePage && !linkTargets.contains(pc) && linkTargets.size() < MAX_LINKS) {
                linkTargets.add(pc); // a link slot: only a block of the same page may be linked
            }
            exitAfterSlowPath(pc, count);
        }

        /**
         * Leaves the region to {@code npc} after a slow path, {@code count} instructions in,
         * through the link slot the block has for that pc if any, without making one: slow paths
         * are rare, and a block with many loads and stores would otherwise spend its slots on
         * them before its branches' exits.
         */
        private void exitAfterSlowPath(long npc, int count) {
            lconst(npc);
            c.lstore(TARGET);
            leave(count, linkTargets.indexOf(npc)); // -1 for none (slots hold same-page pcs only)
        }

        /** Leaves the region to the pc in local TARGET (a computed one: no link slot). */
        private void exitToTarget(int count) {
            leave(count, -1);
        }

        /** Leaves the region to the pc in TARGET through link slot {@code slot} (or none: -1). */
        private void leave(int count, int slot) {
            if (count != 0) {
                c.iinc(LEFT, -count);
            }
            iconst(slot);
            c.istore(SLOT);
            c.goto_(exits.computeIfAbsent(writtenAfter[current], m -> c.newLabel()));
        }

        /**
         * Control goes to {@code target} after instruction {@code k} (since the last label): a
         * {@code goto} if the region holds it (on a backward edge only while the longest run
         * from there fits the budget), else an exit.
         */
        private void jumpTo(long target, int k) {
            Label to = labels.get(target);
            if (to == null) {
                exit(target, k + 1);
                return;
            }
            c.iinc(LEFT, -(k + 1));
            if (target <= block.instructions().get(current).pc()) {
                Label out = c.newLabel();
                c.iload(LEFT);
                iconst(runs.get(target));
                c.if_icmplt(out);
                c.goto_(to);
                c.labelBinding(out);
                exit(target, 0);
            } else {
                c.goto_(to);
            }
        }

        /** After a not-taken branch (instruction {@code k}): on to {@code npc} inside the region, or out. */
        private void fallThrough(long npc, int k, Label next) {
            if (block.fallsInto(current)) {
                c.goto_(next);
            } else {
                exit(npc, k + 1);
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
                    predictJump(pc, k);
                    exitToTarget(k + 1);
                }
                case 0x63 -> branch(k, insn, rs1, rs2, f3, pc, npc);
                case 0x03 -> load(k, insn, rd, rs1, f3, pc, npc);
                case 0x23 -> store(k, insn, rs1, rs2, f3, pc, npc);
                case 0x13 -> opImm(insn, rd, rs1, f3);
                case 0x1b -> opImm32(insn, rd, rs1, f3, f7);
                case 0x33 -> op(rd, rs1, rs2, f3, f7);
                case 0x3b -> op32(rd, rs1, rs2, f3, f7);
                case 0x07, 0x27, 0x43, 0x47, 0x4b, 0x4f, 0x53, 0x73 -> fp.instruction(k, gi, checkedBefore[current]);
                case 0x2f -> atomic(k, insn, rd, rs1, rs2, pc, npc);
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

        /** A JALR (target in TARGET) continues inside the region when it goes to one of its predicted labels. */
        private void predictJump(long pc, int k) {
            for (long site : block.predictions().getOrDefault(pc, List.of())) {
                Label miss = c.newLabel();
                c.lload(TARGET);
                lconst(site);
                c.lcmp().ifne(miss);
                jumpTo(site, k);
                c.labelBinding(miss);
            }
        }

        private void branch(int k, int insn, int rs1, int rs2, int f3, long pc, long npc) {
            Label taken = c.newLabel();
            Label next = c.newLabel();
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
            fallThrough(npc, k, next);
            c.labelBinding(taken);
            jumpTo(pc + Decoder.immB(insn), k);
            c.labelBinding(next);
        }

        /**
         * Computes va = rs1 + imm into VA and its entry's slot in the TLB array {@code tlb} into
         * INDEX (the tag there, the add after it; see {@code Mmu.slot}). The mask is the array's
         * length less two: the MMU's size, never a second copy of it, and it proves both the slot
         * and the one after it in bounds to HotSpot.
         */
        private void address(int rs1, long imm, int tlb) {
            push(rs1);
            lconst(imm);
            c.ladd().lstore(VA);
            c.lload(VA);
            iconst(11);
            c.lushr();
            // Masked as a long: the int it then becomes needs no zero-extension to index the array.
            c.aload(tlb).arraylength().iconst_2().isub().i2l();
            c.land().l2i().istore(INDEX);
        }

        /** Pushes the add (RAM offset minus virtual address) of the entry at INDEX of the TLB array {@code tlb}. */
        private void tlbAdd(int tlb) {
            c.aload(tlb).iload(INDEX).iconst_1().iadd().laload();
        }

        /** Loads {@code size} bytes from the RAM offset on the stack, as a long (its low bytes the data). */
        private void loadValue(int size) {
            c.invokevirtual(DIRECT_RAM, "load" + 8 * size, MethodTypeDesc.of(valueType(size), CD_long));
            if (size != 8) {
                c.i2l();
            }
        }

        /** Stores what {@code value} pushes, narrowed to {@code size} bytes, at the RAM offset below it on the stack. */
        private void storeValue(int size, Runnable value) {
            value.run();
            switch (size) {
                case 1 -> c.l2i().i2b();
                case 2 -> c.l2i().i2s();
                case 4 -> c.l2i();
                default -> { }
            }
            c.invokevirtual(DIRECT_RAM, "store" + 8 * size, MethodTypeDesc.of(CD_void, CD_long, valueType(size)));
        }

        private static int groupAdd(AccessGroups.Group g) {
            return GROUP0 + 3 * g.id();
        }

        private static int groupHit(AccessGroups.Group g) {
            return GROUP0 + 3 * g.id() + 2;
        }

        /**
         * Before the first access of {@code g}: whether all of its accesses, {@code [low, high)}
         * from x{rs1}, lie in one page that the TLB array {@code tlb} maps; if so, that page's
         * host offset for them all.
         */
        private void groupCheck(AccessGroups.Group g, int rs1, int tlb) {
            Label miss = c.newLabel();
            iconst(0);
            c.istore(groupHit(g));
            lconst(0);
            c.lstore(groupAdd(g));
            // The span as one access of its length: a TLB hit that stays in the page.
            address(rs1, g.low(), tlb);
            tlbCheck(tlb, (int) (g.high() - g.low()), miss);
            tlbAdd(tlb);
            c.lstore(groupAdd(g));
            iconst(1);
            c.istore(groupHit(g));
            c.labelBinding(miss);
        }

        /**
         * Branches to {@code slow} unless the TLB array {@code tlb} hits for a {@code size}-byte
         * access at VA: the tag at INDEX must be the page of the access's last byte, which holds
         * only if the entry maps VA's page and the access stays in it (see {@code Mmu.slot}).
         */
        private void tlbCheck(int tlb, int size, Label slow) {
            c.aload(tlb).iload(INDEX).laload();
            c.lload(VA);
            if (size > 1) {
                lconst(size - 1);
                c.ladd();
            }
            iconst(12);
            c.lushr().lcmp().ifne(slow);
        }

        private static ClassDesc valueType(int size) {
            return switch (size) {
                case 1 -> CD_byte;
                case 2 -> CD_short;
                case 4 -> CD_int;
                default -> CD_long;
            };
        }

        private void load(int k, int insn, int rd, int rs1, int f3, long pc, long npc) {
            loadRaw(k, pc, npc, rs1, Decoder.immI(insn), 1 << (f3 & 3), () -> extendInto(rd, f3));
        }

        /** Extends the loaded long on the stack (its low bytes are the data) as load {@code f3} says, into rd. */
        private void extendInto(int rd, int f3) {
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
        public void loadRaw(int k, long pc, long npc, int rs1, long imm, int size, Runnable complete) {
            AccessGroups.Group group = groups.of(current);
            if (group != null && group.first() == current) {
                groupCheck(group, rs1, LOAD_TLB);
            }
            address(rs1, imm, LOAD_TLB);
            Label slow = c.newLabel();
            Label done = c.newLabel();
            Label own = c.newLabel();
            if (group != null) {
                c.iload(groupHit(group)).ifeq(own);
                c.aload(RAM).lload(VA).lload(groupAdd(group)).ladd();
                loadValue(size);
                c.goto_(done);
            }
            c.labelBinding(own);
            tlbCheck(LOAD_TLB, size, slow);
            c.aload(RAM).lload(VA);
            tlbAdd(LOAD_TLB);
            c.ladd();
            loadValue(size);
            c.goto_(done);
            c.labelBinding(slow);
            writeBack();
            c.aload(RT).lload(VA);
            iconst(size);
            lconst(pc);
            retired(k);
            c.invokevirtual(RUNTIME, "loadSlow", LOAD_SLOW);
            complete.run();
            exitAfterSlowPath(npc, k + 1);
            c.labelBinding(done);
            complete.run();
        }

        private void store(int k, int insn, int rs1, int rs2, int f3, long pc, long npc) {
            storeRaw(k, pc, npc, rs1, Decoder.immS(insn), 1 << f3, () -> push(rs2));
        }

        @Override
        public void storeRaw(int k, long pc, long npc, int rs1, long imm, int size, Runnable value) {
            AccessGroups.Group group = groups.of(current);
            if (group != null && group.first() == current) {
                groupCheck(group, rs1, STORE_TLB);
            }
            address(rs1, imm, STORE_TLB);
            Label slow = c.newLabel();
            Label done = c.newLabel();
            Label own = c.newLabel();
            if (group != null) {
                c.iload(groupHit(group)).ifeq(own);
                c.aload(RAM).lload(VA).lload(groupAdd(group)).ladd();
                storeValue(size, value);
                c.goto_(done);
            }
            c.labelBinding(own);
            tlbCheck(STORE_TLB, size, slow);
            c.aload(RAM).lload(VA);
            tlbAdd(STORE_TLB);
            c.ladd();
            storeValue(size, value);
            c.goto_(done);
            c.labelBinding(slow);
            writeBack();
            c.aload(RT).lload(VA);
            iconst(size);
            value.run();
            lconst(pc);
            retired(k);
            c.invokevirtual(RUNTIME, "storeSlow", STORE_SLOW);
            exitAfterSlowPath(npc, k + 1);
            c.labelBinding(done);
        }

        /**
         * AMO, LR and SC go through the runtime (the interpreter's own implementation, with its
         * LR reservation), after the write-back, as a slow path would; the block goes on after
         * them unless the write overwrote translated code.
         */
        private void atomic(int k, int insn, int rd, int rs1, int rs2, long pc, long npc) {
            writeBack();
            c.aload(RT);
            iconst(insn);
            push(rs1);
            push(rs2);
            lconst(pc);
            retired(k);
            c.invokevirtual(RUNTIME, "atomic", ATOMIC);
            if (rd != 0) {
                pop(rd);
            } else {
                c.pop2();
            }
            Label done = c.newLabel();
            c.aload(RT).getfield(RUNTIME, CODE_WRITTEN, CD_boolean).ifeq(done);
            exitAfterSlowPath(npc, k + 1); // refetch from the next instruction
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

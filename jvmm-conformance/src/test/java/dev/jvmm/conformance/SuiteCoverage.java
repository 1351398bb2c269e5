package dev.jvmm.conformance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What jvmm implements, written down as data, and what a disassembled conformance program uses
 * of it: instruction mnemonics (as {@code objdump -M no-aliases} spells them) and the CSRs named
 * by CSR instructions. The suite's programs are self-checking straight-line code, so an
 * instruction in their text is one they execute (bar a few {@code .word}s that encode illegal
 * instructions on purpose, which are not in these lists).
 */
final class SuiteCoverage {

    /** RV64GC plus the privileged instructions, by extension, as jvmm's Decoder and Interpreter implement them. */
    static final Map<String, List<String>> INSTRUCTIONS = instructions();

    /**
     * The CSRs jvmm-cpu-riscv's Csrs class implements, by name; a numbered family (hpmcounter3..31,
     * pmpaddr0..63, ...) is one entry, covered when any of its members is used.
     */
    static final Map<String, Pattern> CSRS = csrs();

    private static final Pattern AMO_ORDERING = Pattern.compile("\\.(aqrl|aq|rl)$");
    private static final Pattern CSR_INSTRUCTION = Pattern.compile("csrr[wsc]i?");

    private SuiteCoverage() {
    }

    private static Map<String, List<String>> instructions() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("RV64I", words("""
                lui auipc jal jalr beq bne blt bge bltu bgeu lb lh lw lbu lhu lwu ld sb sh sw sd
                addi slti sltiu xori ori andi slli srli srai add sub sll slt sltu xor srl sra or and
                addiw slliw srliw sraiw addw subw sllw srlw sraw fence ecall ebreak"""));
        m.put("Zifencei", words("fence.i"));
        m.put("Zicsr", words("csrrw csrrs csrrc csrrwi csrrsi csrrci"));
        m.put("M", words("mul mulh mulhsu mulhu div divu rem remu mulw divw divuw remw remuw"));
        m.put("A", words("""
                lr.w sc.w amoswap.w amoadd.w amoxor.w amoand.w amoor.w amomin.w amomax.w amominu.w amomaxu.w
                lr.d sc.d amoswap.d amoadd.d amoxor.d amoand.d amoor.d amomin.d amomax.d amominu.d amomaxu.d"""));
        m.put("F", words("""
                flw fsw fmadd.s fmsub.s fnmsub.s fnmadd.s fadd.s fsub.s fmul.s fdiv.s fsqrt.s
                fsgnj.s fsgnjn.s fsgnjx.s fmin.s fmax.s fcvt.w.s fcvt.wu.s fmv.x.w feq.s flt.s fle.s
                fclass.s fcvt.s.w fcvt.s.wu fmv.w.x fcvt.l.s fcvt.lu.s fcvt.s.l fcvt.s.lu"""));
        m.put("D", words("""
                fld fsd fmadd.d fmsub.d fnmsub.d fnmadd.d fadd.d fsub.d fmul.d fdiv.d fsqrt.d
                fsgnj.d fsgnjn.d fsgnjx.d fmin.d fmax.d fcvt.s.d fcvt.d.s feq.d flt.d fle.d fclass.d
                fcvt.w.d fcvt.wu.d fcvt.d.w fcvt.d.wu fcvt.l.d fcvt.lu.d fmv.x.d fcvt.d.l fcvt.d.lu fmv.d.x"""));
        m.put("C", words("""
                c.addi4spn c.fld c.lw c.ld c.fsd c.sw c.sd c.nop c.addi c.addiw c.li c.addi16sp c.lui
                c.srli c.srai c.andi c.sub c.xor c.or c.and c.subw c.addw c.j c.beqz c.bnez c.slli
                c.fldsp c.lwsp c.ldsp c.jr c.mv c.ebreak c.jalr c.add c.fsdsp c.swsp c.sdsp"""));
        m.put("privileged", words("mret sret wfi sfence.vma"));
        return m;
    }

    private static Map<String, Pattern> csrs() {
        Map<String, Pattern> m = new LinkedHashMap<>();
        for (String name : words("""
                fflags frm fcsr cycle time instret sstatus sie stvec scounteren senvcfg sscratch sepc
                scause stval sip satp mvendorid marchid mimpid mhartid mconfigptr mstatus misa medeleg
                mideleg mie mtvec mcounteren menvcfg mcountinhibit mscratch mepc mcause mtval mip
                mcycle minstret""")) {
            m.put(name, Pattern.compile(Pattern.quote(name)));
        }
        m.put("hpmcounter3..31", Pattern.compile("hpmcounter([3-9]|[12][0-9]|3[01])"));
        m.put("mhpmcounter3..31", Pattern.compile("mhpmcounter([3-9]|[12][0-9]|3[01])"));
        m.put("mhpmevent3..31", Pattern.compile("mhpmevent([3-9]|[12][0-9]|3[01])"));
        m.put("pmpcfg0..14 (even)", Pattern.compile("pmpcfg(0|2|4|6|8|10|12|14)"));
        m.put("pmpaddr0..63", Pattern.compile("pmpaddr([0-9]|[1-5][0-9]|6[0-3])"));
        return m;
    }

    private static List<String> words(String text) {
        return List.of(text.strip().split("\\s+"));
    }

    static List<String> allInstructions() {
        return INSTRUCTIONS.values().stream().flatMap(List::stream).toList();
    }

    /** What the programs use: mnemonics and CSR operand names, collected from disassemblies. */
    record Usage(Set<String> mnemonics, Set<String> csrs) {

        static Usage empty() {
            return new Usage(new TreeSet<>(), new TreeSet<>());
        }

        /** Adds every instruction line of one {@code objdump -d -M no-aliases} listing. */
        void addDisassembly(String objdump) {
            for (String line : objdump.split("\n")) {
                // "    80000000:\t00000297          \tauipc\tt0,0x0"
                String[] f = line.split("\t");
                if (f.length < 3 || !f[0].strip().matches("[0-9a-f]+:")) {
                    continue;
                }
                String mnemonic = AMO_ORDERING.matcher(f[2].strip()).replaceFirst("");
                String operands = f.length >= 4 ? f[3].strip() : "";
                if (mnemonic.equals("c.addi") && operands.equals("zero,0")) {
                    mnemonic = "c.nop";          // no-aliases prints C.NOP as the C.ADDI it is encoded as
                }
                mnemonics.add(mnemonic);
                if (CSR_INSTRUCTION.matcher(mnemonic).matches()) {
                    String[] ops = operands.split(",");
                    if (ops.length == 3) {
                        csrs.add(ops[1].strip());
                    }
                }
            }
        }
    }

    /** Covered and missing entries of one list. */
    record Tally(List<String> covered, List<String> missing) {

        int total() {
            return covered.size() + missing.size();
        }
    }

    static Tally instructionTally(Usage u) {
        List<String> covered = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String m : allInstructions()) {
            (u.mnemonics().contains(m) ? covered : missing).add(m);
        }
        return new Tally(covered, missing);
    }

    static Tally csrTally(Usage u) {
        List<String> covered = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, Pattern> e : CSRS.entrySet()) {
            boolean used = u.csrs().stream().anyMatch(c -> e.getValue().matcher(c).matches());
            (used ? covered : missing).add(e.getKey());
        }
        return new Tally(covered, missing);
    }
}

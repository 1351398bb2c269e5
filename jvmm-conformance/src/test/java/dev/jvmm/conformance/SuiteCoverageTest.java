package dev.jvmm.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Counts which of jvmm's instructions and CSRs the conformance programs execute (from their
 * disassembly), prints the numbers and the gaps, and holds the floor so coverage cannot shrink
 * unnoticed. Raise the floors when a program adds coverage.
 */
class SuiteCoverageTest {

    /** Every RV64GC and privileged instruction in {@link SuiteCoverage#INSTRUCTIONS}. */
    static final int INSTRUCTION_FLOOR = SuiteCoverage.allInstructions().size();
    /** Every CSR entry in {@link SuiteCoverage#CSRS}. */
    static final int CSR_FLOOR = SuiteCoverage.CSRS.size();

    @Test
    void theSuiteExecutesEveryImplementedInstructionAndCsr() throws Exception {
        SuiteCoverage.Usage usage = SuiteCoverage.Usage.empty();
        for (String name : ConformanceTest.PROGRAMS) {
            usage.addDisassembly(CrossToolchain.disassemble(ConformanceTest.build(name)));
        }
        SuiteCoverage.Tally insns = SuiteCoverage.instructionTally(usage);
        SuiteCoverage.Tally csrs = SuiteCoverage.csrTally(usage);
        System.out.printf("instructions covered: %d of %d; CSRs covered: %d of %d%n",
                insns.covered().size(), insns.total(), csrs.covered().size(), csrs.total());
        System.out.println("instructions not covered: " + insns.missing());
        System.out.println("CSRs not covered: " + csrs.missing());
        assertThat(insns.covered().size()).as("instructions the suite executes; missing: %s", insns.missing())
                .isGreaterThanOrEqualTo(INSTRUCTION_FLOOR);
        assertThat(csrs.covered().size()).as("CSRs the suite accesses; missing: %s", csrs.missing())
                .isGreaterThanOrEqualTo(CSR_FLOOR);
    }

    @Test
    void disassemblyLinesGiveCanonicalMnemonicsAndCsrOperands() {
        String objdump = """

                prog.elf:     file format elf64-littleriscv

                Disassembly of section .text:

                0000000080000000 <_start>:
                    80000000:\t00000193          \taddi\tgp,zero,0
                    80000004:\t300025f3          \tcsrrs\ta1,mstatus,zero
                    80000008:\t7c0025f3          \tcsrrs\ta1,0x7c0,zero
                    8000000c:\t0c55b52f          \tamoadd.d.aqrl\ta0,t0,(a1)
                    80000010:\t4185                \tc.li\tgp,1
                    80000012:\t3000d073          \tcsrrwi\tzero,mstatus,1
                    80000016:\tb0002573          \tcsrrs\ta0,mhpmcounter3,zero
                    8000001a:\t0001                \tc.addi\tzero,0
                """;
        SuiteCoverage.Usage u = SuiteCoverage.Usage.empty();
        u.addDisassembly(objdump);
        assertThat(u.mnemonics()).containsExactlyInAnyOrder("addi", "csrrs", "amoadd.d", "c.li", "csrrwi", "c.nop");
        assertThat(u.csrs()).containsExactlyInAnyOrder("mstatus", "0x7c0", "mhpmcounter3");
        assertThat(SuiteCoverage.csrTally(u).covered()).containsExactly("mstatus", "mhpmcounter3..31");
        assertThat(SuiteCoverage.instructionTally(u).covered()).contains("amoadd.d", "c.li", "csrrwi")
                .doesNotContain("amoadd.w");
    }
}

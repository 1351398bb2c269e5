package dev.jvmm.conformance.lockstep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvmm.conformance.CrossToolchain;
import dev.jvmm.cpu.riscv.translate.TranslatorOptions;
import dev.jvmm.machine.ExitReason;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The lockstep harness itself: two identical runs agree to the end, and a difference planted in
 * one side (a register, a RAM word the program never touches) is reported at the step after it
 * appears, naming what differs. Without this a silent harness would make every lockstep pass.
 */
class EngineLockstepTest {

    private static Path elf;

    @BeforeAll
    static void buildProgram() throws Exception {
        Path sources = Path.of(System.getProperty("jvmm.conformance.asm", "src/test/asm"));
        Path out = Path.of(System.getProperty("jvmm.conformance.out", "target/conformance")).resolveSibling("lockstep");
        elf = new CrossToolchain(sources).build("rv64m", out);
    }

    private static EngineLockstep lockstep() throws Exception {
        return new EngineLockstep(elf, 16L << 20, TranslatorOptions.defaults().withHotThreshold(1), 7);
    }

    @Test
    void identicalSidesRunToTheFinisherWithTranslatedCode() throws Exception {
        try (EngineLockstep l = lockstep()) {
            EngineLockstep.Result r = l.run(1_000_000);
            assertThat(r.exit()).isEqualTo(new ExitReason.PowerOff());
            assertThat(r.console()).isEqualTo("PASS\n");
            assertThat(r.steps()).isGreaterThan(1);
            assertThat(r.jit().translatedInstructions()).isPositive();
        }
    }

    @Test
    void aRegisterDifferenceIsReportedAtTheNextStep() throws Exception {
        try (EngineLockstep l = lockstep()) {
            l.step(5);
            l.jitSide().hart.setFpRegister(31, 0x1234);  // rv64m never touches f31
            assertThatThrownBy(() -> l.step(1)).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("after step 2").hasMessageContaining("f31: interpreter 0x0, jit 0x1234");
        }
    }

    @Test
    void aRamDifferenceIsReportedAtTheNextStep() throws Exception {
        try (EngineLockstep l = lockstep()) {
            l.step(5);
            long address = l.jitSide().ram.base() + (8L << 20);  // far from the program's pages
            l.jitSide().ram.writeLong(address, 0x5a5a);
            assertThatThrownBy(() -> l.step(1)).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("after step 2")
                    .hasMessageContaining("RAM at 0x%x: interpreter 0x0000000000000000, jit 0x0000000000005a5a"
                            .formatted(address));
        }
    }
}

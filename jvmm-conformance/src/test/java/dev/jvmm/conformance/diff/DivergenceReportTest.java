package dev.jvmm.conformance.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.cpu.riscv.Engine;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A divergence's report names the engine that diverged and, for the translator, where it leaves the interpreter. */
class DivergenceReportTest {

    private static final StateDump.Difference X10 = new StateDump.Difference("x10", "0000000000000001", "0000000000000002");

    @Test
    void aTranslatorDivergenceNamesTheEngineAndItsFirstDifferenceFromTheInterpreter() {
        Divergence d = new Divergence(42, 3, 200, Engine.JIT, X10, Optional.empty(),
                Optional.of(new StateDump.Difference("x10", "0000000000000001", "0000000000000002")),
                Optional.empty(), Path.of("seed-42.S"));
        assertThat(d.report())
                .contains("seed 42 on the translator (jit)")
                .contains("x10 (a0): QEMU 0000000000000001, jvmm 0000000000000002")
                .contains("and from the interpreter: x10 (a0): interpreter 0000000000000001, jit 0000000000000002");
    }

    @Test
    void aTranslatorDivergenceTheInterpreterSharesSaysSo() {
        Divergence d = new Divergence(42, 3, 200, Engine.JIT, X10, Optional.empty(), Optional.empty(),
                Optional.empty(), Path.of("seed-42.S"));
        assertThat(d.report()).contains("the interpreter's state is the same");
    }

    @Test
    void anInterpreterDivergenceNamesTheInterpreter() {
        Divergence d = new Divergence(7, 0, 200, Engine.INTERPRETER, X10, Optional.of("Stopped[message=x]"),
                Optional.empty(), Optional.empty(), Path.of("seed-7.S"));
        assertThat(d.report()).contains("seed 7 on the interpreter").contains("jvmm ended with Stopped[message=x]")
                .doesNotContain("from the interpreter");
    }
}

package dev.jvmm.cpu.riscv;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SmokeTest {

    @Test
    void addsAndStopsAtLabel() {
        try (TestRig rig = new TestRig()) {
            rig.load("""
                    li a0, 40
                    addi a0, a0, 2
                    c.addi a0, 1
                done: j done
                """).runTo("done");
            assertThat(rig.x("a0")).isEqualTo(43);
            assertThat(rig.hart.instructionsRetired()).isEqualTo(3);
        }
    }
}

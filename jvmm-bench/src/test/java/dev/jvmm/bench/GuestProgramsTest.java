package dev.jvmm.bench;

import static dev.jvmm.bench.GuestCode.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.cpu.riscv.Decoder;
import dev.jvmm.cpu.riscv.Engine;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The benchmarks' guest programs do what their scores assume, on jvmm's hart. */
class GuestProgramsTest {

    @ParameterizedTest
    @ValueSource(longs = {0, 1, -1, 2047, -2048, 2049, 100_000, 0x7ffff800L, 0x8010_0000L, 0x8000_0000_0008_0200L,
        0x1234_5678_9abc_def0L, Long.MIN_VALUE, Long.MAX_VALUE})
    void liLoadsAnySixtyFourBitConstant(long value) {
        GuestCode c = new GuestCode(GuestPrograms.RAM_BASE).li(A0, value);
        long length = c.bytes().length / 4;
        c.label("end").j("end");
        try (GuestMachine m = new GuestMachine(Engine.INTERPRETER).startMachineMode(c)) {
            assertThat(m.hart.run(length)).isEqualTo(length);
            assertThat(m.hart.register(A0)).isEqualTo(value);
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void tightLoopRetiresTheBudgetAndSumsTheCounterIntoS0(Engine engine) {
        GuestCode c = GuestPrograms.tightLoop();
        // Everything before "loop" is 32-bit instructions; then INNER iterations of 8.
        long budget = (c.address("loop") - GuestPrograms.RAM_BASE) / 4 + 8L * GuestPrograms.INNER;
        try (GuestMachine m = new GuestMachine(engine).startMachineMode(c)) {
            long retired = 0;
            while (retired < budget) {
                retired += m.hart.run(Math.min(10_000, budget - retired));
            }
            assertThat(retired).isEqualTo(budget);
            long n = GuestPrograms.INNER;
            assertThat(m.hart.register(S0)).isEqualTo(n * (n + 1) / 2);
            assertThat(m.hart.pc()).isEqualTo(c.address("loop") + 32); // the "j outer" after the loop
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    void callLoopKeepsRunningThroughCallsAndReturns(Engine engine) {
        GuestCode c = GuestPrograms.callLoop();
        try (GuestMachine m = new GuestMachine(engine).startMachineMode(c)) {
            for (int k = 0; k < 100; k++) {
                assertThat(m.hart.run(10_000)).isEqualTo(10_000);
            }
            long pc = m.hart.pc();
            assertThat(pc).isBetween(GuestPrograms.RAM_BASE, c.address("work") + 12);
            assertThat(m.hart.privilege()).isEqualTo(3);
        }
    }

    @Test
    void straightLineComesBackToItsStartWithoutTrapping() {
        GuestCode c = GuestPrograms.straightLine(1000);
        try (GuestMachine m = new GuestMachine(Engine.INTERPRETER).startMachineMode(c)) {
            assertThat(m.hart.run(1001 * 3)).isEqualTo(1001 * 3);
            assertThat(m.hart.pc()).isEqualTo(GuestPrograms.RAM_BASE);
            assertThat(m.hart.privilege()).isEqualTo(3);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void loadLoopReadsTheDataPageInSupervisorModeWithPagingAsAsked(boolean sv39) {
        GuestCode c = GuestPrograms.loadLoop(sv39);
        long[] data = {11, 22, 33, 44, 55, 66, 77, 88};
        try (GuestMachine m = new GuestMachine(Engine.INTERPRETER)) {
            m.writeLongs(GuestPrograms.PAGE_TABLE, GuestPrograms.identityPageTable());
            m.writeLongs(GuestPrograms.DATA, data);
            m.startSupervisorMode(c);
            long toLoop = (c.address("loop") - GuestPrograms.RAM_BASE) / 4;
            assertThat(m.hart.run(toLoop + 8)).isEqualTo(toLoop + 8);
            assertThat(m.hart.privilege()).isEqualTo(1);
            assertThat(m.hart.debugCsr(0x180)).isEqualTo(sv39 ? (8L << 60) | (GuestPrograms.PAGE_TABLE >>> 12) : 0);
            for (int k = 0; k < 8; k++) {
                assertThat(m.hart.register(A0 + k)).as("a%d", k).isEqualTo(data[k]);
            }
            assertThat(m.hart.pc()).isEqualTo(c.address("loop") + 32);
        }
    }

    @Test
    void decodeMixHoldsOnlyLegalInstructionsOfWhichAboutFortyPercentCompressed() {
        int count = FetchDecodeBenchmark.COUNT;
        ByteBuffer b = ByteBuffer.wrap(GuestPrograms.decodeMix(count).bytes()).order(ByteOrder.LITTLE_ENDIAN);
        int seen = 0;
        int compressed = 0;
        while (b.remaining() >= 2) {
            int parcel = b.getShort(b.position()) & 0xffff;
            if (Decoder.isCompressed(parcel)) {
                assertThat(Decoder.expandCompressed(parcel)).as("parcel %04x", parcel).isNotZero();
                b.position(b.position() + 2);
                compressed++;
            } else {
                b.position(b.position() + 4);
            }
            seen++;
        }
        assertThat(seen).isEqualTo(count);
        assertThat(compressed * 100 / count).isBetween(30, 50);
    }
}

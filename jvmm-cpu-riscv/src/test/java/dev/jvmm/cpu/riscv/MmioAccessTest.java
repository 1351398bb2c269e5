package dev.jvmm.cpu.riscv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.memory.MmioDevice;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MmioAccessTest {

    /** Records accesses; reads return a counter so caching would show. */
    static final class RecordingDevice implements MmioDevice {
        final List<String> log = new ArrayList<>();
        long reads;

        @Override
        public long read(long offset, int size) {
            log.add("r" + size + "@" + offset);
            return ++reads;
        }

        @Override
        public void write(long offset, int size, long value) {
            log.add("w" + size + "@" + offset + "=" + Long.toHexString(value));
        }
    }

    private static TestRig run(RecordingDevice device, String body) {
        TestRig rig = new TestRig();
        rig.bus.map(0x10000000L, 0x1000, device);
        rig.load("""
                la t0, mtrap
                csrw mtvec, t0
                li s0, 0x10000000
                """ + body + """
                j done
                .balign 4
            mtrap:
                csrr s10, mcause
                csrr s11, mtval
            done: j done
            """).runTo("done");
        return rig;
    }

    @Test
    void loadsAndStoresReachTheDeviceWithOffsetAndSizeEveryTime() {
        RecordingDevice dev = new RecordingDevice();
        try (TestRig rig = run(dev, """
                lw a0, 8(s0)
                lw a1, 8(s0)
                lb a2, 1(s0)
                li t0, 0xabcd
                sh t0, 4(s0)
                sd t0, 16(s0)
                """)) {
            assertThat(dev.log).containsExactly("r4@8", "r4@8", "r1@1", "w2@4=abcd", "w8@16=abcd");
            assertThat(rig.x("a0")).isEqualTo(1);
            assertThat(rig.x("a1")).isEqualTo(2);
        }
    }

    @Test
    void accessToUnmappedAddressRaisesAccessFault() {
        try (TestRig rig = run(new RecordingDevice(), """
                li t0, 0x20000000
                lw a0, 0(t0)
                """)) {
            assertThat(rig.x("s10")).isEqualTo(Traps.LOAD_ACCESS_FAULT);
            assertThat(rig.x("s11")).isEqualTo(0x20000000L);
        }
        try (TestRig rig = run(new RecordingDevice(), """
                li t0, 0x20000000
                sw a0, 0(t0)
                """)) {
            assertThat(rig.x("s10")).isEqualTo(Traps.STORE_ACCESS_FAULT);
        }
    }

    @Test
    void instructionFetchFromMmioRaisesAccessFault() {
        RecordingDevice dev = new RecordingDevice();
        try (TestRig rig = run(dev, """
                jr s0
                """)) {
            assertThat(rig.x("s10")).isEqualTo(Traps.INSTRUCTION_ACCESS_FAULT);
            assertThat(rig.x("s11")).isEqualTo(0x10000000L);
            assertThat(dev.log).isEmpty();
        }
    }

    @Test
    void loadPastTheEndOfRamRaisesAccessFault() {
        try (TestRig rig = run(new RecordingDevice(), """
                li t0, 0x80000000 + (16 << 20) - 4
                ld a0, 0(t0)
                """)) {
            assertThat(rig.x("s10")).isEqualTo(Traps.LOAD_ACCESS_FAULT);
        }
    }

    @Test
    void deviceExceptionBecomesAccessFaultInsteadOfEscaping() {
        MmioDevice broken = new MmioDevice() {
            @Override
            public long read(long offset, int size) {
                throw new IllegalStateException("device bug");
            }

            @Override
            public void write(long offset, int size, long value) {
            }
        };
        try (TestRig rig = new TestRig()) {
            rig.bus.map(0x10000000L, 0x1000, broken);
            rig.load("""
                    la t0, mtrap
                    csrw mtvec, t0
                    li s0, 0x10000000
                    lw a0, 0(s0)
                    .balign 4
                mtrap:
                    csrr s10, mcause
                done: j done
                """).runTo("done");
            assertThat(rig.x("s10")).isEqualTo(Traps.LOAD_ACCESS_FAULT);
        }
    }
}

package dev.jvmm.conformance.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.conformance.JvmmRun;
import dev.jvmm.conformance.diff.BatchSource.Entry;
import dev.jvmm.cpu.riscv.Engine;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The binary records the harness compares say exactly what the printed dump says: decoding a
 * hand-made record, and, on QEMU and on jvmm, the records of a batch against the same batch's printed
 * output (on the interpreter: the engines are compared by DiffTest).
 */
class DiffDumpRecordTest {

    @Test
    void aRecordDecodesToThePrintedNamesAndValues() {
        ByteBuffer b = ByteBuffer.allocate((int) DumpRecord.size(2)).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(DumpRecord.REC_BEGIN, DumpRecord.BEGIN_MAGIC);
        b.putLong(DumpRecord.REC_UNITS, 2);
        b.putLong(DumpRecord.REC_FRAME + 8 * 10, 0xffL);                       // x10
        b.putLong(DumpRecord.REC_FRAME + 256 + 8 * 3, 0x3ff0_0000_0000_0000L);  // f3
        b.putLong(DumpRecord.REC_FRAME + 528, 1);                              // one trap
        b.putLong(DumpRecord.REC_FRAME + 1024, 2);                             // its cause
        b.putLong(DumpRecord.REC_FRAME + 1024 + 16, 0x8000_1234L);             // its epc
        b.putLong(DumpRecord.REC_MEM + 8, 0xabcdL);                            // hash of page 1
        b.putLong(DumpRecord.REC_END, DumpRecord.END_MAGIC);
        b.putLong(DumpRecord.REC_TRACE + 16, -2L);                             // unit 1's value
        b.putLong(DumpRecord.REC_TRACE + 24, 0x10);                            // and flags

        StateDump.ProgramState p = DumpRecord.parse(b.array(), List.of(2)).programs().get(0);

        assertThat(p.complete()).isTrue();
        assertThat(p.values().get("u0001")).isEqualTo("fffffffffffffffe.10");
        assertThat(p.values().get("x10")).isEqualTo("00000000000000ff");
        assertThat(p.values().get("f3")).isEqualTo("3ff0000000000000");
        assertThat(p.values().get("traps")).isEqualTo("0000000000000001");
        assertThat(p.values().get("trap 00 cause")).isEqualTo("0000000000000002");
        assertThat(p.values().get("trap 00 epc")).isEqualTo("0000000080001234");
        assertThat(p.values()).doesNotContainKey("trap 01 cause");
        assertThat(p.values().get("mem@1000")).isEqualTo("000000000000abcd");
        assertThat(p.values().sequencedKeySet().getFirst()).isEqualTo("u0000");
    }

    @Test
    void aRecordWithoutItsEndWordIsIncompleteAndOneWithoutItsBeginIsMissing() {
        byte[] dump = new byte[(int) (DumpRecord.size(1) + DumpRecord.size(1))];
        ByteBuffer.wrap(dump).order(ByteOrder.LITTLE_ENDIAN).putLong(DumpRecord.REC_BEGIN, DumpRecord.BEGIN_MAGIC);
        StateDump s = DumpRecord.parse(dump, List.of(1, 1));
        assertThat(s.programs().get(0).complete()).isFalse();
        assertThat(s.programs()).doesNotContainKey(1);
    }

    @Test
    void recordsEqualThePrintedStatesOnQemuAndOnJvmm() throws Exception {
        DiffHarness h = new DiffHarness(DiffSettings.workDir(), List.of(Engine.INTERPRETER));
        List<Entry> entries = LongStream.rangeClosed(201, 203)
                .mapToObj(s -> Entry.whole(ProgramGenerator.generate(s, 120))).toList();
        // the third program cut short, as the locate step runs prefixes
        entries = List.of(entries.get(0), entries.get(1), new Entry(entries.get(2).program(), 37));

        StateDump printedOnQemu = StateDump.parse(h.runQemuPrinted("printed", entries));
        DiffHarness.BatchRun records = h.run("records", entries);
        assertThat(records.qemu().programs()).hasSize(3);
        assertThat(records.qemu()).isEqualTo(printedOnQemu);
        StateDump printedOnJvmm = StateDump.parse(JvmmRun.run(DiffSettings.workDir().resolve("elf/printed.elf"),
                DiffHarness.JVMM_TIMEOUT_SECONDS).console());
        assertThat(records.jvmm(Engine.INTERPRETER).state()).isEqualTo(printedOnJvmm);
        assertThat(records.qemu().programs().get(2).values()).containsKey("u0024").doesNotContainKey("u0025");
    }
}

package dev.jvmm.conformance.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.conformance.CrossToolchain;
import dev.jvmm.conformance.diff.BatchSource.Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** Building a batch with as and ld directly gives the code gcc's driver gives (the reproducers' documented build). */
class BatchToolchainTest {

    @Test
    void assemblingAndLinkingDirectlyGivesTheSameCodeAsGcc() throws Exception {
        DiffHarness h = new DiffHarness(DiffSettings.workDir());
        List<Entry> entries = LongStream.rangeClosed(301, 303)
                .mapToObj(s -> Entry.whole(ProgramGenerator.generate(s, 150))).toList();
        Path direct = h.build("toolchain-check", entries, false);
        Path sources = DiffSettings.workDir().resolve("src");
        Path viaGcc = new CrossToolchain(sources).build("toolchain-check", DiffSettings.workDir().resolve("elf-gcc"));

        String expected = code(CrossToolchain.disassemble(viaGcc));
        assertThat(expected).contains("<diff_main>:").contains("<trap_entry>:");
        assertThat(code(CrossToolchain.disassemble(direct))).isEqualTo(expected);
        h.discard("toolchain-check");
        Files.deleteIfExists(viaGcc);
    }

    /** The disassembly without its first lines (which name the file). */
    private static String code(String objdump) {
        return objdump.substring(objdump.indexOf("Disassembly of section"));
    }
}

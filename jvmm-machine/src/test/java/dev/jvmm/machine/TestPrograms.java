package dev.jvmm.machine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds tiny bare RISC-V ELF programs with the cross toolchain, laid out as riscv-tests
 * are: code at 0x80000000, then the page-aligned {@code .tohost} section holding
 * {@code tohost} (at 0x80001000) and {@code fromhost} (at 0x80001008), then data.
 * Each program source gets {@link #HOST_WORDS} appended.
 */
public final class TestPrograms {

    public static final long TOHOST = 0x8000_1000L;
    public static final long FROMHOST = 0x8000_1008L;

    static final String LINKER_SCRIPT = """
            OUTPUT_ARCH(riscv)
            ENTRY(_start)
            SECTIONS
            {
              . = 0x80000000;
              .text : { *(.text.init) *(.text .text.*) }
              . = ALIGN(0x1000);
              .tohost : { *(.tohost) }
              .data : { *(.data .data.* .sdata .sdata.* .got .got.*) }
              .bss : { *(.bss .bss.* .sbss .sbss.*) }
            }
            """;

    /** The HTIF mailbox every program has. */
    static final String HOST_WORDS = """

                .section .tohost, "aw", @progbits
                .balign 64
                .globl tohost
            tohost: .dword 0
                .globl fromhost
            fromhost: .dword 0
            """;

    private TestPrograms() {
    }

    /** Assembles and links {@code source} plus the mailbox (GNU as, through gcc's preprocessor) into {@code dir/name}. */
    public static Path build(Path dir, String name, String source) throws IOException, InterruptedException {
        return buildWithoutMailbox(dir, name, source + HOST_WORDS);
    }

    /** As {@link #build}, without appending {@link #HOST_WORDS}. */
    public static Path buildWithoutMailbox(Path dir, String name, String source) throws IOException, InterruptedException {
        Path src = dir.resolve(name + ".S");
        Path script = dir.resolve("link.ld");
        Path out = dir.resolve(name);
        Files.writeString(src, source, StandardCharsets.UTF_8);
        Files.writeString(script, LINKER_SCRIPT, StandardCharsets.UTF_8);
        List<String> command = List.of("riscv64-linux-gnu-gcc", "-march=rv64gc", "-mabi=lp64d", "-nostdlib",
                "-nostartfiles", "-static", "-Wl,--build-id=none", "-Wl,--no-relax", "-T", script.toString(),
                "-o", out.toString(), src.toString());
        Process gcc;
        try {
            gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("riscv64-linux-gnu-gcc is required for this test and was not found", e);
        }
        String log = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!gcc.waitFor(60, TimeUnit.SECONDS)) {
            gcc.destroyForcibly();
            throw new AssertionError("riscv64-linux-gnu-gcc timed out");
        }
        if (gcc.exitValue() != 0) {
            throw new AssertionError("riscv64-linux-gnu-gcc failed:\n" + log);
        }
        return out;
    }
}

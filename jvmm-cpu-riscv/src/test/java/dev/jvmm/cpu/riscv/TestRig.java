package dev.jvmm.cpu.riscv;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.memory.AddressSpace;
import dev.jvmm.memory.Clock;
import dev.jvmm.memory.GuestMemory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A tiny machine for hart tests: RAM at 0x80000000, a settable clock, and an assembler
 * front end (the installed riscv64-linux-gnu binutils) that links a snippet at RAM base.
 */
final class TestRig implements AutoCloseable {

    static final long RAM_BASE = 0x8000_0000L;
    static final long RAM_SIZE = 16L << 20;

    /** A clock the test sets by hand. */
    static final class ManualClock implements Clock {
        volatile long ticks;

        @Override
        public long frequency() {
            return VIRT_FREQUENCY;
        }

        @Override
        public long ticks() {
            return ticks;
        }

        @Override
        public long nanosUntil(long deadline) {
            return Math.max(0, deadline - ticks) * 100;
        }
    }

    record Program(byte[] image, Map<String, Long> symbols) {
        long symbol(String name) {
            Long v = symbols.get(name);
            if (v == null) {
                throw new IllegalArgumentException("no symbol " + name);
            }
            return v;
        }
    }

    final GuestMemory ram = GuestMemory.allocate(RAM_BASE, RAM_SIZE);
    final AddressSpace bus = new AddressSpace(ram);
    final ManualClock clock = new ManualClock();
    final Hart hart = new Hart(0, bus, clock);
    Program program;

    private static final Map<String, Program> CACHE = new ConcurrentHashMap<>();

    static Program assemble(String source) {
        return CACHE.computeIfAbsent(source, TestRig::assembleUncached);
    }

    private static Program assembleUncached(String source) {
        try {
            Path dir = Files.createTempDirectory("rvtest");
            try {
                Path src = dir.resolve("t.s");
                Files.writeString(src, "    .option norelax\n    .text\n    .globl _start\n_start:\n" + source + "\n");
                exec(dir, "riscv64-linux-gnu-as", "-march=rv64gc", "-mabi=lp64d", "-o", "t.o", "t.s");
                exec(dir, "riscv64-linux-gnu-ld", "-nostdlib", "-Ttext=0x80000000", "-e", "_start", "-o", "t.elf", "t.o");
                exec(dir, "riscv64-linux-gnu-objcopy", "-O", "binary", "-j", ".text", "t.elf", "t.bin");
                String nm = exec(dir, "riscv64-linux-gnu-nm", "t.elf");
                Map<String, Long> symbols = new HashMap<>();
                for (String line : nm.split("\n")) {
                    String[] parts = line.trim().split("\\s+");
                    if (parts.length == 3) {
                        symbols.put(parts[2], Long.parseUnsignedLong(parts[0], 16));
                    }
                }
                return new Program(Files.readAllBytes(dir.resolve("t.bin")), symbols);
            } finally {
                try (var files = Files.list(dir)) {
                    for (Path p : files.toList()) {
                        Files.deleteIfExists(p);
                    }
                }
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String exec(Path dir, String... command) throws IOException {
        Process p = new ProcessBuilder(List.of(command)).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return out;
    }

    /** Assembles {@code source}, loads it at RAM base and resets the hart (M-mode) there. */
    TestRig load(String source) {
        program = assemble(source);
        ram.write(RAM_BASE, program.image());
        hart.reset(RAM_BASE);
        return this;
    }

    long symbol(String name) {
        return program.symbol(name);
    }

    /** Runs until the pc reaches label {@code stop} (typically a {@code j .} loop); fails after a bound. */
    TestRig runTo(String stop) {
        long target = symbol(stop);
        for (int i = 0; i < 10_000 && hart.pc() != target; i++) {
            hart.run(1);
            if (hart.isWaitingForInterrupt()) {
                break;
            }
        }
        assertThat(hart.pc()).as("pc (expected to reach %s)", stop).isEqualTo(target);
        return this;
    }

    long x(int reg) {
        return hart.register(reg);
    }

    long x(String abiName) {
        return hart.register(abiIndex(abiName));
    }

    static int abiIndex(String name) {
        String[] names = {"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3",
            "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5",
            "t6"};
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException(name);
    }

    @Override
    public void close() {
        ram.close();
    }
}

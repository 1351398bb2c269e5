package dev.jvmm.machine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bare ELF programs run as Spike and {@code qemu -bios none} run them: M-mode at the entry,
 * results through HTIF {@code tohost}, a memory signature on request. These run real
 * instructions, so they need the CPU.
 */
class BareProgramTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    /** Ends the program through HTIF with {@code (code << 1) | 1} in tohost, then spins. */
    private static final String EXIT_MACRO = """
                .macro EXIT code
                li t0, (\\code << 1) | 1
                la t1, tohost
                sd t0, 0(t1)
            1:  j 1b
                .endm
            """;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    private VirtMachine machine(Path program, int harts) throws MachineException {
        return VirtMachine.create(new MachineConfig(program, Optional.empty(), "", 64L << 20, Optional.empty(), harts),
                console);
    }

    /** Runs to the end, or stops the machine after {@link #TIMEOUT} so that a hang is a failure, not a stuck build. */
    private static ExitReason run(VirtMachine m) throws InterruptedException {
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(TIMEOUT);
                m.requestStop("test timed out");
            } catch (InterruptedException e) {
                // the run ended first
            }
        });
        try {
            return m.run();
        } finally {
            watchdog.interrupt();
        }
    }

    private Path program(String name, String body) throws Exception {
        return TestPrograms.build(dir, name, EXIT_MACRO + """
                    .section .text.init, "ax"
                    .globl _start
                _start:
                """ + body);
    }

    @Test
    void programWritingOneToTohostPassesWithPowerOff() throws Exception {
        Path elf = program("pass", "    EXIT 0\n");
        try (VirtMachine m = machine(elf, 1)) {
            assertThat(m.bootMode()).isEqualTo(BootMode.BARE);
            assertThat(m.hasHtif()).isTrue();
            assertThat(run(m)).isEqualTo(new ExitReason.PowerOff());
        }
    }

    @Test
    void programFailingTestThreeReportsGuestFailureThree() throws Exception {
        Path elf = program("fail3", "    EXIT 3\n");
        try (VirtMachine m = machine(elf, 1)) {
            assertThat(run(m)).isEqualTo(new ExitReason.GuestFailure(3));
        }
    }

    @Test
    void htifPutcharPrintsHiAndIsAcknowledgedThroughFromhost() throws Exception {
        // Each character: wait until the host has taken the previous command, post the
        // putchar, then wait for the acknowledgement in fromhost and clear it.
        Path elf = program("hi", """
                    .macro PUTCHAR ch
                    la t1, tohost
                2:  ld t2, 0(t1)
                    bnez t2, 2b
                    li t0, (1 << 56) | (1 << 48) | \\ch
                    sd t0, 0(t1)
                    la t3, fromhost
                3:  ld t4, 0(t3)
                    beqz t4, 3b
                    sd zero, 0(t3)
                    li t5, (1 << 56) | (1 << 48) | 0x100 | \\ch
                    bne t4, t5, bad_ack
                    .endm
                    PUTCHAR 0x68
                    PUTCHAR 0x69
                    EXIT 0
                bad_ack:
                    EXIT 9
                """);
        try (VirtMachine m = machine(elf, 1)) {
            assertThat(run(m)).isEqualTo(new ExitReason.PowerOff());
        }
        assertThat(console.toString(StandardCharsets.US_ASCII)).isEqualTo("hi");
    }

    @Test
    void signatureRegionIsWrittenInSpikeFormat() throws Exception {
        Path elf = program("sig", """
                    la t0, begin_signature
                    li t1, 0x11223344
                    sw t1, 0(t0)
                    li t1, 0x55667788
                    sw t1, 4(t0)
                    li t1, 0xdeadbeef
                    sw t1, 8(t0)
                    EXIT 0
                    .data
                    .balign 16
                    .globl begin_signature
                begin_signature:
                    .fill 3, 4, 0xffffffff
                    .globl end_signature
                end_signature:
                """);
        Path words = dir.resolve("words.sig");
        Path lines = dir.resolve("lines.sig");
        try (VirtMachine m = machine(elf, 1)) {
            assertThat(m.hasSignature()).isTrue();
            assertThat(run(m)).isEqualTo(new ExitReason.PowerOff());
            m.writeSignature(words, 4);
            m.writeSignature(lines);
        }
        assertThat(Files.readString(words)).isEqualTo("11223344\n55667788\ndeadbeef\n");
        assertThat(Files.readString(lines)).isEqualTo("00000000deadbeef5566778811223344\n");
    }

    @Test
    void everyHartStartsInMachineModeAtTheEntryWithHartIdAndDeviceTree() throws Exception {
        // Reading mhartid traps outside M-mode (and mtvec is 0 at reset: the run would then
        // hang and time out). Hart 1 records its a0 and parks; hart 0 checks its own a0/a1
        // and waits for hart 1.
        Path elf = program("harts", """
                    csrr t0, mhartid
                    bne t0, a0, wrong_id
                    bnez a0, other_hart
                    lwu t1, 0(a1)
                    li t2, 0xedfe0dd0
                    bne t1, t2, no_fdt
                    la t3, seen
                4:  ld t4, 0(t3)
                    beqz t4, 4b
                    li t5, 2
                    bne t4, t5, wrong_id
                    EXIT 0
                other_hart:
                    addi t0, a0, 1
                    la t3, seen
                    sd t0, 0(t3)
                5:  wfi
                    j 5b
                wrong_id:
                    EXIT 2
                no_fdt:
                    EXIT 3
                    .data
                    .balign 8
                seen: .dword 0
                """);
        try (VirtMachine m = machine(elf, 2)) {
            assertThat(run(m)).isEqualTo(new ExitReason.PowerOff());
        }
    }
}

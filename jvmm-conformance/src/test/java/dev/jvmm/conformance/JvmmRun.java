package dev.jvmm.conformance;

import dev.jvmm.machine.ExitReason;
import dev.jvmm.machine.MachineConfig;
import dev.jvmm.machine.MachineException;
import dev.jvmm.machine.VirtMachine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a bare-metal program on jvmm, in process, as QEMU's {@code -bios none -kernel prog.elf}
 * does: the hart starts in M-mode at the ELF's entry. jvmm starts M-mode only in its firmware
 * slot (with the built-in SBI the hart would start in S-mode), so the program is given as the
 * firmware and a do-nothing Linux {@code Image} fills the kernel slot; it is never entered.
 */
final class JvmmRun {

    static final long MEMORY = 128L << 20;

    /** The machine's exit reason and what the guest printed on the UART. */
    record Outcome(ExitReason reason, String console) { }

    private JvmmRun() {
    }

    static Outcome run(Path elf, Path placeholderKernel, long timeoutSeconds)
            throws MachineException, InterruptedException, IOException {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        MachineConfig config = new MachineConfig(placeholderKernel, Optional.empty(), "", MEMORY, Optional.of(elf), 1);
        try (VirtMachine machine = VirtMachine.create(config, console)) {
            FutureTask<ExitReason> task = new FutureTask<>(machine::run);
            Thread runner = Thread.ofPlatform().name("conformance-" + elf.getFileName()).daemon(true).start(task);
            ExitReason reason;
            try {
                reason = task.get(timeoutSeconds, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                machine.requestStop("conformance timeout after " + timeoutSeconds + " s");
                reason = awaitAfterStop(task);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                reason = new ExitReason.Stopped("run() threw " + cause);
            } finally {
                runner.join(TimeUnit.SECONDS.toMillis(10));
            }
            return new Outcome(reason, console.toString(StandardCharsets.UTF_8));
        }
    }

    private static ExitReason awaitAfterStop(FutureTask<ExitReason> task) throws InterruptedException {
        try {
            return task.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return new ExitReason.Stopped("run() threw " + e.getCause());
        } catch (TimeoutException e) {
            return new ExitReason.Stopped("timed out and did not stop when asked");
        }
    }

    /** Writes a 64-byte RISC-V Linux Image header whose first instruction loops; never run. */
    static Path writePlaceholderKernel(Path dir) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 0x0000006f);                              // j .
        b.putLong(16, 64);                                    // image_size
        b.put(0x30, "RISCV\0\0\0".getBytes(StandardCharsets.US_ASCII));
        b.put(0x38, new byte[] {'R', 'S', 'C', 0x05});
        Files.createDirectories(dir);
        Path file = dir.resolve("placeholder-kernel.Image");
        Files.write(file, b.array());
        return file;
    }
}

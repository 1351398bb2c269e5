package dev.jvmm.conformance.diff;

import dev.jvmm.conformance.JvmmRun;
import dev.jvmm.cpu.riscv.Engine;
import dev.jvmm.machine.ExitReason;
import dev.jvmm.machine.MachineConfig;
import dev.jvmm.machine.MachineException;
import dev.jvmm.machine.VirtMachine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a batch ELF on jvmm in process (bare boot, M-mode at the entry, as {@link JvmmRun} does)
 * and reads the batch's records out of its RAM afterwards, as the memory signature
 * {@code begin_signature..end_signature} (the batch defines both symbols around its records),
 * however the run ended. The hart runs on the engine asked for (the translator with the options
 * of the system properties, see {@link JvmmRun}).
 */
final class JvmmDumpRun {

    /** How the run ended, what the guest printed, and the records' bytes. */
    record Outcome(ExitReason reason, String console, byte[] dump) { }

    private JvmmDumpRun() {
    }

    static Outcome run(Path elf, long timeoutSeconds, Engine engine)
            throws MachineException, InterruptedException, IOException {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        MachineConfig config = JvmmRun.config(elf, engine);
        Path signature = elf.resolveSibling(elf.getFileName() + "." + engine.name().toLowerCase() + ".sig");
        try (VirtMachine machine = VirtMachine.create(config, console)) {
            FutureTask<ExitReason> task = new FutureTask<>(machine::run);
            Thread runner = Thread.ofPlatform().name("diff-" + engine.name().toLowerCase() + "-" + elf.getFileName()).daemon(true).start(task);
            ExitReason reason;
            try {
                reason = task.get(timeoutSeconds, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                machine.requestStop("differential batch timeout after " + timeoutSeconds + " s");
                reason = awaitAfterStop(task);
            } catch (ExecutionException e) {
                reason = new ExitReason.Stopped("run() threw " + e.getCause());
            } finally {
                runner.join(TimeUnit.SECONDS.toMillis(10));
            }
            // one 64-bit little-endian word a line, printed as a number
            machine.writeSignature(signature, 8);
            byte[] dump = words(Files.readAllLines(signature, StandardCharsets.US_ASCII));
            Files.deleteIfExists(signature);
            return new Outcome(reason, console.toString(StandardCharsets.UTF_8), dump);
        }
    }

    private static byte[] words(List<String> lines) {
        byte[] out = new byte[lines.size() * 8];
        for (int i = 0; i < lines.size(); i++) {
            long v = Long.parseUnsignedLong(lines.get(i), 16);
            for (int b = 0; b < 8; b++) {
                out[8 * i + b] = (byte) (v >>> (8 * b));
            }
        }
        return out;
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
}

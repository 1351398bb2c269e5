package dev.jvmm.conformance;

import dev.jvmm.cpu.riscv.Engine;
import dev.jvmm.machine.ExitReason;
import dev.jvmm.machine.MachineConfig;
import dev.jvmm.machine.MachineException;
import dev.jvmm.machine.VirtMachine;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a bare-metal program on jvmm, in process, as QEMU's {@code -bios none -kernel prog.elf}
 * does: the ELF is the kernel and no firmware is given, so the machine boots it bare
 * ({@link dev.jvmm.machine.BootMode#BARE}) and the hart starts in M-mode at its entry.
 *
 * <p>Under {@link Engine#JIT} the translator takes its options from the system properties
 * ({@code jvmm.jit.hotThreshold}, ...) when the machine is built; this module's surefire
 * configuration sets the hot threshold to 1, so that every block is translated when first run.
 */
public final class JvmmRun {

    public static final long MEMORY = 128L << 20;

    /** The machine's exit reason and what the guest printed on the UART. */
    public record Outcome(ExitReason reason, String console) { }

    private JvmmRun() {
    }

    /** Runs {@code elf} on the interpreter until it powers off, fails, or {@code timeoutSeconds} pass (then it is stopped). */
    public static Outcome run(Path elf, long timeoutSeconds) throws MachineException, InterruptedException {
        return run(elf, timeoutSeconds, Engine.INTERPRETER);
    }

    /** As {@link #run(Path, long)}, the hart running on {@code engine}. */
    public static Outcome run(Path elf, long timeoutSeconds, Engine engine) throws MachineException, InterruptedException {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        MachineConfig config = config(elf, engine);
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

    /** The bare board for {@code elf}: one hart on {@code engine}, {@link #MEMORY} of RAM, no devices beyond the board's. */
    public static MachineConfig config(Path elf, Engine engine) {
        return new MachineConfig(elf, Optional.empty(), "", MEMORY, Optional.empty(), 1, List.of(), engine);
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

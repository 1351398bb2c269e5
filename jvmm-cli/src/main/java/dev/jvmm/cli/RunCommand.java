package dev.jvmm.cli;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import dev.jvmm.image.DebianGuestImages;
import dev.jvmm.image.GuestImage;
import dev.jvmm.machine.ExitReason;
import dev.jvmm.machine.MachineConfig;
import dev.jvmm.machine.VirtMachine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code jvmm run}: boots a guest on QEMU's {@code virt} board with the console on this terminal. */
@Command(name = "run", description = "Boot a RISC-V Linux guest; the serial console is this terminal (Ctrl-A x quits, Ctrl-A h helps).",
        mixinStandardHelpOptions = true)
final class RunCommand implements Callable<Integer> {

    static final String DEFAULT_APPEND = "console=ttyS0";
    static final String DEFAULT_MEMORY = "512M";

    @Option(names = "--kernel", paramLabel = "FILE",
            description = "Kernel Image (default: Debian's riscv64 kernel, fetched into the cache on first use).")
    Path kernel;

    @Option(names = "--initrd", paramLabel = "FILE",
            description = "Initramfs (default with the default kernel: jvmm's busybox initramfs).")
    Path initrd;

    @Option(names = "--append", paramLabel = "TEXT", defaultValue = DEFAULT_APPEND,
            description = "Kernel command line (default: ${DEFAULT-VALUE}).")
    String append;

    @Option(names = "--memory", paramLabel = "SIZE", defaultValue = DEFAULT_MEMORY,
            description = "Guest RAM: bytes or with K/M/G suffix, at least 16M, a multiple of 4K (default: ${DEFAULT-VALUE}).")
    String memory;

    @Option(names = "--firmware", paramLabel = "builtin|FILE", defaultValue = "builtin",
            description = "M-mode firmware: the built-in SBI, or a file such as OpenSBI fw_jump.bin (default: ${DEFAULT-VALUE}).")
    String firmware;

    @Option(names = "--signature", paramLabel = "FILE",
            description = "After the run, write the memory between the program's begin_signature and end_signature symbols to FILE, as Spike's +signature= does.")
    Path signature;

    @Option(names = "--signature-granularity", paramLabel = "BYTES", defaultValue = "16",
            description = "Bytes per line of the signature file (default: ${DEFAULT-VALUE}).")
    int signatureGranularity;

    private final PrintStream err;

    RunCommand(PrintStream err) {
        this.err = err;
    }

    /** Checks the options and resolves the default images; fetches them if needed. */
    MachineConfig config() throws Exception {
        long memoryBytes = MemorySize.parse(memory);
        Optional<Path> firmwareFile = firmware.equals("builtin") ? Optional.empty()
                : Optional.of(readableFile("--firmware", Path.of(firmware)));
        Path kernelFile;
        Optional<Path> initrdFile;
        if (kernel != null) {
            kernelFile = readableFile("--kernel", kernel);
            initrdFile = initrd == null ? Optional.empty() : Optional.of(readableFile("--initrd", initrd));
        } else {
            Optional<Path> userInitrd = initrd == null ? Optional.empty() : Optional.of(readableFile("--initrd", initrd));
            GuestImage image = DebianGuestImages.forUser(err::println).get(DebianGuestImages.DEFAULT_SUITE, false);
            kernelFile = image.kernel();
            initrdFile = userInitrd.or(() -> Optional.of(image.initramfs()));
        }
        return new MachineConfig(kernelFile, initrdFile, append, memoryBytes, firmwareFile, 1);
    }

    static Path readableFile(String option, Path file) throws UsageException {
        if (!Files.exists(file)) {
            throw new UsageException(option + " " + file + ": no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw new UsageException(option + " " + file + ": not a regular file");
        }
        if (!Files.isReadable(file)) {
            throw new UsageException(option + " " + file + ": not readable");
        }
        return file;
    }

    @Override
    public Integer call() throws Exception {
        MachineConfig config = config();
        AtomicReference<VirtMachine> current = new AtomicReference<>();
        AtomicBoolean quit = new AtomicBoolean();
        Optional<TerminalMode> raw = TerminalMode.enterRawIfTerminal();
        try {
            new ConsoleInput(new FileInputStream(FileDescriptor.in), raw.isPresent(), current, () -> {
                quit.set(true);
                VirtMachine m = current.get();
                if (m != null) {
                    m.requestStop("terminated");
                }
            }, err).start();
            // Unbuffered: every byte the guest's UART sends is on the terminal at once.
            OutputStream console = new FileOutputStream(FileDescriptor.out);
            while (true) {
                ExitReason reason;
                try (VirtMachine machine = VirtMachine.create(config, console)) {
                    current.set(machine);
                    reason = quit.get() ? new ExitReason.Stopped("terminated") : machine.run();
                    current.set(null);
                    if (signature != null) {
                        machine.writeSignature(signature, signatureGranularity);
                    }
                }
                switch (ExitStatus.of(reason, quit.get())) {
                    case ExitStatus.Reboot r -> {
                        // boot a fresh machine from the same configuration
                    }
                    case ExitStatus.Exit(int status, Optional<String> message) -> {
                        raw.ifPresent(TerminalMode::restore);
                        message.ifPresent(m -> err.println((raw.isPresent() ? "\n" : "") + m));
                        return status;
                    }
                }
            }
        } finally {
            raw.ifPresent(TerminalMode::restore);
        }
    }
}

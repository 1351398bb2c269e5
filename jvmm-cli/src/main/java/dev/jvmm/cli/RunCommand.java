package dev.jvmm.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Stack;
import java.util.concurrent.Callable;

import dev.jvmm.cli.control.TcpUri;
import dev.jvmm.cpu.riscv.Engine;
import dev.jvmm.image.DebianGuestImages;
import dev.jvmm.image.GuestImage;
import dev.jvmm.machine.DeviceConfig;
import dev.jvmm.machine.MachineConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jvmm run}: boots a guest on QEMU's {@code virt} board with the console on this terminal
 * (or in a file), or with {@code --incoming} receives a running guest from another jvmm.
 */
@Command(name = "run", description = "Boot a RISC-V Linux guest; the serial console is this terminal (Ctrl-A x quits, Ctrl-A h helps).",
        mixinStandardHelpOptions = true)
final class RunCommand implements Callable<Integer> {

    static final String DEFAULT_APPEND = "console=ttyS0";
    static final String DEFAULT_MEMORY = "512M";
    static final int VIRTIO_SLOTS = dev.jvmm.machine.VirtBoard.VIRTIO_SLOTS;

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

    @Option(names = "--engine", paramLabel = "interp|jit", defaultValue = "jit",
            description = "How the CPU runs guest code: the translator tier that compiles hot blocks to JVM bytecode"
                    + " and interprets the rest, or the interpreter alone (the reference) (default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(names = "--signature", paramLabel = "FILE",
            description = "After the run, write the memory between the program's begin_signature and end_signature symbols to FILE, as Spike's +signature= does.")
    Path signature;

    @Option(names = "--signature-granularity", paramLabel = "BYTES", defaultValue = "16",
            description = "Bytes per line of the signature file (default: ${DEFAULT-VALUE}).")
    int signatureGranularity;

    // The device options share one list so the devices keep their command-line order (slot n is
    // the n-th device option); the fields only carry picocli's help text.
    @Option(names = "--drive", paramLabel = "FILE[,format=raw|qcow2][,readonly=on]", parameterConsumer = InOrder.class,
            description = "Attach a disk image as a virtio block device (/dev/vda, vdb, ... in order; writable unless"
                    + " readonly=on). Without format= the file is probed: qcow2 if it has the qcow2 magic, else raw"
                    + " (and then the guest may not write the qcow2 magic to its first sector). Repeatable.")
    List<String> drives;

    @Option(names = "--net", paramLabel = "user[,hostfwd=tcp:[HOSTADDR]:HOSTPORT-:GUESTPORT][,mac=MAC]",
            parameterConsumer = InOrder.class,
            description = "Attach a virtio network card on user-mode networking; hostfwd (repeatable) forwards a host"
                    + " port (on 127.0.0.1 unless HOSTADDR is given) to a guest port. Repeatable.")
    List<String> nets;

    @Option(names = "--device", paramLabel = "virtio-rng|virtio-console", parameterConsumer = InOrder.class,
            description = "Attach a virtio entropy source, or a virtio console (hvc0: its output is shown with the"
                    + " serial console's; keystrokes go to ttyS0). Repeatable.")
    List<String> deviceNames;

    @Option(names = "--console", paramLabel = "stdio|file:PATH", defaultValue = "stdio",
            description = "Where the guest's serial console goes: this terminal (stdio; keystrokes go to the guest),"
                    + " or appended to PATH (then standard input is not read) (default: ${DEFAULT-VALUE}).")
    String console;

    @Option(names = "--control", paramLabel = "PATH",
            description = "Listen for QMP-style control commands (JSON; query-status, stop, cont, quit, migrate,"
                    + " query-migrate, snapshot-save, ...) on a new Unix socket at PATH that only this user can use;"
                    + " removed on exit. 'jvmm snapshot' and 'jvmm migrate' talk to it.")
    Path control;

    @Option(names = "--incoming", paramLabel = "tcp:ADDR:PORT",
            description = "Boot nothing: wait on ADDR:PORT (tcp::PORT for every address) for a guest that 'jvmm migrate'"
                    + " sends from another jvmm, then run it here. The machine options do not apply.")
    String incoming;

    @Spec
    CommandSpec spec;

    /** Device options as given: (option name, value), in order. */
    final List<String[]> deviceArgs = new ArrayList<>();

    /** Records a device option's value in {@link #deviceArgs}, keeping the order across options. */
    static final class InOrder implements CommandLine.IParameterConsumer {
        @Override
        public void consumeParameters(Stack<String> args, ArgSpec argSpec, CommandSpec commandSpec) {
            String name = ((CommandLine.Model.OptionSpec) argSpec).longestName();
            if (args.isEmpty()) {
                throw new CommandLine.ParameterException(commandSpec.commandLine(),
                        "Missing required parameter for option '" + name + "' (" + argSpec.paramLabel() + ")");
            }
            ((RunCommand) commandSpec.userObject()).deviceArgs.add(new String[] {name, args.pop()});
        }
    }

    private final PrintStream err;

    RunCommand(PrintStream err) {
        this.err = err;
    }

    /** Checks the options and resolves the default images; fetches them if needed. */
    MachineConfig config() throws Exception {
        long memoryBytes = MemorySize.parse(memory);
        Engine chosenEngine = engine(engine);
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
        return new MachineConfig(kernelFile, initrdFile, append, memoryBytes, firmwareFile, 1, devices(), chosenEngine);
    }

    /** {@code interp} or {@code jit}. */
    static Engine engine(String name) throws UsageException {
        return switch (name) {
            case "interp" -> Engine.INTERPRETER;
            case "jit" -> Engine.JIT;
            default -> throw new UsageException("--engine: unknown engine '" + name + "' (interp or jit)");
        };
    }

    /** The device options, parsed in command-line order. */
    List<DeviceConfig> devices() throws UsageException {
        List<DeviceConfig> devices = new ArrayList<>();
        for (String[] arg : deviceArgs) {
            devices.add(switch (arg[0]) {
                case "--drive" -> DeviceOptions.drive(arg[1]);
                case "--net" -> DeviceOptions.net(arg[1]);
                default -> DeviceOptions.device(arg[1]);
            });
        }
        if (devices.size() > VIRTIO_SLOTS) {
            throw new UsageException("too many devices: %d (--drive, --net and --device share %d virtio slots)"
                    .formatted(devices.size(), VIRTIO_SLOTS));
        }
        return devices;
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
        ConsoleOption consoleOption = ConsoleOption.parse(console);
        MachineSource source;
        if (incoming != null) {
            TcpUri uri = incomingAddress();
            rejectBootOptionsWithIncoming();
            InetSocketAddress listen;
            try {
                listen = uri.listenAddress();
            } catch (IllegalArgumentException e) {
                throw new UsageException("--incoming: " + e.getMessage());
            }
            source = MachineSource.incoming(uri, listen);
        } else {
            source = MachineSource.boot(config());
        }
        // Unbuffered: every byte the guest's UART sends is on the terminal at once.
        try (GuestConsole guestConsole = GuestConsole.open(consoleOption, new FileOutputStream(FileDescriptor.out))) {
            GuestRunner runner = new GuestRunner(source, guestConsole, Optional.ofNullable(control), err, "");
            if (signature != null) {
                runner.afterRun(machine -> machine.writeSignature(signature, signatureGranularity));
            }
            return runner.run();
        }
    }

    private TcpUri incomingAddress() throws UsageException {
        try {
            return TcpUri.parse(incoming);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--incoming: " + e.getMessage());
        }
    }

    /** The machine arrives whole from the source, so nothing that describes a machine to boot applies. */
    private void rejectBootOptionsWithIncoming() throws UsageException {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        for (String option : List.of("--kernel", "--initrd", "--append", "--memory", "--firmware", "--engine",
                "--signature", "--signature-granularity", "--drive", "--net", "--device")) {
            if (parsed.hasMatchedOption(option)) {
                throw new UsageException("--incoming: the machine comes from the migration source; " + option
                        + " does not apply");
            }
        }
    }
}

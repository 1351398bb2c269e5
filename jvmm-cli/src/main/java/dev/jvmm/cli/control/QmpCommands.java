package dev.jvmm.cli.control;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.jvmm.machine.MachineException;
import dev.jvmm.machine.RunStatus;

/**
 * The commands a client may run once capabilities are negotiated, each checking its arguments
 * as QMP does (a missing, unexpected or mistyped argument is a {@code GenericError}) and turning
 * whatever the machine throws into an error reply.
 */
final class QmpCommands {

    /** A command's reply, and what to do once it has been sent (so {@code quit} is answered before jvmm ends). */
    record Result(Object value, Runnable afterReply) {
        static Result of(Object value) {
            return new Result(value, () -> { });
        }
    }

    /** Where the commands announce state changes (QMP events such as {@code STOP}). */
    interface Events {
        void emit(String event, Map<String, Object> data);
    }

    @FunctionalInterface
    private interface Command {
        Result run(Arguments args) throws QmpError, MachineException, InterruptedException;
    }

    static final String NO_POWER_BUTTON = "the virt board has no power button; use quit";

    private final ControlledMachine machine;
    private final QmpServer.Version version;
    private final Events events;
    private final Map<String, Command> table = new LinkedHashMap<>();

    QmpCommands(ControlledMachine machine, QmpServer.Version version, Events events) {
        this.machine = machine;
        this.version = version;
        this.events = events;
        table.put("query-status", this::queryStatus);
        table.put("stop", this::stop);
        table.put("cont", this::cont);
        table.put("system_powerdown", this::systemPowerdown);
        table.put("quit", this::quit);
        table.put("migrate", this::migrate);
        table.put("query-migrate", this::queryMigrate);
        table.put("snapshot-save", this::snapshotSave);
        table.put("query-version", args -> Result.of(version.toQmp()));
        table.put("query-commands", this::queryCommands);
    }

    /** Runs {@code name}; an error reply is thrown as {@link QmpError}. */
    Result execute(String name, Map<String, Object> arguments) throws QmpError {
        Command command = table.get(name);
        if (command == null) {
            throw QmpError.commandNotFound("The command " + name + " has not been found");
        }
        Arguments args = new Arguments(arguments);
        try {
            return command.run(args);
        } catch (MachineException e) {
            throw QmpError.generic(oneLine(e.getMessage(), e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw QmpError.generic("interrupted: jvmm is shutting down");
        } catch (UnsupportedOperationException e) {
            throw QmpError.generic("this jvmm cannot do '" + name + "' yet (" + oneLine(e.getMessage(), e) + ")");
        } catch (RuntimeException e) {
            throw QmpError.generic(oneLine(e.getMessage(), e));
        }
    }

    private Result queryStatus(Arguments args) throws QmpError {
        args.done();
        RunStatus status = machine.status();
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("status", status.qmpName());
        reply.put("running", status == RunStatus.RUNNING);
        return Result.of(reply);
    }

    private Result stop(Arguments args) throws QmpError, MachineException, InterruptedException {
        args.done();
        machine.pause();
        events.emit("STOP", Map.of());
        return Result.of(Map.of());
    }

    private Result cont(Arguments args) throws QmpError, MachineException {
        args.done();
        machine.resume();
        events.emit("RESUME", Map.of());
        return Result.of(Map.of());
    }

    private Result systemPowerdown(Arguments args) throws QmpError, MachineException {
        args.done();
        if (!machine.powerDown()) {
            throw QmpError.generic(NO_POWER_BUTTON);
        }
        events.emit("POWERDOWN", Map.of());
        return Result.of(Map.of());
    }

    private Result quit(Arguments args) throws QmpError {
        args.done();
        return new Result(Map.of(), machine::quit);
    }

    private Result migrate(Arguments args) throws QmpError, MachineException {
        String uri = args.string("uri");
        args.optionalBoolean("detach", true); // QMP's migrate never blocks; accepted for old clients
        args.done();
        TcpUri target;
        try {
            target = TcpUri.parse(uri);
        } catch (IllegalArgumentException e) {
            throw QmpError.generic(e.getMessage());
        }
        if (target.anyHost()) {
            throw QmpError.generic("bad address '" + uri + "': migrate needs the destination's host");
        }
        machine.migrate(target.host(), target.port());
        return Result.of(Map.of());
    }

    private Result queryMigrate(Arguments args) throws QmpError {
        args.done();
        return Result.of(machine.migration()
                .<Object>map(m -> MigrationInfo.of(m.status()).toQmp())
                .orElse(Map.of()));
    }

    private Result snapshotSave(Arguments args) throws QmpError, MachineException, InterruptedException {
        String dir = args.string("dir");
        boolean stop = args.optionalBoolean("stop", false);
        args.done();
        if (dir.isEmpty()) {
            throw QmpError.generic("Parameter 'dir' must not be empty");
        }
        Path path;
        try {
            path = Path.of(dir);
        } catch (InvalidPathException e) {
            throw QmpError.generic("bad snapshot directory '" + dir + "': " + e.getReason());
        }
        machine.saveSnapshot(path, stop);
        if (stop) {
            events.emit("STOP", Map.of());
        }
        return Result.of(Map.of());
    }

    private Result queryCommands(Arguments args) throws QmpError {
        args.done();
        List<Object> names = new ArrayList<>();
        names.add(Map.of("name", "qmp_capabilities"));
        table.keySet().forEach(n -> names.add(Map.of("name", n)));
        return Result.of(names);
    }

    private static String oneLine(String message, Throwable t) {
        String text = message == null || message.isBlank() ? t.getClass().getSimpleName() : message.strip();
        return text.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }

    /** A command's arguments, taken one by one; {@link #done()} rejects any left over. */
    static final class Arguments {
        private final Map<String, Object> values;
        private final Set<String> taken = new HashSet<>();

        Arguments(Map<String, Object> values) {
            this.values = values;
        }

        String string(String name) throws QmpError {
            taken.add(name);
            Object value = values.get(name);
            if (value == null) {
                throw QmpError.generic("Parameter '" + name + "' is missing");
            }
            if (!(value instanceof String s)) {
                throw QmpError.generic("Invalid parameter type for '" + name + "', expected: string");
            }
            return s;
        }

        boolean optionalBoolean(String name, boolean otherwise) throws QmpError {
            taken.add(name);
            Object value = values.get(name);
            if (value == null) {
                return otherwise;
            }
            if (!(value instanceof Boolean b)) {
                throw QmpError.generic("Invalid parameter type for '" + name + "', expected: boolean");
            }
            return b;
        }

        /** Accepts {@code name} as checked by the caller. */
        void skip(String name) {
            taken.add(name);
        }

        void done() throws QmpError {
            for (String name : values.keySet()) {
                if (!taken.contains(name)) {
                    throw QmpError.generic("Parameter '" + name + "' is unexpected");
                }
            }
        }
    }
}

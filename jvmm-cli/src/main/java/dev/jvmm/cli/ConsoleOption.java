package dev.jvmm.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Where a guest's console goes ({@code --console}): {@code stdio}, this terminal (keystrokes go to
 * the guest), or {@code file:PATH}, appended to PATH (and standard input is not read).
 */
sealed interface ConsoleOption {

    String SYNTAX = "stdio or file:PATH";

    record Stdio() implements ConsoleOption {
    }

    record File(Path path) implements ConsoleOption {
    }

    static ConsoleOption parse(String value) throws UsageException {
        if (value.equals("stdio")) {
            return new Stdio();
        }
        if (value.startsWith("file:") && value.length() > "file:".length()) {
            String name = value.substring("file:".length());
            try {
                return new File(Path.of(name));
            } catch (InvalidPathException e) {
                throw new UsageException("--console: bad file name '" + name + "': " + e.getReason());
            }
        }
        throw new UsageException("--console: expected " + SYNTAX + ", got '" + value + "'");
    }

    /** The console of clone {@code i}: a file gets the suffix {@code .i}; stdio stays stdio (prefixed lines). */
    default ConsoleOption forClone(int i) {
        return switch (this) {
            case Stdio s -> s;
            case File(Path path) -> new File(path.resolveSibling(path.getFileName() + "." + i));
        };
    }
}

package dev.jvmm.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A guest's console, opened from its {@link ConsoleOption}: where its output goes, and whether
 * this guest reads the user's keystrokes (only a lone guest on {@code stdio} does).
 */
final class GuestConsole implements AutoCloseable {

    private final OutputStream output;
    private final boolean readsStdin;
    private final boolean closeOutput;

    private GuestConsole(OutputStream output, boolean readsStdin, boolean closeOutput) {
        this.output = output;
        this.readsStdin = readsStdin;
        this.closeOutput = closeOutput;
    }

    /** The console of the one guest of this jvmm; {@code stdout} is this process's (unbuffered) standard output. */
    static GuestConsole open(ConsoleOption option, OutputStream stdout) throws UsageException {
        return switch (option) {
            case ConsoleOption.Stdio s -> new GuestConsole(stdout, true, false);
            case ConsoleOption.File(Path path) -> new GuestConsole(append(path), false, true);
        };
    }

    /**
     * The console of clone {@code clone}: on stdio its lines are prefixed {@code [clone N] } (writes
     * to {@code stdout} hold {@code stdoutLock}) and it reads no keystrokes; a file gets the suffix {@code .N}.
     */
    static GuestConsole openClone(ConsoleOption option, int clone, OutputStream stdout, Object stdoutLock)
            throws UsageException {
        return switch (option.forClone(clone)) {
            case ConsoleOption.Stdio s ->
                    new GuestConsole(new LinePrefixingOutputStream(stdout, "[clone " + clone + "] ", stdoutLock), false, true);
            case ConsoleOption.File(Path path) -> new GuestConsole(append(path), false, true);
        };
    }

    private static OutputStream append(Path path) throws UsageException {
        try {
            return Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            throw new UsageException("--console file:" + path + ": no such directory " + path.toAbsolutePath().getParent());
        } catch (AccessDeniedException e) {
            throw new UsageException("--console file:" + path + ": permission denied");
        } catch (IOException e) {
            throw new UsageException("--console file:" + path + ": cannot open: " + e.getMessage());
        }
    }

    /** Where the guest's console output goes. */
    OutputStream output() {
        return output;
    }

    /** Whether the user's keystrokes go to this guest (and the terminal goes raw). */
    boolean readsStdin() {
        return readsStdin;
    }

    /** Closes a console file, or writes out a clone's unfinished line; standard output stays open. */
    @Override
    public void close() throws IOException {
        if (closeOutput) {
            output.close();
        }
    }
}

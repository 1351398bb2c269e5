package dev.jvmm.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code jvmm} process driven as a user drives it: its console on stdout, keystrokes on
 * stdin. Every wait has a deadline and a failure shows the tail of the console.
 */
final class GuestUnderTest implements AutoCloseable {

    private final Process process;
    private final StringBuilder console = new StringBuilder();
    private final StringBuilder errors = new StringBuilder();
    private final OutputStream keyboard;
    private int mark;

    private GuestUnderTest(Process process) {
        this.process = process;
        this.keyboard = process.getOutputStream();
        pump(process.getInputStream(), console);
        pump(process.getErrorStream(), errors);
    }

    /** Starts {@code jvmm ARGS...} from the jar the build just made. */
    static GuestUnderTest start(String... args) throws IOException {
        Path jar = Path.of(System.getProperty("jvmm.jar", "../jvmm-cli/target/jvmm-cli.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the jvmm jar is missing at " + jar.toAbsolutePath() + ": build first");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(List.of(args));
        return new GuestUnderTest(new ProcessBuilder(command).start());
    }

    /** Starts any other console program the same way: a reference peer such as QEMU. */
    static GuestUnderTest startCommand(List<String> command) throws IOException {
        return new GuestUnderTest(new ProcessBuilder(command).start());
    }

    private static void pump(InputStream in, StringBuilder sink) {
        Thread.ofVirtual().start(() -> {
            byte[] buffer = new byte[4096];
            try {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    synchronized (sink) {
                        sink.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                        sink.notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // the process went away; what it printed so far stays in the sink
            }
        });
    }

    /**
     * Waits until {@code text} appears on the console after the previous match and returns the
     * console output between the previous match and the end of this one.
     */
    String waitFor(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int deadWaits = 0;
        synchronized (console) {
            while (true) {
                int at = console.indexOf(text, mark);
                if (at >= 0) {
                    String seen = console.substring(mark, at + text.length());
                    mark = at + text.length();
                    return seen;
                }
                long left = deadline - System.nanoTime();
                if (!process.isAlive()) {
                    deadWaits++; // let the pump deliver the last bytes of a process that just exited
                }
                if (left <= 0 || deadWaits > 5) {
                    throw new AssertionError("no '" + text + "' on the console within " + timeout
                            + (process.isAlive() ? "" : " (jvmm exited with status " + process.exitValue() + ")")
                            + "; console tail:\n" + tail(console, 3000) + "\nstderr:\n" + tail(errors, 2000));
                }
                console.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
            }
        }
    }

    /** Waits until {@code text} appears on jvmm's standard error (its own messages, not the guest's). */
    void waitForError(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (errors) {
            while (errors.indexOf(text) < 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no '" + text + "' on jvmm's stderr within " + timeout + "; stderr:\n" + tail(errors, 2000));
                }
                errors.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
            }
        }
    }

    /**
     * Waits until the guest's shell answers: types a marker command every few seconds (a
     * shell that starts late may discard what was typed before it) until its output appears.
     */
    void waitForShell(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            type("echo SHELL-$((6*7))\n");
            try {
                waitFor("SHELL-42", Duration.ofSeconds(5));
                return;
            } catch (AssertionError notYet) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    throw new AssertionError("the guest's shell did not answer within " + timeout, notYet);
                }
            }
        }
    }

    /**
     * Types a shell command and waits for it to finish; returns what it printed. The end is
     * recognised by an arithmetic marker, which only the shell's output (not the echo of the
     * typed line) contains.
     */
    String shell(String command, Duration timeout) throws IOException, InterruptedException {
        long n = System.nanoTime() % 100_000;
        type(command + "; echo END-$((" + n + "+1))\n");
        return waitFor("END-" + (n + 1), timeout);
    }

    /** Sends keystrokes to the guest's console. */
    void type(String keys) throws IOException {
        keyboard.write(keys.getBytes(StandardCharsets.ISO_8859_1));
        keyboard.flush();
    }

    /** Waits for jvmm to exit and returns its status. */
    int waitForExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("jvmm did not exit within " + timeout + "; console tail:\n" + tail(console, 3000));
        }
        return process.exitValue();
    }

    String console() {
        synchronized (console) {
            return console.toString();
        }
    }

    String errors() throws InterruptedException {
        Thread.sleep(100);
        synchronized (errors) {
            return errors.toString();
        }
    }

    private static String tail(StringBuilder sb, int chars) {
        synchronized (sb) {
            return sb.substring(Math.max(0, sb.length() - chars));
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}

package dev.jvmm.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicReference;

import dev.jvmm.machine.VirtMachine;

/**
 * Reads the user's keystrokes (or piped bytes) on a daemon thread and hands them to the current
 * machine's serial console. On a terminal the Ctrl-A escapes apply; piped input goes through as
 * it is. End of input only ends this thread: the guest keeps running.
 */
final class ConsoleInput {

    private final InputStream in;
    private final boolean escapes;
    private final AtomicReference<VirtMachine> machine;
    private final Runnable onQuit;
    private final PrintStream messages;

    ConsoleInput(InputStream in, boolean escapes, AtomicReference<VirtMachine> machine, Runnable onQuit,
                 PrintStream messages) {
        this.in = in;
        this.escapes = escapes;
        this.machine = machine;
        this.onQuit = onQuit;
        this.messages = messages;
    }

    void start() {
        Thread t = new Thread(this::pump, "jvmm-console-input");
        t.setDaemon(true);
        t.start();
    }

    private void pump() {
        ConsoleEscape escape = new ConsoleEscape();
        ConsoleEscape.Actions actions = new ConsoleEscape.Actions() {
            @Override
            public void sendToGuest(byte[] data, int offset, int length) {
                send(data, offset, length);
            }

            @Override
            public void quit() {
                onQuit.run();
            }

            @Override
            public void help() {
                messages.print(ConsoleEscape.HELP);
                messages.flush();
            }
        };
        byte[] buffer = new byte[4096];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (escapes) {
                    escape.feed(buffer, 0, n, actions);
                } else {
                    send(buffer, 0, n);
                }
            }
        } catch (IOException e) {
            // input closed: the guest goes on without it
        }
    }

    /**
     * Hands bytes to the current machine; while there is none (it is still being built, restored
     * or received, or a reboot is under way) the bytes wait for it rather than being lost.
     */
    private void send(byte[] data, int offset, int length) {
        try {
            VirtMachine m;
            while ((m = machine.get()) == null) {
                Thread.sleep(5);
            }
            m.sendConsoleInput(data, offset, length);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // a machine that is stopping may refuse input; the keystroke is lost, as on real hardware
        }
    }
}

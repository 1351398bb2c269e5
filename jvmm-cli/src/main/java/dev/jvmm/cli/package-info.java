/**
 * The {@code jvmm} command: option parsing and validation at the edge, the console (raw
 * terminal, QEMU's Ctrl-A escapes, or a file), and the mapping from why a machine stopped to an
 * exit status. {@code run}, {@code run --incoming} and {@code restore} share one run loop
 * ({@link dev.jvmm.cli.GuestRunner}); {@code snapshot} and {@code migrate} are clients of a running
 * jvmm's control socket ({@link dev.jvmm.cli.control}). Uses only the public APIs of
 * {@code dev.jvmm.machine} and {@code dev.jvmm.image}.
 */
package dev.jvmm.cli;

/**
 * The {@code jvmm} command: option parsing and validation at the edge, the console (raw
 * terminal, QEMU's Ctrl-A escapes), and the mapping from why a machine stopped to an exit status.
 * Uses only the public APIs of {@code dev.jvmm.machine} and {@code dev.jvmm.image}.
 */
package dev.jvmm.cli;

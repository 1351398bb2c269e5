/**
 * The encoding of a component's saved state: what a hart, a device or the board writes into
 * a snapshot or a migration stream. Each component writes one record through a
 * {@link dev.jvmm.memory.state.StateWriter} and reads it back through a
 * {@link dev.jvmm.memory.state.StateReader}; the machine names, versions, checksums and stores
 * the records. A reader treats the bytes as hostile: every length, index and value is checked
 * before use, and a bad record is a {@link dev.jvmm.memory.state.StateException}, never a
 * crash or a half-restored component.
 */
package dev.jvmm.memory.state;

/**
 * A machine's saved state: the record file that snapshots and migration streams share, the
 * saved board configuration, and the snapshot directory. The layouts and their compatibility
 * rules are documented in {@code docs/snapshot-format.md}.
 */
package dev.jvmm.machine.state;

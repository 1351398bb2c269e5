/**
 * Differential testing of jvmm's CPU against QEMU: {@link dev.jvmm.conformance.diff.ProgramGenerator}
 * turns a seed into a random but valid RV64GC program; {@link dev.jvmm.conformance.diff.BatchSource}
 * puts several such programs into one bare-metal ELF (runtime in src/test/resources/diff: trap
 * handler that logs mcause/mtval/mepc and skips the instruction, a binary state record per program,
 * handed to the host by semihosting on QEMU and read from RAM on jvmm, optionally printed on UART0,
 * test finisher); {@link dev.jvmm.conformance.diff.DiffHarness} builds it with as and ld
 * ({@link dev.jvmm.conformance.diff.BatchToolchain}), runs it on QEMU and on jvmm, compares the
 * states ({@link dev.jvmm.conformance.diff.DumpRecord}) and narrows a divergence to its first
 * diverging instruction by running prefixes. {@link dev.jvmm.conformance.diff.DiffRun} keeps QEMU's
 * batch k+1 in flight while jvmm runs batch k.
 *
 * <p>{@code DiffTest} is the small fixed budget of the normal build; {@code DiffLongRunTest} is the
 * long mode ({@code -Ddiff.count=N -Ddiff.seed=START -Ddiff.length=L [-Ddiff.batch=B -Ddiff.locate=K]}).
 * Reproducers of divergences go to target/diff/divergences/ (a .S plus runtime.S, diff.h, link.ld).
 */
package dev.jvmm.conformance.diff;

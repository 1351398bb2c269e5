/**
 * Differential testing of jvmm's CPU against QEMU: {@link dev.jvmm.conformance.diff.ProgramGenerator}
 * turns a seed into a random but valid RV64GC program; {@link dev.jvmm.conformance.diff.BatchSource}
 * puts several such programs into one bare-metal ELF (runtime in src/test/resources/diff: trap
 * handler that logs mcause/mtval/mepc and skips the instruction, a binary state record per program,
 * handed to the host by semihosting on QEMU and read from RAM on jvmm, optionally printed on UART0,
 * test finisher); {@link dev.jvmm.conformance.diff.DiffHarness} builds it with as and ld
 * ({@link dev.jvmm.conformance.diff.BatchToolchain}), runs it on QEMU and on jvmm with each engine
 * (interpreter and translator), compares each engine's states with QEMU's
 * ({@link dev.jvmm.conformance.diff.DumpRecord}) and narrows a divergence to its first diverging
 * instruction by running prefixes on QEMU and on the engine that diverged.
 * {@link dev.jvmm.conformance.diff.DiffRun} keeps QEMU's batch k+1 in flight while jvmm runs batch k;
 * {@link dev.jvmm.conformance.diff.BatchLockstep} runs a batch on the two engines in lockstep.
 *
 * <p>{@code DiffTest} and {@code DiffLockstepTest} are the small fixed budget of the normal build;
 * {@code DiffLongRunTest} is the long mode ({@code -Ddiff.count=N -Ddiff.seed=START -Ddiff.length=L
 * [-Ddiff.batch=B -Ddiff.locate=K -Ddiff.engines=interp,jit -Ddiff.lockstep=true]}).
 * Reproducers of divergences go to target/diff/divergences/ (a .S plus runtime.S, diff.h, link.ld).
 */
package dev.jvmm.conformance.diff;

/**
 * The ISA conformance suite: self-checking bare-metal RISC-V programs (src/test/asm), each
 * built with the Debian cross toolchain, proven on QEMU and then run on jvmm as a bare ELF, on the
 * interpreter and on the translator, and on both in lockstep ({@code dev.jvmm.conformance.lockstep});
 * {@link dev.jvmm.conformance.SuiteCoverage} counts which of jvmm's instructions and CSRs they
 * execute. The runners ({@link dev.jvmm.conformance.CrossToolchain},
 * {@link dev.jvmm.conformance.QemuRun}, {@link dev.jvmm.conformance.JvmmRun}) are public for the
 * differential tests in {@code dev.jvmm.conformance.diff}. See docs/conformance.md.
 */
package dev.jvmm.conformance;

/**
 * The host side of Spike-style test programs: the HTIF {@code tohost}/{@code fromhost}
 * mailbox in guest RAM ({@link dev.jvmm.machine.htif.Htif}: pass/fail, console output, a few
 * proxied system calls) and the result signature file
 * ({@link dev.jvmm.machine.htif.Signature}) that conformance suites compare against a
 * reference model's.
 */
package dev.jvmm.machine.htif;

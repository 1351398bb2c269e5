/**
 * Firmware written in Java: {@link dev.jvmm.machine.firmware.BuiltinSbi} answers a kernel's
 * SBI calls in place of OpenSBI, and {@link dev.jvmm.machine.firmware.HartLifecycle} keeps
 * the hart states of the HSM extension. It reaches the board only through
 * {@link dev.jvmm.machine.firmware.SbiPlatform}, so it can be tested without harts.
 */
package dev.jvmm.machine.firmware;

/**
 * The ISA conformance suite: self-checking bare-metal RISC-V programs (src/test/asm), each
 * built with the Debian cross toolchain, proven on QEMU and then run on jvmm.
 */
package dev.jvmm.conformance;

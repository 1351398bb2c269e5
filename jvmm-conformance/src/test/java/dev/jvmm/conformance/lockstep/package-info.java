/**
 * jvmm's two engines against each other, instruction budget by instruction budget: a bare
 * program runs on two hart-level boards ({@link dev.jvmm.conformance.lockstep.LockstepBoard}:
 * RAM, test finisher, UART0 and a thread-free CLINT on an instruction-counting clock), one hart
 * interpreting and one translating; {@link dev.jvmm.conformance.lockstep.EngineLockstep} gives
 * both the same seeded random budgets and compares registers, CSRs, RAM, console and finisher
 * after every step. {@link dev.jvmm.machine.VirtMachine} cannot be used for this: it runs its
 * harts on its own threads against host time, and exposes neither hart state nor a way to step.
 */
package dev.jvmm.conformance.lockstep;

/**
 * The RV64GC hart: {@link dev.jvmm.cpu.riscv.Hart} and the pieces behind it.
 *
 * <h3>Shape</h3>
 * {@code Decoder} is pure (fields, compressed expansion). {@code Interpreter} is the hot
 * loop over RV64IMA, Zicsr, Zifencei and the privileged instructions; {@code FloatUnit}
 * executes F/D with NaN-boxing and FS tracking and calls {@link dev.jvmm.cpu.riscv.Fpu} for
 * IEEE arithmetic. {@code Csrs} holds the CSRs and the privilege level, {@code Traps} the
 * cause codes and the single trap-entry path, {@code Mmu} translation (Sv39/Sv48), the TLBs
 * and all guest memory accesses, {@code Pmp} physical memory protection. {@code HartState} is
 * the hart's snapshot record (what {@link dev.jvmm.cpu.riscv.Hart} saves and restores as a
 * {@link dev.jvmm.memory.state.Stateful}).
 *
 * <h3>Dirty pages</h3>
 * Every CPU store that writes RAM directly goes through {@code DirectRam} (the MMU's TLB fast
 * and slow paths, and translated code's inline stores), which does not mark; the MMU follows
 * {@link dev.jvmm.memory.DirtyPageLog}'s rules for cached writers: it marks a page when a store
 * TLB entry for it is filled and when the entry is dropped, marks every cached page and drops
 * them when the log was collected since it last looked (the hart looks at every slice and when
 * {@code run} returns), and marks after each slow-path store. AMOs, LR/SC and page-table A/D
 * updates go through {@link dev.jvmm.memory.GuestMemory}'s atomics, which mark by themselves.
 *
 * <h3>What it must not know</h3>
 * Devices, boards and files: physical accesses go to {@link dev.jvmm.memory.GuestMemory} or
 * an {@link dev.jvmm.memory.MmioDevice} found on the {@link dev.jvmm.memory.AddressSpace};
 * interrupts arrive as {@link dev.jvmm.memory.InterruptLine}s into {@code mip}.
 *
 * <h3>Guest input is hostile</h3>
 * Every guest address becomes either a checked RAM access, an MMIO dispatch or an
 * architectural access fault; nothing the guest does throws out of {@code Hart.run}.
 */
package dev.jvmm.cpu.riscv;

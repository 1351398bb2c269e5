/*
 * The trap-virtualization bits of mstatus: TW (WFI from S), TVM (satp and sfence.vma from S)
 * and TSR (sret from S) make the instruction illegal in S-mode and leave M-mode alone; WFI and
 * sfence.vma from U are always illegal (the spec lets U-mode WFI trap once S-mode exists, and
 * QEMU does so at once). Nothing is pending and enabled here, so a WFI that did not trap
 * would wait forever: the spec requires it to trap within a bounded time.
 */
#include "conformance.h"
    .option norvc
    .text
    .globl test_main

#define MSTATUS_TVM (1 << 20)
#define MSTATUS_TW  (1 << 21)
#define MSTATUS_TSR (1 << 22)

test_main:
    mv s11, ra
    csrw mie, zero
    csrci mstatus, MSTATUS_MIE | MSTATUS_SIE
    CASE 1                              /* the three bits read back */
    li a0, MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR
    csrs mstatus, a0
    csrr a1, mstatus
    and a1, a1, a0
    CHECKR a1, a0
    csrc mstatus, a0
    csrr a1, mstatus
    and a1, a1, a0
    CHECK a1, 0
    CASE 2                              /* TVM = 0: S reads and writes satp, runs sfence.vma */
    ENTER_MODE 1, 1f
1:  csrr a0, satp
    csrw satp, zero
    sfence.vma
    sfence.vma zero, zero
    TRAP CAUSE_ECALL_S, ecall
    CASE 3                              /* TVM = 1: satp read from S is illegal */
    li a0, MSTATUS_TVM
    csrs mstatus, a0
    ENTER_MODE 1, 2f
2:  ILLEGAL csrr a0, satp
    CASE 4                              /* ... and a satp write */
    ENTER_MODE 1, 3f
3:  ILLEGAL csrw satp, zero
    CASE 5                              /* ... and sfence.vma, with or without operands */
    ENTER_MODE 1, 4f
4:  ILLEGAL sfence.vma
    li s1, 0x80000000
    ENTER_MODE 1, 5f
5:  ILLEGAL sfence.vma s1, zero
    CASE 6                              /* TVM does not affect M-mode */
    csrr a0, satp
    csrw satp, zero
    sfence.vma
    CASE 7                              /* TVM does not affect other S CSRs */
    ENTER_MODE 1, 6f
6:  csrr a0, sscratch
    csrr a0, sstatus
    TRAP CAUSE_ECALL_S, ecall
    li a0, MSTATUS_TVM
    csrc mstatus, a0
    CASE 8                              /* TW = 1: WFI in S is illegal */
    li a0, MSTATUS_TW
    csrs mstatus, a0
    ENTER_MODE 1, 7f
7:  ILLEGAL wfi
    CASE 9                              /* WFI in U is illegal with TW = 1 ... */
    ENTER_MODE 0, 8f
8:  ILLEGAL wfi
    li a0, MSTATUS_TW
    csrc mstatus, a0
    CASE 10                             /* ... and with TW = 0 */
    ENTER_MODE 0, 9f
9:  ILLEGAL wfi
    CASE 11                             /* TW = 0: WFI in S with an interrupt pending and enabled in mie
                                         * (SSIP, delegated, SIE = 0 so not taken) completes */
    li a0, 2
    csrw mideleg, a0
    csrw mie, a0
    csrsi mip, 2
    ENTER_MODE 1, 10f
10: wfi
    TRAP CAUSE_ECALL_S, ecall
    csrci mip, 2
    csrw mie, zero
    csrw mideleg, zero
    CASE 12                             /* TW = 1 leaves M-mode's WFI alone (interrupt pending: it resumes) */
    li a0, MSTATUS_TW
    csrs mstatus, a0
    li a0, 2
    csrw mie, a0
    csrsi mip, 2
    wfi
    csrci mip, 2
    csrw mie, zero
    li a0, MSTATUS_TW
    csrc mstatus, a0
    CASE 13                             /* sfence.vma from U is always illegal */
    ENTER_MODE 0, 11f
11: ILLEGAL sfence.vma
    CASE 14                             /* TSR = 1: sret in S is illegal */
    li a0, MSTATUS_TSR
    csrs mstatus, a0
    ENTER_MODE 1, 12f
12: ILLEGAL sret
    CASE 15                             /* TSR = 1 leaves M-mode's sret alone: to S at sepc */
    li a0, MSTATUS_SPP
    csrs mstatus, a0
    la a0, 13f
    csrw sepc, a0
    sret
13: TRAP CAUSE_ECALL_S, ecall
    li a0, MSTATUS_TSR
    csrc mstatus, a0
    CASE 16                             /* TSR = 0: sret in S works (S to U) */
    ENTER_MODE 1, 14f
14: li a0, MSTATUS_SPP
    csrc sstatus, a0
    la a0, 15f
    csrw sepc, a0
    sret
15: TRAP CAUSE_ECALL_U, ecall
    mv ra, s11
    ret

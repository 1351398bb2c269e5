/*
 * Self-modifying code written by the page walker: a page that holds hot code is also a level-0
 * page table (Sv39), and one of its entries is, read as an instruction, "jal zero, pte_land" in
 * that hot code. A store through the entry makes the walker set the entry's D bit (bit 7, the
 * jal's rd bit 0), which turns the instruction into "jal ra, pte_land": pte_fn then returns the
 * link address instead of 0.
 *
 * The walker's write is an implicit store of this hart. Whether a later fetch sees it without
 * FENCE.I the ISA does not say; QEMU 7.2 writes the entry behind its translation cache and runs
 * the old jal even after FENCE.I. So the program accepts either instruction at both points and
 * prints which one ran; jvmm's interpreter fetches every instruction from memory and runs the new
 * one, and the harness requires the same console output from jvmm's translator.
 * The spec also lets an implementation leave A/D to software (a page fault); then the program says
 * so and checks nothing more.
 */
#include "conformance.h"
    .option norvc
    .text
    .globl test_main

#define HOT 40                          /* calls that make pte_fn hot */
#define SV39 (8 << 60)
#define PTE_GIGA_RWX_AD 0x200000cf      /* PPN 0x80000 (PA 0x80000000), D A X W R V */
#define PTE_VA 0x40020000               /* the page entry 32 of pte_page maps */
#define PTE_JAL_ZERO 0x2000006f         /* jal zero, +512 = an entry for PA 0x80000000 with A G X W R V */
#define PTE_JAL_RA 0x200000ef           /* jal ra, +512 = the same entry with D set */

/* a0 must equal old or new (registers); prints "smcpte: <what>: old|new" on UART0 (M-mode). */
.macro OBSERVE what, old, new
    beq a0, \old, .Lold\@
    CHECKR a0, \new
    la a0, 9001f
    j .Lsay\@
.Lold\@:
    la a0, 9002f
.Lsay\@:
    call say
    .pushsection .rodata
9001: .asciz "smcpte: \what: new\n"
9002: .asciz "smcpte: \what: old\n"
    .popsection
.endm

test_main:
    mv s11, ra
    CASE 1                              /* the layout: entry 32 of pte_page is pte_fn's jal */
    lwu t0, pte_slot
    CHECK t0, PTE_JAL_ZERO
    /* Sv39: VA 0x80000000 identity (the program), VA 0x40000000.. through l1_table and pte_page */
    la t0, sv39_root
    li t1, PTE_GIGA_RWX_AD
    sd t1, 2 * 8(t0)
    la t1, l1_table
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, 1                       /* V alone: a pointer to the next level */
    sd t1, 1 * 8(t0)
    la t0, l1_table
    la t1, pte_page
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, 1
    sd t1, 0(t0)
    la t0, sv39_root
    srli t0, t0, 12
    li t1, SV39
    or t0, t0, t1
    csrw satp, t0
    sfence.vma
    li s6, -1
    li s7, -1
    ENTER_MODE 1, 1f
1:  CASE 2                              /* pte_fn made hot: the jal links nothing */
    li s1, HOT
2:  li a0, 0
    call pte_fn
    CHECK a0, 0
    addi s1, s1, -1
    bnez s1, 2b
    CASE 3                              /* a store through the entry: the walker sets D */
    ARM_TRAP 9f
    li t0, PTE_VA
    ld t1, 0(t0)
    sd t1, 0(t0)                        /* the same bytes back (PA 0x80000000, this program's start) */
    DISARM_TRAP
    lwu t0, pte_slot
    CHECK t0, PTE_JAL_RA
    li a0, 0
    call pte_fn                         /* no FENCE.I: printed below */
    mv s6, a0
    fence.i
    li a0, 0
    call pte_fn                         /* after FENCE.I: printed below */
    mv s7, a0
    BACK_TO_M
    j 8f
9:  CHECK_CAUSE CAUSE_STORE_PAGE        /* A/D by page fault; resumed in M-mode */
8:  csrw satp, zero
    sfence.vma
    CASE 4
    li t0, -1
    beq s6, t0, 7f
    la s8, pte_slot
    addi s8, s8, 4                      /* what jal ra links */
    mv a0, s6
    OBSERVE "jal rewritten by the page walker's D update, no fence.i", zero, s8
    mv a0, s7
    OBSERVE "jal rewritten by the page walker's D update, after fence.i", zero, s8
    j 6f
7:  la a0, msg_ad_fault
    call say
6:  mv ra, s11
    ret

/* say(a0): writes a NUL-terminated string to UART0 (M-mode; the UART is always ready on QEMU and jvmm). */
say:
    li t0, UART0
1:  lbu t1, 0(a0)
    beqz t1, 2f
    sb t1, 0(t0)
    addi a0, a0, 1
    j 1b
2:  ret

/*
 * A code page that is also a level-0 page table: the 8 bytes at pte_slot are its entry 32, whose
 * low word is pte_fn's jal (its upper half, 0, is never executed); the zeros around are invalid
 * entries that nothing uses.
 */
    .balign 4096
pte_page:
    .skip 0x100 - 8
pte_fn:
    mv t2, ra
    li ra, 0
pte_slot:
    jal zero, pte_land
    .word 0
    .skip 512 - 8
pte_land:
    mv a0, ra                           /* 0, or pte_slot + 4 once the jal links */
    mv ra, t2
    ret

    .section .rodata
msg_ad_fault: .asciz "smcpte: A/D bits are set by page fault here: the walker's write is not checked\n"

    .bss
    .balign 4096
sv39_root:
    .zero 4096
l1_table:
    .zero 4096

/*
 * Self-modifying code: a function is made hot (run HOT times, more than any hot threshold the
 * tests give jvmm's translator), then one of its instructions is overwritten and the function
 * runs again. Covered: the patch made visible by FENCE.I; the same without FENCE.I; repeated
 * patches; a page that holds other hot code and data; a store over the next instruction of the
 * same block; a loop whose body rewrites itself; a callee that rewrites the code its caller returns
 * to; code copied into a fresh buffer and replaced by code of the same length (also with a
 * different block structure); patches made by every kind of store (byte, half, word, doubleword,
 * compressed, floating-point, AMO, SC, a misaligned doubleword across a page boundary); and a
 * patch made through a second virtual mapping of the same page (Sv39, in S-mode). smcpte.S covers
 * code rewritten by the page walker.
 *
 * Without FENCE.I the ISA does not promise that a hart fetches what it stored. QEMU does when the
 * store is not in the translation block being modified, and so does jvmm's interpreter, which
 * fetches every instruction from memory; jvmm's translator must behave exactly as its
 * interpreter. So where the store and the patched instruction are in different blocks this
 * program requires the new code. Where they are in the same block (QEMU's blocks are then
 * modified while they run, and QEMU for RISC-V runs the old instruction), it accepts both and
 * prints which one ran; the harness requires the same console output on both of jvmm's engines.
 */
#include "conformance.h"
    .option norvc
    .text
    .globl test_main

#define HOT 40                          /* calls that make a function hot */
#define REPEAT 20                       /* rounds of the repeated-patch loops */
#define ROUNDS 4                        /* calls of a function that stores into its own page: each store drops
                                           its translation, so it is translated afresh at every call (threshold 1)
                                           and never gets hot at higher thresholds; more calls add nothing */
#define SV39 (8 << 60)
#define ALIAS_OFFSET 0x40000000         /* VA 0xc0000000 maps the gigapage at PA 0x80000000 too */
#define PTE_GIGA_RWX_AD 0x200000cf       /* PPN 0x80000 (PA 0x80000000), D A X W R V */

/* Calls fn HOT times with a0 = 0; every call must return expect. Clobbers s1, a0, ra and fn's registers. */
.macro CALL_HOT fn, expect
    li s1, HOT
.Lh\@:
    li a0, 0
    call \fn
    CHECK a0, \expect
    addi s1, s1, -1
    bnez s1, .Lh\@
.endm

/* Calls fn once with a0 = 0; it must return expect. */
.macro CALL_ONCE fn, expect
    li a0, 0
    call \fn
    CHECK a0, \expect
.endm

/* Calls the function at the address in reg HOT times with a0 = 0; each call must return expect. */
.macro JALR_HOT reg, expect
    li s1, HOT
.Lh\@:
    li a0, 0
    jalr \reg
    CHECK a0, \expect
    addi s1, s1, -1
    bnez s1, .Lh\@
.endm

/* Overwrites the instruction at label slot with the instruction at label insn (a plain sw). */
.macro PATCH slot, insn
    la t0, \slot
    lw t1, \insn
    sw t1, 0(t0)
.endm

/* Copies TEMPLATE_BYTES bytes from template to code_buf, step bytes at a time, with the given load and store. */
#define TEMPLATE_BYTES 16
.macro COPY store, step, load, template
    la t0, \template
    la t1, code_buf
    li t2, TEMPLATE_BYTES / \step
.Lc\@:
    \load t3, 0(t0)
    \store t3, 0(t1)
    addi t0, t0, \step
    addi t1, t1, \step
    addi t2, t2, -1
    bnez t2, .Lc\@
.endm

/* a0 must be old or new; prints "<what>: old" or "<what>: new" on UART0. */
.macro OBSERVE what, old, new
    li t3, \old
    beq a0, t3, .Lold\@
    CHECK a0, \new
    la a0, 9001f
    j .Lsay\@
.Lold\@:
    la a0, 9002f
.Lsay\@:
    call say
    .pushsection .rodata
9001: .asciz "smc: \what: new\n"
9002: .asciz "smc: \what: old\n"
    .popsection
.endm

test_main:
    mv s11, ra

    /* ---- (a) a hot function patched, then FENCE.I ---- */
    CASE 1
    CALL_HOT fn_a, 1
    CASE 2                              /* the new instruction runs at the first call after the fence */
    PATCH fn_a_slot, insn_add2
    fence.i
    CALL_ONCE fn_a, 2
    CALL_HOT fn_a, 2
    CASE 3                              /* and the old one again once it is back */
    PATCH fn_a_slot, insn_add1
    fence.i
    CALL_ONCE fn_a, 1

    /* ---- (b) the same without FENCE.I: the store is in another block than the patched code ---- */
    CASE 4
    CALL_HOT fn_b, 1
    PATCH fn_b_slot, insn_add3
    CALL_ONCE fn_b, 3
    CALL_HOT fn_b, 3
    CASE 5
    PATCH fn_b_slot, insn_add1
    CALL_ONCE fn_b, 1

    /* ---- repeated patches of a hot function: immediate i, then call, for i = 1..REPEAT ---- */
    CASE 6                              /* without FENCE.I */
    CALL_HOT fn_c, 0
    li s2, 1
    lw s3, insn_add0
1:  slli t1, s2, 20
    or t1, t1, s3
    la t0, fn_c_slot
    sw t1, 0(t0)
    li a0, 0
    call fn_c
    CHECKR a0, s2
    addi s2, s2, 1
    li t0, REPEAT
    ble s2, t0, 1b
    CASE 7                              /* with FENCE.I */
    li s2, 1
1:  slli t1, s2, 20
    or t1, t1, s3
    la t0, fn_c_slot
    sw t1, 0(t0)
    fence.i
    li a0, 0
    call fn_c
    CHECKR a0, s2
    addi s2, s2, 1
    li t0, REPEAT
    ble s2, t0, 1b

    /* ---- (c) a page that holds other hot code and data ---- */
    CASE 8
    CALL_HOT pg_hot, 5
    CALL_HOT pg_target, 6
    CASE 9                              /* data stores to the page leave its code intact */
    li s2, REPEAT
1:  la t0, pg_data
    sd s2, 0(t0)
    CALL_ONCE pg_hot, 5
    CALL_ONCE pg_target, 6
    addi s2, s2, -1
    bnez s2, 1b
    la t0, pg_data
    ld t1, 0(t0)
    CHECK t1, 1
    CASE 10                             /* a patch without FENCE.I changes only the patched function */
    PATCH pg_target_slot, insn_add7
    CALL_ONCE pg_hot, 5
    CALL_ONCE pg_target, 7
    CALL_HOT pg_target, 7
    CALL_HOT pg_hot, 5
    CASE 11                             /* and with FENCE.I */
    PATCH pg_target_slot, insn_add8
    fence.i
    CALL_ONCE pg_target, 8
    CALL_ONCE pg_hot, 5

    /* ---- (d) a store over the next instruction of the same block ---- */
    CASE 12                             /* with FENCE.I between them: the new instruction runs */
    lw s2, insn_add11
    lw s3, insn_add12
    li s1, ROUNDS
1:  mv a1, s2
    li a0, 0
    call fn_d_fenced
    CHECK a0, 11
    addi s1, s1, -1
    bnez s1, 1b
    mv a1, s3
    CALL_ONCE fn_d_fenced, 12
    mv a1, s2
    CALL_ONCE fn_d_fenced, 11
    CASE 13                             /* without: either instruction may run (printed) */
    li s1, ROUNDS
1:  mv a1, s2
    li a0, 0
    call fn_d_same_block
    CHECK a0, 11
    addi s1, s1, -1
    bnez s1, 1b
    mv a1, s3
    li a0, 0
    call fn_d_same_block
    OBSERVE "store over the next instruction in the same block, no fence.i", 11, 12
    CASE 14                             /* by the next call the store has happened: the new one runs */
    mv a1, s3
    CALL_ONCE fn_d_same_block, 12
    mv a1, s2
    li a0, 0
    call fn_d_same_block
    OBSERVE "the old instruction stored back in the same block, no fence.i", 12, 11
    mv a1, s2
    CALL_ONCE fn_d_same_block, 11
    CASE 15                             /* a loop whose body rewrites its first instruction, then branches back */
    lw a1, insn_add100
    lw a2, insn_add1
    li s1, ROUNDS
1:  la t0, fn_loop_slot
    sw a2, 0(t0)                        /* the original back, from another block */
    call fn_loop
    CHECK a0, 101
    addi s1, s1, -1
    bnez s1, 1b
    CASE 16                             /* a callee rewrites the instruction its caller returns to */
    lw a1, insn_add1
    li s1, ROUNDS
1:  call fn_caller
    CHECK a0, 1
    addi s1, s1, -1
    bnez s1, 1b
    lw a1, insn_add20
    call fn_caller
    CHECK a0, 20
    lw a1, insn_add1
    call fn_caller
    CHECK a0, 1

    /* ---- (e) code copied into a fresh buffer, run, replaced by code of the same length ---- */
    CASE 17
    COPY sw, 4, lw, tmpl_a
    fence.i
    la s4, code_buf
    JALR_HOT s4, 0x112
    CASE 18                             /* replaced, FENCE.I */
    COPY sw, 4, lw, tmpl_b
    fence.i
    JALR_HOT s4, 0x444
    CASE 19                             /* replaced by code with a branch where the old block had none */
    COPY sw, 4, lw, tmpl_c
    fence.i
    JALR_HOT s4, 0x333
    CASE 20                             /* and back */
    COPY sw, 4, lw, tmpl_a
    fence.i
    JALR_HOT s4, 0x112
    /* Without FENCE.I, by every kind of store (each in another block than the hot code). */
    CASE 21
    COPY sb, 1, lbu, tmpl_b
    li a0, 0
    jalr s4
    CHECK a0, 0x444
    JALR_HOT s4, 0x444
    CASE 22
    COPY sh, 2, lhu, tmpl_a
    li a0, 0
    jalr s4
    CHECK a0, 0x112
    JALR_HOT s4, 0x112
    CASE 23
    COPY sd, 8, ld, tmpl_c
    li a0, 0
    jalr s4
    CHECK a0, 0x333
    JALR_HOT s4, 0x333
    CASE 24                             /* compressed stores (c.sw needs x8..x15) */
    la t0, tmpl_b
    la a1, code_buf
    lw a2, 0(t0)
    lw a3, 4(t0)
    .option push
    .option rvc
    c.sw a2, 0(a1)
    c.sw a3, 4(a1)
    .option pop
    lw a2, 8(t0)
    lw a3, 12(t0)
    .option push
    .option rvc
    c.sw a2, 8(a1)
    c.sw a3, 12(a1)
    .option pop
    li a0, 0
    jalr s4
    CHECK a0, 0x444
    JALR_HOT s4, 0x444
    CASE 25                             /* floating-point stores */
    la t0, tmpl_a
    la t1, code_buf
    fld ft0, 0(t0)
    fsd ft0, 0(t1)
    flw ft1, 8(t0)
    fsw ft1, 8(t1)
    flw ft1, 12(t0)
    fsw ft1, 12(t1)
    li a0, 0
    jalr s4
    CHECK a0, 0x112
    JALR_HOT s4, 0x112
    CASE 26                             /* AMOs: amoswap.w, then amoswap.d */
    la t0, tmpl_c
    la t1, code_buf
    lw t3, 0(t0)
    amoswap.w zero, t3, (t1)
    addi t1, t1, 4
    lw t3, 4(t0)
    amoswap.w zero, t3, (t1)
    addi t1, t1, 4
    ld t3, 8(t0)
    amoswap.d zero, t3, (t1)
    li a0, 0
    jalr s4
    CHECK a0, 0x333
    JALR_HOT s4, 0x333
    CASE 27                             /* SC.W / SC.D after LR */
    la t0, tmpl_b
    la t1, code_buf
    ld t3, 0(t0)
1:  lr.d t4, (t1)
    sc.d t4, t3, (t1)
    bnez t4, 1b
    addi t1, t1, 8
    lw t3, 8(t0)
2:  lr.w t4, (t1)
    sc.w t4, t3, (t1)
    bnez t4, 2b
    addi t1, t1, 4
    lw t3, 12(t0)
3:  lr.w t4, (t1)
    sc.w t4, t3, (t1)
    bnez t4, 3b
    li a0, 0
    jalr s4
    CHECK a0, 0x444
    JALR_HOT s4, 0x444
    CASE 28                             /* a misaligned doubleword store across a page boundary */
    CALL_HOT fn_page_start, 9
    la t0, fn_page_start
    addi t0, t0, -4                     /* last word of the previous page: written back as it is */
    lwu t1, 0(t0)
    lwu t2, insn_add10
    slli t2, t2, 32
    or t1, t1, t2
    ARM_TRAP 1f
    sd t1, 0(t0)
    DISARM_TRAP
    j 2f
1:  /* The spec also allows a misaligned-store or access fault (tval = the address); then patch by halves. */
    LOAD_FRAME t3, trap_frame, TF_CAUSE
    li t4, CAUSE_MISALIGNED_STORE
    beq t3, t4, 3f
    CHECK t3, CAUSE_STORE_ACCESS
3:  LOAD_FRAME t3, trap_frame, TF_TVAL
    CHECKR t3, t0
    sw t1, 0(t0)
    srli t1, t1, 32
    sw t1, 4(t0)
2:  CALL_ONCE fn_page_start, 10
    CALL_HOT fn_page_start, 10

    /* ---- (f) a patch through another virtual mapping of the same page (Sv39, S-mode) ---- */
    CASE 29
    la t0, sv39_root
    li t1, PTE_GIGA_RWX_AD
    sd t1, 2 * 8(t0)                    /* VA 0x80000000: identity */
    sd t1, 3 * 8(t0)                    /* VA 0xc0000000: the alias */
    srli t0, t0, 12
    li t1, SV39
    or t0, t0, t1
    csrw satp, t0
    sfence.vma
    ENTER_MODE 1, 1f
1:  CALL_HOT fn_alias, 1
    la s5, fn_alias
    li t0, ALIAS_OFFSET
    add s5, s5, t0                      /* fn_alias through the alias */
    JALR_HOT s5, 1
    CASE 30                             /* written through the alias, no FENCE.I: both mappings run the new code */
    la t0, fn_alias_slot
    li t1, ALIAS_OFFSET
    add t0, t0, t1
    lw t1, insn_add3
    sw t1, 0(t0)
    CALL_ONCE fn_alias, 3
    li a0, 0
    jalr s5
    CHECK a0, 3
    JALR_HOT s5, 3
    CALL_HOT fn_alias, 3
    CASE 31                             /* written through the identity mapping, FENCE.I: the alias runs it */
    PATCH fn_alias_slot, insn_add2
    fence.i
    li a0, 0
    jalr s5
    CHECK a0, 2
    CALL_ONCE fn_alias, 2

    BACK_TO_M
    csrw satp, zero
    sfence.vma

    mv ra, s11
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

/* ---- the functions that get patched; each returns a0 + something ---- */
    .balign 4096                        /* away from test_main, so that patches do not drop its translations */
fn_a:
fn_a_slot:
    addi a0, a0, 1
    ret

fn_b:
fn_b_slot:
    addi a0, a0, 1
    ret

fn_c:
fn_c_slot:
    addi a0, a0, 0
    ret

/* a1 = the instruction to store over fn_d_fenced_slot; FENCE.I ends the block between them */
fn_d_fenced:
    la t0, fn_d_fenced_slot
    sw a1, 0(t0)
    fence.i
fn_d_fenced_slot:
    addi a0, a0, 11
    ret

/* a1 = the instruction to store over the next one, in the same block */
fn_d_same_block:
    la t0, fn_d_same_slot
    sw a1, 0(t0)
fn_d_same_slot:
    addi a0, a0, 11
    ret

/* Returns 101: the body runs twice; the first pass rewrites its first instruction with a1. */
fn_loop:
    la t0, fn_loop_slot
    li a0, 0
    li t1, 2
fn_loop_slot:
    addi a0, a0, 1
    sw a1, 0(t0)
    addi t1, t1, -1
    bnez t1, fn_loop_slot
    ret

/* Calls fn_rewriter, which stores a1 over the instruction after the call; returns what that computes. */
fn_caller:
    addi sp, sp, -16
    sd ra, 0(sp)
    li a0, 0
    call fn_rewriter
fn_caller_slot:
    addi a0, a0, 1
    ld ra, 0(sp)
    addi sp, sp, 16
    ret

fn_rewriter:
    la t0, fn_caller_slot
    sw a1, 0(t0)
    ret

fn_alias:
fn_alias_slot:
    addi a0, a0, 1
    ret

/* A page whose code shares it with data (pg_data) and with another hot function. */
    .balign 4096
pg_hot:
    addi a0, a0, 5
    ret
pg_data:
    .dword 0
pg_target:
pg_target_slot:
    addi a0, a0, 6
    ret

/* A function at the start of a page: patched by a store that begins on the previous page. */
    .balign 4096
fn_page_start:
    addi a0, a0, 9
    ret

/* ---- instructions to patch with (never executed here) ---- */
    .section .rodata
    .balign 8
insn_add0:   addi a0, a0, 0
insn_add1:   addi a0, a0, 1
insn_add2:   addi a0, a0, 2
insn_add3:   addi a0, a0, 3
insn_add7:   addi a0, a0, 7
insn_add8:   addi a0, a0, 8
insn_add10:  addi a0, a0, 10
insn_add11:  addi a0, a0, 11
insn_add12:  addi a0, a0, 12
insn_add20:  addi a0, a0, 20
insn_add100: addi a0, a0, 100

/* Templates of TEMPLATE_BYTES each, copied into code_buf; 8-aligned for sd and fsd copies. */
    .balign 8
tmpl_a:                                 /* 0x112 */
    li a0, 0x111
    addi a0, a0, 1
    ret
    nop
tmpl_b:                                 /* 0x444 */
    li a0, 0x222
    slli a0, a0, 1
    ret
    nop
tmpl_c:                                 /* 0x333: a taken branch in what was straight-line code */
    li a0, 0x333
    beqz zero, 1f
    addi a0, a0, 1
1:  ret

    .bss
    .balign 4096
code_buf:
    .zero 4096
sv39_root:
    .zero 4096

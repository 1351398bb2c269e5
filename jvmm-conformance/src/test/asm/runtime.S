/*
 * The start-up code, trap handlers and pass/fail reporting every conformance program links.
 * Entered in M-mode at 0x80000000 with no firmware (QEMU -bios none, jvmm BootMode.BARE).
 * Reports through the virt test finisher: 0x5555 = pass, (case << 16) | 0x3333 = fail, and
 * prints a line on UART0 so that a human (and the harness) sees which case failed and why.
 */
#include "conformance.h"

    .option norvc
    .section .text.init, "ax"
    .globl _start
_start:
    li gp, 0
    la sp, stack_top
    la t0, trap_entry
    csrw mtvec, t0
    la t0, trap_frame
    csrw mscratch, t0
    la t0, strap_entry
    csrw stvec, t0
    la t0, strap_frame
    csrw sscratch, t0
    /* One PMP entry covering everything, so S and U may access memory. */
    li t0, -1
    csrw pmpaddr0, t0
    li t0, 0x1f                 /* NAPOT, R, W, X */
    csrw pmpcfg0, t0
    csrw mie, zero
    csrw medeleg, zero
    csrw mideleg, zero
    csrw satp, zero
    li t0, MSTATUS_FS
    csrc mstatus, t0
    li t0, 0x2000               /* FS = Initial */
    csrs mstatus, t0
    csrw fcsr, zero
    call test_main
    j pass

/* ---- M-mode trap handler ---- */
    .text
    .balign 4
    .globl trap_entry
trap_entry:
    csrrw t6, mscratch, t6
    sd t5, TF_SAVE(t6)
    li t5, FAIL_MAGIC
    beq a7, t5, fail_m          /* "fail" reached from a lower privilege */
    csrr t5, mcause
    sd t5, TF_CAUSE(t6)
    csrr t5, mtval
    sd t5, TF_TVAL(t6)
    csrr t5, mepc
    sd t5, TF_EPC(t6)
    csrr t5, mstatus
    sd t5, TF_STATUS(t6)
    ld t5, TF_COUNT(t6)
    addi t5, t5, 1
    sd t5, TF_COUNT(t6)
    ld t5, TF_RESUME(t6)
    beqz t5, unexpected_trap
    sd zero, TF_RESUME(t6)
    csrw mepc, t5
    li t5, MSTATUS_MPP          /* resume in M-mode, with MIE = 0 */
    csrs mstatus, t5
    li t5, MSTATUS_MPIE
    csrc mstatus, t5
    ld t5, TF_SAVE(t6)
    csrrw t6, mscratch, t6
    mret

/* ---- S-mode trap handler (for delegated traps) ---- */
    .balign 4
    .globl strap_entry
strap_entry:
    csrrw t6, sscratch, t6
    sd t5, TF_SAVE(t6)
    li t5, FAIL_MAGIC
    beq a7, t5, 2f
    csrr t5, scause
    sd t5, TF_CAUSE(t6)
    csrr t5, stval
    sd t5, TF_TVAL(t6)
    csrr t5, sepc
    sd t5, TF_EPC(t6)
    csrr t5, sstatus
    sd t5, TF_STATUS(t6)
    ld t5, TF_COUNT(t6)
    addi t5, t5, 1
    sd t5, TF_COUNT(t6)
    ld t5, TF_RESUME(t6)
    beqz t5, 2f
    sd zero, TF_RESUME(t6)
    csrw sepc, t5
    li t5, MSTATUS_SPP          /* resume in S-mode, with SIE = 0 */
    csrs sstatus, t5
    li t5, MSTATUS_SPIE
    csrc sstatus, t5
    ld t5, TF_SAVE(t6)
    csrrw t6, sscratch, t6
    sret
2:  /* unexpected here, or "fail" from U: escalate to M (ecall from S is never delegated) */
    li a7, FAIL_MAGIC
    ecall

/* ---- reporting ---- */
    .globl pass
pass:
    la a0, msg_pass
    call puts
    li t0, FINISHER
    li t1, 0x5555
    sw t1, 0(t0)
1:  j 1b

    .globl fail
fail:
    li a7, FAIL_MAGIC
    csrr t5, mhartid            /* in M-mode this succeeds; elsewhere it traps to trap_entry */
    j fail_m

unexpected_trap:
    la a0, msg_trap
    call puts
    csrr a0, mcause
    call puthex
    la a0, msg_epc
    call puts
    csrr a0, mepc
    call puthex
    la a0, msg_tval
    call puts
    csrr a0, mtval
    call puthex
    la a0, msg_nl
    call puts
    /* fall through */
fail_m:
    la a0, msg_fail
    call puts
    mv a0, gp
    call puthex
    la a0, msg_nl
    call puts
    mv t1, gp
    bnez t1, 1f
    li t1, 0xffff               /* failed before the first case: never report code 0 */
1:  slli t1, t1, 16
    li t2, 0x3333
    or t1, t1, t2
    li t0, FINISHER
    sw t1, 0(t0)
2:  j 2b

/* puts(a0): writes a NUL-terminated string to UART0. Clobbers a0, t0-t2. */
puts:
    li t0, UART0
1:  lbu t1, 0(a0)
    beqz t1, 3f
    li t2, 10000                /* bounded wait for THR empty */
2:  lbu t3, 5(t0)
    andi t3, t3, 0x20
    bnez t3, 4f
    addi t2, t2, -1
    bnez t2, 2b
4:  sb t1, 0(t0)
    addi a0, a0, 1
    j 1b
3:  ret

/* puthex(a0): writes "0x" and 16 hex digits. Clobbers a0-a2, t0-t3. */
puthex:
    mv a1, a0
    li t0, UART0
    li t1, '0'
    sb t1, 0(t0)
    li t1, 'x'
    sb t1, 0(t0)
    li a2, 60
1:  srl t1, a1, a2
    andi t1, t1, 15
    addi t1, t1, '0'
    li t2, '9'
    ble t1, t2, 2f
    addi t1, t1, 'a' - '9' - 1
2:  sb t1, 0(t0)
    addi a2, a2, -4
    bgez a2, 1b
    ret

    .section .rodata
msg_pass: .asciz "PASS\n"
msg_fail: .asciz "FAIL case "
msg_trap: .asciz "unexpected trap: mcause="
msg_epc:  .asciz " mepc="
msg_tval: .asciz " mtval="
msg_nl:   .asciz "\n"

    .data
    .balign 64
    .globl trap_frame, strap_frame
trap_frame:  .zero 64
strap_frame: .zero 64

    .bss
    .balign 16
    .zero 16384
    .globl stack_top
stack_top:

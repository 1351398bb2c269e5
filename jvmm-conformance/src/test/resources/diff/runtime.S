/*
 * Runtime of the differential-test programs (QEMU vs jvmm). Entered in M-mode at DRAM base with no
 * firmware. The generated diff_main runs each sub-program in turn; a sub-program calls diff_reset,
 * sets its registers, runs its random instructions, stores every register into the frame at tp and
 * calls diff_dump, which writes the state as a binary record (diff.h: REC_*) and, in print mode,
 * also prints it on UART0 as "name value" lines:
 *   BEGIN <index> / uNNNN value.flags (the trace, one line per unit) / x1..x31, f0..f31 / fcsr / mscratch /
 *   traps / trap NN cause|tval|epc / mem@OFFS / END
 * The trace comes first, so the first differing line names the earliest unit whose result differs.
 * Without print mode, diff_done hands all records to the host in one semihosting write (UART output
 * costs QEMU about 4 us a character, more than running the programs).
 * Register conventions: tp = FRAME_BASE always; the random code never writes tp, s0, s1, gp or t6.
 */
#include "diff.h"

/* Writes the low byte of reg to UART0 after a bounded wait for THR empty. Clobbers t4, t5, t6. */
.macro UART_PUT reg
    li t5, UART0
    li t4, 10000
.Lwait\@:
    lbu t6, 5(t5)
    andi t6, t6, 0x20
    bnez t6, .Lready\@
    addi t4, t4, -1
    bnez t4, .Lwait\@
.Lready\@:
    sb \reg, 0(t5)
.endm

    .option norvc
    .section .text.init, "ax"
    .globl _start
_start:
    la t0, trap_entry
    csrw mtvec, t0
    csrw mie, zero
    csrw medeleg, zero
    csrw mideleg, zero
    li t0, 0x6000               /* mstatus.FS = Dirty: FP on for the whole run */
    csrs mstatus, t0
    li tp, FRAME_BASE
    j diff_main

    .text
/* diff_done(a0 = first record, a1 = end of the last record, a2 = print mode): in batch mode (a2 = 0)
 * writes [a0, a1) to the host file "diff-dump.bin" (semihosting SYS_OPEN "wb", SYS_WRITE; on a
 * machine without semihosting the ebreaks trap and are skipped, and the host reads the records
 * from RAM), then prints DONE and stops through the test finisher. */
    .globl diff_done
diff_done:
    bnez a2, 1f
    mv s2, a0
    mv s3, a1
    li t0, FRAME_BASE + FR_LOG  /* the frame's log is free now: the semihosting argument blocks */
    la t1, dump_name
    sd t1, 0(t0)
    li t1, 5                    /* "wb" */
    sd t1, 8(t0)
    li t1, 13                   /* strlen("diff-dump.bin") */
    sd t1, 16(t0)
    li a0, 1                    /* SYS_OPEN */
    mv a1, t0
    call semihost
    li t0, FRAME_BASE + FR_LOG
    sd a0, 0(t0)
    sd s2, 8(t0)
    sub t1, s3, s2
    sd t1, 16(t0)
    li a0, 5                    /* SYS_WRITE */
    mv a1, t0
    call semihost
    li a1, FRAME_BASE + FR_LOG  /* its first word is still the file handle */
    li a0, 2                    /* SYS_CLOSE */
    call semihost
1:  la a0, msg_done
    call puts
    li t0, FINISHER
    li t1, 0x5555
    sw t1, 0(t0)
1:  j 1b

/* The RISC-V semihosting call: a0 = operation, a1 = argument block; returns a0. The three
 * instructions must be uncompressed and in one page. */
    .balign 16
semihost:
    slli zero, zero, 0x1f
    ebreak
    srai zero, zero, 7
    ret

/*
 * Every trap: log mcause, mtval and mepc (up to LOG_MAX entries; all are counted), then resume
 * after the trapping instruction (2 or 4 bytes, from its low bits). Keeps every register.
 * mtval of a breakpoint is implementation-defined, so it is logged as 0.
 */
    .balign 4
trap_entry:
    sd t0, FR_SAVE0(tp)
    sd t1, FR_SAVE1(tp)
    ld t0, FR_TRAPS(tp)
    addi t1, t0, 1
    sd t1, FR_TRAPS(tp)
    li t1, LOG_MAX
    bgeu t0, t1, 2f
    li t1, LOG_ENTRY
    mul t0, t0, t1
    add t0, t0, tp
    csrr t1, mcause
    sd t1, FR_LOG(t0)
    addi t1, t1, -3
    beqz t1, 1f
    csrr t1, mtval
1:  sd t1, FR_LOG+8(t0)
    csrr t1, mepc
    sd t1, FR_LOG+16(t0)
2:  csrr t0, mepc
    lhu t1, 0(t0)
    andi t1, t1, 3
    addi t0, t0, 2
    addi t1, t1, -3
    bnez t1, 3f
    addi t0, t0, 2
3:  csrw mepc, t0
    ld t0, FR_SAVE0(tp)
    ld t1, FR_SAVE1(tp)
    mret

/* diff_reset(a0 = nonzero seed, a1 = units): fills the data region with xorshift64 words, clears the
 * trap log and the first a1 trace slots. */
    .globl diff_reset
diff_reset:
    li t0, DATA_BASE
    li t1, DATA_BASE + DATA_SIZE
1:  slli t2, a0, 13
    xor a0, a0, t2
    srli t2, a0, 7
    xor a0, a0, t2
    slli t2, a0, 17
    xor a0, a0, t2
    sd a0, 0(t0)
    addi t0, t0, 8
    bltu t0, t1, 1b
    sd zero, FR_TRAPS(tp)
    addi t0, tp, FR_LOG
    li t1, LOG_MAX * LOG_ENTRY
    add t1, t1, t0
2:  sd zero, 0(t0)
    addi t0, t0, 8
    bltu t0, t1, 2b
    li t0, TRACE_BASE
    slli t1, a1, 4
    add t1, t1, t0
3:  bgeu t0, t1, 4f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 3b
4:  ret

/* diff_dump(a0 = sub-program index, a1 = units, a2 = record address, a3 = print mode): writes the
 * state saved in the frame, the memory hashes and the trace as a record at a2 and, if a3 != 0,
 * prints them too. Clobbers everything but tp. */
    .globl diff_dump
diff_dump:
    mv s11, ra
    mv s10, a0
    mv s9, a1
    mv s8, a2
    mv s7, a3
    li t0, BEGIN_MAGIC
    add t0, t0, s10
    sd t0, REC_BEGIN(s8)
    sd s9, REC_UNITS(s8)
    mv t0, tp                   /* the frame */
    addi t1, s8, REC_FRAME
    li t2, FRAME_SIZE
    add t2, t2, tp
1:  ld t3, 0(t0)
    sd t3, 0(t1)
    addi t0, t0, 8
    addi t1, t1, 8
    bltu t0, t2, 1b
    li t0, DATA_BASE            /* memory: one FNV-1a-style hash of 64-bit words per 4 KiB */
    li t1, DATA_BASE + DATA_SIZE
    li t5, REC_MEM
    add t5, t5, s8
    li t2, 0x100000001b3
2:  li a0, 0xcbf29ce484222325
    li t4, 4096
    add t4, t4, t0
3:  ld t3, 0(t0)
    xor a0, a0, t3
    mul a0, a0, t2
    addi t0, t0, 8
    bltu t0, t4, 3b
    sd a0, 0(t5)
    addi t5, t5, 8
    bltu t0, t1, 2b
    li t0, TRACE_BASE           /* the trace */
    slli t2, s9, 4
    add t2, t2, t0
    li t1, REC_TRACE
    add t1, t1, s8
4:  bgeu t0, t2, 5f
    ld t3, 0(t0)
    sd t3, 0(t1)
    addi t0, t0, 8
    addi t1, t1, 8
    j 4b
5:  li t0, END_MAGIC
    add t0, t0, s10
    li t1, REC_END
    add t1, t1, s8
    sd t0, 0(t1)
    bnez s7, 6f
    mv ra, s11
    ret
6:  la a0, msg_begin
    call puts
    mv a0, s10
    li a1, 4
    call puthexn
    call newline
    li s0, 0                    /* the trace: "uNNNN value.flags" */
    li s1, TRACE_BASE
8:  bgeu s0, s9, 9f
    li t0, 'u'
    UART_PUT t0
    mv a0, s0
    li a1, 4
    call puthexn
    li t0, ' '
    UART_PUT t0
    ld a0, 0(s1)
    li a1, 16
    call puthexn
    li t0, '.'
    UART_PUT t0
    ld a0, 8(s1)
    li a1, 2
    call puthexn
    call newline
    addi s0, s0, 1
    addi s1, s1, 16
    j 8b
9:
    li s0, 1                    /* x1..x31 then f0..f31: slots 1..63 of the frame */
1:  la a0, reg_names
    slli t0, s0, 2
    add a0, a0, t0
    call puts
    slli t0, s0, 3
    add t0, t0, tp
    ld a0, 0(t0)
    call putvalue
    addi s0, s0, 1
    li t0, 64
    bltu s0, t0, 1b
    la a0, msg_fcsr
    call puts
    ld a0, FR_FCSR(tp)
    call putvalue
    la a0, msg_mscratch
    call puts
    ld a0, FR_MSCRATCH(tp)
    call putvalue
    la a0, msg_traps
    call puts
    ld a0, FR_TRAPS(tp)
    call putvalue
    ld s1, FR_TRAPS(tp)
    li t0, LOG_MAX
    bleu s1, t0, 2f
    mv s1, t0
2:  li s0, 0
3:  bgeu s0, s1, 4f
    li t0, LOG_ENTRY
    mul s2, s0, t0
    add s2, s2, tp
    la s3, log_names
    li s4, 0
5:  la a0, msg_trap
    call puts
    mv a0, s0
    li a1, 2
    call puthexn
    mv a0, s3
    call puts
    addi s3, s3, 8
    slli t0, s4, 3
    add t0, t0, s2
    ld a0, FR_LOG(t0)
    call putvalue
    addi s4, s4, 1
    li t0, 3
    bltu s4, t0, 5b
    addi s0, s0, 1
    j 3b
4:  li s0, 0                    /* memory: the hashes diff_dump put in the record */
6:  la a0, msg_mem
    call puts
    mv a0, s0
    li a1, 4
    call puthexn
    srli t0, s0, 9
    add t0, t0, s8
    li t1, REC_MEM
    add t0, t0, t1
    ld a0, 0(t0)
    call putvalue
    li t0, 4096
    add s0, s0, t0
    li t0, DATA_SIZE
    bltu s0, t0, 6b
    la a0, msg_end
    call puts
    mv a0, s10
    li a1, 4
    call puthexn
    call newline
    mv ra, s11
    ret

/* putvalue(a0): " " + 16 hex digits + newline. Clobbers a0-a3, t0, t1, t4-t6. */
putvalue:
    mv a3, ra
    mv a2, a0
    li t0, ' '
    UART_PUT t0
    mv a0, a2
    li a1, 16
    call puthexn
    mv ra, a3
    /* fall through */
newline:
    li t0, '\n'
    UART_PUT t0
    ret

/* puts(a0): a NUL-terminated string. Clobbers a0, t0, t4-t6. */
puts:
1:  lbu t0, 0(a0)
    beqz t0, 2f
    UART_PUT t0
    addi a0, a0, 1
    j 1b
2:  ret

/* puthexn(a0 = value, a1 = digits): the low a1 hex digits of a0. Clobbers a1, t0, t1, t4-t6. */
puthexn:
    addi a1, a1, -1
    slli a1, a1, 2
1:  srl t0, a0, a1
    andi t0, t0, 15
    addi t0, t0, '0'
    li t1, '9'
    ble t0, t1, 2f
    addi t0, t0, 'a' - '9' - 1
2:  UART_PUT t0
    addi a1, a1, -4
    bgez a1, 1b
    ret

    .section .rodata
msg_begin:    .asciz "BEGIN "
msg_end:      .asciz "END "
msg_done:     .asciz "DONE\n"
msg_fcsr:     .asciz "fcsr"
msg_mscratch: .asciz "mscratch"
msg_traps:    .asciz "traps"
msg_trap:     .asciz "trap "
msg_mem:      .asciz "mem@"
dump_name:    .asciz "diff-dump.bin"
    .balign 8
log_names:    /* 8 bytes each, in log-entry order */
    .asciz " cause"
    .balign 8
    .asciz " tval"
    .balign 8
    .asciz " epc"
    .balign 8
    .balign 4
reg_names:    /* 4 bytes each: x0..x31, f0..f31 */
    .asciz "x0"
    .balign 4
    .asciz "x1"
    .balign 4
    .asciz "x2"
    .balign 4
    .asciz "x3"
    .balign 4
    .asciz "x4"
    .balign 4
    .asciz "x5"
    .balign 4
    .asciz "x6"
    .balign 4
    .asciz "x7"
    .balign 4
    .asciz "x8"
    .balign 4
    .asciz "x9"
    .balign 4
    .asciz "x10"
    .balign 4
    .asciz "x11"
    .balign 4
    .asciz "x12"
    .balign 4
    .asciz "x13"
    .balign 4
    .asciz "x14"
    .balign 4
    .asciz "x15"
    .balign 4
    .asciz "x16"
    .balign 4
    .asciz "x17"
    .balign 4
    .asciz "x18"
    .balign 4
    .asciz "x19"
    .balign 4
    .asciz "x20"
    .balign 4
    .asciz "x21"
    .balign 4
    .asciz "x22"
    .balign 4
    .asciz "x23"
    .balign 4
    .asciz "x24"
    .balign 4
    .asciz "x25"
    .balign 4
    .asciz "x26"
    .balign 4
    .asciz "x27"
    .balign 4
    .asciz "x28"
    .balign 4
    .asciz "x29"
    .balign 4
    .asciz "x30"
    .balign 4
    .asciz "x31"
    .balign 4
    .asciz "f0"
    .balign 4
    .asciz "f1"
    .balign 4
    .asciz "f2"
    .balign 4
    .asciz "f3"
    .balign 4
    .asciz "f4"
    .balign 4
    .asciz "f5"
    .balign 4
    .asciz "f6"
    .balign 4
    .asciz "f7"
    .balign 4
    .asciz "f8"
    .balign 4
    .asciz "f9"
    .balign 4
    .asciz "f10"
    .balign 4
    .asciz "f11"
    .balign 4
    .asciz "f12"
    .balign 4
    .asciz "f13"
    .balign 4
    .asciz "f14"
    .balign 4
    .asciz "f15"
    .balign 4
    .asciz "f16"
    .balign 4
    .asciz "f17"
    .balign 4
    .asciz "f18"
    .balign 4
    .asciz "f19"
    .balign 4
    .asciz "f20"
    .balign 4
    .asciz "f21"
    .balign 4
    .asciz "f22"
    .balign 4
    .asciz "f23"
    .balign 4
    .asciz "f24"
    .balign 4
    .asciz "f25"
    .balign 4
    .asciz "f26"
    .balign 4
    .asciz "f27"
    .balign 4
    .asciz "f28"
    .balign 4
    .asciz "f29"
    .balign 4
    .asciz "f30"
    .balign 4
    .asciz "f31"
    .balign 4

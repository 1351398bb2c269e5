/* RV64I: every ALU, branch, jump, load and store instruction, W forms, x0, lui/auipc, reserved encodings. */
#include "conformance.h"
    .option norvc
    .text
    .globl test_main
test_main:
    /* ---- register-register ALU ---- */
    CASE 1
    li a0, 0x7fffffffffffffff
    li a1, 1
    add a2, a0, a1
    CHECK a2, 0x8000000000000000
    CASE 2
    li a0, 5
    li a1, 7
    sub a2, a0, a1
    CHECK a2, -2
    CASE 3
    li a0, 0x0123456789abcdef
    li a1, 0x44                 /* only the low 6 bits count: shift by 4 */
    sll a2, a0, a1
    CHECK a2, 0x123456789abcdef0
    CASE 4
    li a0, -1
    li a1, 1
    slt a2, a0, a1
    CHECK a2, 1
    sltu a2, a0, a1
    CHECK a2, 0
    slt a2, a1, a0
    CHECK a2, 0
    sltu a2, a1, a0
    CHECK a2, 1
    CASE 5
    li a0, 0xff00ff00ff00ff00
    li a1, 0x0ff00ff00ff00ff0
    xor a2, a0, a1
    CHECK a2, 0xf0f0f0f0f0f0f0f0
    or a2, a0, a1
    CHECK a2, 0xfff0fff0fff0fff0
    and a2, a0, a1
    CHECK a2, 0x0f000f000f000f00
    CASE 6
    li a0, 0x8000000000000000
    li a1, 63
    srl a2, a0, a1
    CHECK a2, 1
    sra a2, a0, a1
    CHECK a2, -1
    li a1, 0x7f                 /* shift amount masked to 63 */
    sra a2, a0, a1
    CHECK a2, -1
    /* ---- register-immediate ALU ---- */
    CASE 7
    li a0, 10
    addi a2, a0, -2048
    CHECK a2, -2038
    addi a2, a0, 2047
    CHECK a2, 2057
    CASE 8
    li a0, -5
    slti a2, a0, -4
    CHECK a2, 1
    slti a2, a0, -5
    CHECK a2, 0
    sltiu a2, a0, -1            /* immediate sign-extends, then compares unsigned */
    CHECK a2, 1
    li a0, 0
    sltiu a2, a0, 1             /* seqz */
    CHECK a2, 1
    CASE 9
    li a0, 0x00ff
    xori a2, a0, -1
    CHECK a2, 0xffffffffffffff00
    ori a2, a0, -2048
    CHECK a2, 0xfffffffffffff8ff
    andi a2, a0, -16
    CHECK a2, 0xf0
    CASE 10
    li a0, 1
    slli a2, a0, 63
    CHECK a2, 0x8000000000000000
    srli a2, a2, 63
    CHECK a2, 1
    li a0, 0x8000000000000000
    srai a2, a0, 62
    CHECK a2, -2
    srli a2, a0, 32
    CHECK a2, 0x80000000
    /* ---- W forms: 32-bit result, sign-extended ---- */
    CASE 11
    li a0, 0x7fffffff
    li a1, 1
    addw a2, a0, a1
    CHECK a2, 0xffffffff80000000
    li a0, 0x1234567800000000
    addw a2, a0, a1
    CHECK a2, 1
    CASE 12
    li a0, 0
    li a1, 1
    subw a2, a0, a1
    CHECK a2, -1
    li a0, 0xffffffff80000000
    subw a2, a0, a1
    CHECK a2, 0x7fffffff
    CASE 13
    li a0, 1
    li a1, 63                   /* only the low 5 bits count: shift by 31 */
    sllw a2, a0, a1
    CHECK a2, 0xffffffff80000000
    CASE 14
    li a0, 0xffffffff80000000
    li a1, 31
    srlw a2, a0, a1
    CHECK a2, 1
    sraw a2, a0, a1
    CHECK a2, -1
    li a1, 0
    srlw a2, a0, a1             /* shift by 0 still sign-extends bit 31 */
    CHECK a2, 0xffffffff80000000
    li a0, 0x00000000f0000000
    li a1, 4
    srlw a2, a0, a1
    CHECK a2, 0x0f000000
    sraw a2, a0, a1
    CHECK a2, 0xffffffffff000000
    CASE 15
    li a0, 0x7ffffff0
    addiw a2, a0, 0x10
    CHECK a2, 0xffffffff80000000
    li a0, 0xffffffff00000005
    addiw a2, a0, 0             /* sext.w */
    CHECK a2, 5
    slliw a2, a0, 31
    CHECK a2, 0xffffffff80000000
    li a0, 0x0000000180000000
    srliw a2, a0, 31
    CHECK a2, 1
    sraiw a2, a0, 31
    CHECK a2, -1
    srliw a2, a0, 0
    CHECK a2, 0xffffffff80000000
    /* ---- lui / auipc ---- */
    CASE 16
    lui a2, 0x80000
    CHECK a2, 0xffffffff80000000
    lui a2, 0x7ffff
    CHECK a2, 0x7ffff000
    CASE 17
1:  auipc a2, 0
    la a3, 1b
    CHECKR a2, a3
2:  auipc a2, 0x1
    la a3, 2b
    li a4, 0x1000
    add a3, a3, a4
    CHECKR a2, a3
    CASE 18
3:  auipc a2, 0xfffff           /* negative offset: pc - 4096 */
    la a3, 3b
    li a4, -4096
    add a3, a3, a4
    CHECKR a2, a3
    /* ---- x0 ---- */
    CASE 19
    li a0, 123
    add x0, a0, a0
    addi x0, x0, 5
    lui x0, 0x12345
    CHECK x0, 0
    mv a2, x0
    CHECK a2, 0
    la a1, data
    ld x0, 0(a1)
    CHECK x0, 0
    /* ---- jal / jalr ---- */
    CASE 20
    jal a2, 4f
5:  j fail
4:  la a3, 5b
    CHECKR a2, a3
    CASE 21
    la a0, 6f
    addi a0, a0, -3
    jalr a2, 3(a0)
7:  j fail
6:  la a3, 7b
    CHECKR a2, a3
    CASE 22
    la a0, 8f
    addi a0, a0, 1              /* bit 0 of the target is cleared */
    jalr a2, 0(a0)
9:  j fail
8:  la a3, 9b
    CHECKR a2, a3
    CASE 23
    la a2, 10f
    jalr a2, 0(a2)              /* rd == rs1: the target uses the old value */
11: j fail
10: la a3, 11b
    CHECKR a2, a3
    CASE 24
    jal x0, 12f                 /* j: no link */
    j fail
12: la a0, 13f
    jalr x0, 0(a0)
    j fail
13:
    /* ---- branches: taken and not taken ---- */
    CASE 25
    li a0, -1
    li a1, 1
    beq a0, a0, 20f
    j fail
20: beq a0, a1, fail
    bne a0, a1, 21f
    j fail
21: bne a0, a0, fail
    CASE 26
    blt a0, a1, 22f
    j fail
22: blt a1, a0, fail
    blt a0, a0, fail
    bge a1, a0, 23f
    j fail
23: bge a0, a1, fail
    bge a0, a0, 24f
    j fail
24:
    CASE 27
    bltu a1, a0, 25f
    j fail
25: bltu a0, a1, fail
    bltu a0, a0, fail
    bgeu a0, a1, 26f
    j fail
26: bgeu a1, a0, fail
    bgeu a1, a1, 27f
    j fail
27:
    CASE 28                     /* backward taken branch */
    li a0, 3
    li a2, 0
28: addi a2, a2, 1
    addi a0, a0, -1
    bnez a0, 28b
    CHECK a2, 3
    /* ---- loads ---- */
    CASE 29
    la a1, data
    lb a2, 7(a1)
    CHECK a2, 0xffffffffffffff80
    lbu a2, 7(a1)
    CHECK a2, 0x80
    lb a2, 0(a1)
    CHECK a2, 0x01
    CASE 30
    lh a2, 6(a1)
    CHECK a2, 0xffffffffffff8007
    lhu a2, 6(a1)
    CHECK a2, 0x8007
    CASE 31
    lw a2, 4(a1)
    CHECK a2, 0xffffffff80070605
    lwu a2, 4(a1)
    CHECK a2, 0x80070605
    lw a2, 0(a1)
    CHECK a2, 0x04030201
    CASE 32
    ld a2, 0(a1)
    CHECK a2, 0x8007060504030201
    addi a3, a1, 16
    ld a2, -8(a3)               /* negative offset */
    CHECK a2, 0xfedcba9876543210
    /* ---- stores ---- */
    CASE 33
    la a1, scratch
    sd zero, 0(a1)
    li a0, 0x1122334455667788
    sb a0, 0(a1)
    sh a0, 2(a1)
    sw a0, 4(a1)
    ld a2, 0(a1)
    CHECK a2, 0x5566778877880088
    CASE 34
    sd a0, 8(a1)
    ld a2, 8(a1)
    CHECKR a2, a0
    addi a3, a1, 24
    sw a0, -8(a3)
    lwu a2, 16(a1)
    CHECK a2, 0x55667788
    CASE 35                     /* store of x0 */
    sd x0, 8(a1)
    ld a2, 8(a1)
    CHECK a2, 0
    /* ---- fence / fence.i are no-ops here ---- */
    CASE 36
    fence
    fence rw, rw
    fence.i
    /* self-modifying code made visible by fence.i */
    CASE 37
    la a0, 30f
    li a1, 0x00100613           /* addi a2, x0, 1 */
    sw a1, 0(a0)
    fence.i
    li a2, 0
30: addi a2, x0, 2
    CHECK a2, 1
    /* ---- ecall / ebreak in M-mode ---- */
    CASE 38
    TRAP CAUSE_ECALL_M, ecall
    CASE 39
    TRAP CAUSE_BREAKPOINT, ebreak
    /* ---- reserved / illegal encodings: cause 2, mtval = instruction ---- */
    CASE 40
    ILLEGAL32 0x0000000b        /* custom-0 major opcode */
    CASE 41
    ILLEGAL32 0x0200909b        /* slliw with shamt[5] = 1 */
    CASE 42
    ILLEGAL32 0x000010e7        /* jalr with funct3 = 1 */
    CASE 43
    ILLEGAL32 0x00007003        /* load with funct3 = 7 */
    CASE 44
    ILLEGAL32 0x00004023        /* store with funct3 = 4 */
    CASE 45
    ILLEGAL32 0x00002063        /* branch with funct3 = 2 */
    CASE 46
    ILLEGAL32 0x4200d09b        /* sraiw with shamt[5] = 1 */
    CASE 47
    ILLEGAL32 0x20000033        /* OP with funct7 = 0x10 (not an RV64GC instruction) */
    CASE 48
    ILLEGAL32 0xffffffff        /* all ones */
    j pass
    .data
    .balign 8
data:
    .byte 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x80
    .dword 0xfedcba9876543210
scratch:
    .zero 32

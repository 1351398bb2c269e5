/* RV64M: products, high products, quotients and remainders, W forms, division by zero and overflow. */
#include "conformance.h"
    .option norvc
    .text
    .globl test_main

/* OP rd <- a, b ; check rd == expected */
.macro T op, a, b, expected
    li a0, \a
    li a1, \b
    \op a2, a0, a1
    CHECK a2, \expected
.endm

test_main:
    CASE 1
    T mul, 6, 7, 42
    T mul, -3, 5, -15
    T mul, 0x100000000, 0x100000000, 0
    T mul, 0x0123456789abcdef, 0xfedcba9876543210, 0x2236d88fe5618cf0
    CASE 2
    T mulh, 0x7fffffffffffffff, 0x7fffffffffffffff, 0x3fffffffffffffff
    T mulh, -1, -1, 0
    T mulh, 0x8000000000000000, 0x8000000000000000, 0x4000000000000000
    T mulh, 0x8000000000000000, 1, -1
    T mulh, 0x0123456789abcdef, 0xfedcba9876543210, 0xfffeb49923cc0953
    CASE 3
    T mulhu, -1, -1, 0xfffffffffffffffe
    T mulhu, 0x8000000000000000, 2, 1
    T mulhu, 0x0123456789abcdef, 0xfedcba9876543210, 0x0121fa00ad77d742
    CASE 4                        /* mulhsu: rs1 signed, rs2 unsigned */
    T mulhsu, -1, -1, -1
    T mulhsu, -1, 1, -1
    T mulhsu, 1, -1, 0
    T mulhsu, 0x8000000000000000, 0xffffffffffffffff, 0x8000000000000000
    T mulhsu, 0x0123456789abcdef, 0xfedcba9876543210, 0x0121fa00ad77d742
    T mulhsu, 0xfedcba9876543210, 0x0123456789abcdef, 0xfffeb49923cc0953
    CASE 5
    T mulw, 0x7fffffff, 2, 0xfffffffffffffffe
    T mulw, 0x123456789, 0x100000001, 0x23456789
    T mulw, 0x10000, 0x8000, 0xffffffff80000000
    CASE 6
    T div, 42, 5, 8
    T div, -42, 5, -8             /* rounds toward zero */
    T div, 42, -5, -8
    T div, -42, -5, 8
    T divu, -1, 2, 0x7fffffffffffffff
    T divu, 42, 5, 8
    CASE 7
    T rem, 42, 5, 2
    T rem, -42, 5, -2             /* sign of the dividend */
    T rem, 42, -5, 2
    T rem, -42, -5, -2
    T remu, -1, 10, 5
    CASE 8                        /* division by zero */
    T div, 42, 0, -1
    T div, -42, 0, -1
    T divu, 42, 0, 0xffffffffffffffff
    T rem, -42, 0, -42
    T remu, 42, 0, 42
    CASE 9                        /* signed overflow */
    T div, 0x8000000000000000, -1, 0x8000000000000000
    T rem, 0x8000000000000000, -1, 0
    CASE 10
    T divw, 0x100000007, 2, 3     /* upper bits ignored */
    T divw, -7, 2, -3
    T divw, 0xffffffff, 1, -1     /* operands are sign-extended 32-bit values */
    T divuw, 0xffffffff, 1, 0xffffffffffffffff
    T divuw, 0xfffffffe, 2, 0x7fffffff
    T divuw, 0x80000000, 1, 0xffffffff80000000
    CASE 11
    T remw, -7, 2, -1
    T remw, 0x100000007, 4, 3
    T remuw, 0xffffffff, 0x10, 15
    T remuw, 0x80000001, 0x80000000, 1
    CASE 12                       /* W division by zero */
    T divw, 42, 0x100000000, -1   /* divisor's low word is 0 */
    T divuw, 42, 0, 0xffffffffffffffff
    T remw, 0x1ffffffd6, 0, -42   /* the low word of the dividend, sign-extended */
    T remuw, 0x180000000, 0, 0xffffffff80000000
    CASE 13                       /* W overflow */
    T divw, 0x80000000, -1, 0xffffffff80000000
    T remw, 0x80000000, -1, 0
    CASE 14                       /* rd aliasing a source */
    li a0, 9
    li a1, 3
    mul a0, a0, a1
    CHECK a0, 27
    div a1, a0, a1
    CHECK a1, 9
    CASE 15                       /* writes to x0 are discarded */
    li a0, 5
    mul x0, a0, a0
    div x0, a0, a0
    CHECK x0, 0
    CASE 16                       /* reserved: M funct7 on OP-32 with funct3 = 1 (there is no mulhw) */
    ILLEGAL32 0x0200103b
    CASE 17                       /* reserved: M funct7 on OP-32 with funct3 = 2 */
    ILLEGAL32 0x0200203b
    j pass

/*
 * Misaligned loads and stores. The spec allows either the correct result or an exception:
 * address-misaligned (4 load / 6 store) or access fault (5 / 7) with tval = the address.
 * Each case accepts exactly that; QEMU 7.2 performs them in hardware.
 */
#include "conformance.h"
    .option norvc
    .text
    .globl test_main

/* a5 = buf + off; op a2, 0(a5); value must be expected unless it trapped with 4/5 */
.macro MLOAD op, off, expected
    la a5, buf
    addi a5, a5, \off
    ARM_TRAP .Ltrap\@
    \op a2, 0(a5)
    DISARM_TRAP
    CHECK a2, \expected
    j .Ldone\@
.Ltrap\@:
    CHECK_EITHER CAUSE_MISALIGNED_LOAD, CAUSE_LOAD_ACCESS
    LOAD_FRAME a4, trap_frame, TF_TVAL
    CHECKR a4, a5
.Ldone\@:
.endm

/* restore buf, op value at buf + off; on success the 16 bytes must read back as expected */
.macro MSTORE op, off, value, expect_lo, expect_hi
    call reset_buf
    la a5, buf
    addi a5, a5, \off
    li a1, \value
    ARM_TRAP .Ltrap\@
    \op a1, 0(a5)
    DISARM_TRAP
    la a5, buf
    ld a2, 0(a5)
    CHECK a2, \expect_lo
    ld a2, 8(a5)
    CHECK a2, \expect_hi
    j .Ldone\@
.Ltrap\@:
    CHECK_EITHER CAUSE_MISALIGNED_STORE, CAUSE_STORE_ACCESS
    LOAD_FRAME a4, trap_frame, TF_TVAL
    CHECKR a4, a5
.Ldone\@:
.endm

.macro CHECK_EITHER c1, c2
    LOAD_FRAME t5, trap_frame, TF_CAUSE
    li t4, \c1
    beq t5, t4, .Lok\@
    li t4, \c2
    beq t5, t4, .Lok\@
    j fail
.Lok\@:
.endm

test_main:
    addi sp, sp, -16
    sd ra, 0(sp)
    call reset_buf
    CASE 1
    MLOAD lh, 1, 0x302
    MLOAD lh, 7, 0xffffffffffff8888
    MLOAD lhu, 7, 0x8888
    CASE 2
    MLOAD lw, 1, 0x5040302
    MLOAD lw, 6, 0xffffffff89888807
    MLOAD lwu, 6, 0x89888807
    MLOAD lw, 3, 0x7060504
    CASE 3
    MLOAD ld, 1, 0x8888070605040302
    MLOAD ld, 4, 0x8b8a898888070605
    MLOAD ld, 7, 0x8e8d8c8b8a898888
    MLOAD lhu, 14, 0x8f8e
    CASE 4
    MSTORE sh, 7, 0xaabb, 0xbb07060504030201, 0x8f8e8d8c8b8a89aa
    MSTORE sh, 1, 0xaabb, 0x8807060504aabb01, 0x8f8e8d8c8b8a8988
    MSTORE sw, 5, 0x11223344, 0x2233440504030201, 0x8f8e8d8c8b8a8911
    MSTORE sw, 2, 0x11223344, 0x8807112233440201, 0x8f8e8d8c8b8a8988
    MSTORE sd, 3, 0x1122334455667788, 0x4455667788030201, 0x8f8e8d8c8b112233
    MSTORE sd, 1, 0x1122334455667788, 0x2233445566778801, 0x8f8e8d8c8b8a8911
    CASE 5                              /* FP loads and stores */
    call reset_buf
    la a5, buf
    addi a5, a5, 2
    ARM_TRAP 1f
    fld fa0, 0(a5)
    DISARM_TRAP
    fmv.x.d a2, fa0
    CHECK a2, 0x8988880706050403
    j 2f
1:  CHECK_EITHER CAUSE_MISALIGNED_LOAD, CAUSE_LOAD_ACCESS
    LOAD_FRAME a4, trap_frame, TF_TVAL
    CHECKR a4, a5
2:  la a5, buf
    addi a5, a5, 9
    li a1, 0x40490fdb
    fmv.w.x fa1, a1
    ARM_TRAP 3f
    fsw fa1, 0(a5)
    DISARM_TRAP
    la a5, buf
    ld a2, 8(a5)
    CHECK a2, 0x8f8e8d40490fdb88
    j 4f
3:  CHECK_EITHER CAUSE_MISALIGNED_STORE, CAUSE_STORE_ACCESS
    LOAD_FRAME a4, trap_frame, TF_TVAL
    CHECKR a4, a5
4:
    CASE 6                              /* misaligned across a 4 KiB page boundary */
    la a5, page_edge
    addi a5, a5, -3
    li a1, 0x0102030405060708
    ARM_TRAP 5f
    sd a1, 0(a5)
    ld a2, 0(a5)
    DISARM_TRAP
    CHECKR a2, a1
    j 6f
5:  LOAD_FRAME a4, trap_frame, TF_CAUSE
    li t4, CAUSE_MISALIGNED_STORE
    beq a4, t4, 7f
    CHECK a4, CAUSE_STORE_ACCESS
7:  LOAD_FRAME a4, trap_frame, TF_TVAL
    CHECKR a4, a5
6:
    ld ra, 0(sp)
    addi sp, sp, 16
    ret

reset_buf:                              /* buf = 01 02 .. 08 88 89 .. 8f */
    la t0, buf
    li t1, 0x8807060504030201
    sd t1, 0(t0)
    li t1, 0x8f8e8d8c8b8a8988
    sd t1, 8(t0)
    ret

    .data
    .balign 16
buf:
    .zero 16
    .balign 4096
    .zero 4096 - 16
    .balign 4096
page_edge:
    .zero 16

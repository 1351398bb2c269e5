/*
 * Not a conformance program: the harness's own check. It passes case 1, then fails case 0x123
 * on purpose (a trap nobody armed), so a run must report exactly that case; this proves a
 * failing program cannot pass unnoticed on QEMU or on jvmm.
 */
#include "conformance.h"
    .option norvc
    .text
    .globl test_main
test_main:
    CASE 1
    li a0, 1
    CHECK a0, 1
    CASE 0x123
    ecall                               /* unarmed: reported as a failure of this case */
    ret

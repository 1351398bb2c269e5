/* RVC: every RV64C instruction (written with explicit c. mnemonics) and reserved encodings. */
#include "conformance.h"
    .option rvc
    .text
    .globl test_main
test_main:
    mv s2, sp                   /* restored at the end */
    la sp, cstack + 256
    la s0, cdata
    CASE 1                      /* C.ADDI4SPN */
    c.addi4spn a0, sp, 16
    la a1, cstack + 272
    CHECKR a0, a1
    c.addi4spn a5, sp, 1020
    la a1, cstack + 256 + 1020
    CHECKR a5, a1
    CASE 2                      /* C.LW sign-extends, C.SW */
    c.lw a0, 4(s0)
    CHECK a0, 0xffffffff80000001
    li a1, 0x12345678
    c.sw a1, 124(s0)
    lw a2, 124(s0)
    CHECK a2, 0x12345678
    CASE 3                      /* C.LD / C.SD */
    c.ld a0, 8(s0)
    CHECK a0, 0x8877665544332211
    c.sd a0, 248(s0)
    ld a2, 248(s0)
    CHECKR a2, a0
    CASE 4                      /* C.FLD / C.FSD */
    c.fld fa0, 8(s0)
    fmv.x.d a2, fa0
    CHECK a2, 0x8877665544332211
    c.fsd fa0, 16(s0)
    ld a2, 16(s0)
    CHECK a2, 0x8877665544332211
    CASE 5                      /* C.ADDI, C.NOP */
    li a0, 10
    c.addi a0, -32
    CHECK a0, -22
    c.addi a0, 31
    CHECK a0, 9
    c.nop
    CHECK a0, 9
    CASE 6                      /* C.ADDIW: 32-bit add, sign-extended */
    li a0, 0x7fffffff
    c.addiw a0, 1
    CHECK a0, 0xffffffff80000000
    li a0, 0x100000005
    c.addiw a0, 0               /* sext.w */
    CHECK a0, 5
    CASE 7                      /* C.LI */
    c.li a0, -32
    CHECK a0, -32
    c.li t0, 31
    CHECK t0, 31
    CASE 8                      /* C.LUI, positive and negative */
    c.lui a0, 1
    CHECK a0, 0x1000
    c.lui a0, 0xfffff
    CHECK a0, 0xfffffffffffff000
    c.lui t1, 0x1f
    CHECK t1, 0x1f000
    c.lui t1, 0xfffe0
    CHECK t1, 0xfffffffffffe0000
    CASE 9                      /* C.ADDI16SP */
    mv a1, sp
    c.addi16sp sp, -512
    sub a2, a1, sp
    CHECK a2, 512
    c.addi16sp sp, 496
    sub a2, sp, a1
    CHECK a2, -16
    c.addi16sp sp, 16
    CHECKR sp, a1
    CASE 10                     /* C.SRLI / C.SRAI / C.ANDI */
    li a0, 0x8000000000000000
    mv a1, a0
    c.srli a0, 63
    CHECK a0, 1
    c.srai a1, 32
    CHECK a1, 0xffffffff80000000
    li a0, 0x1ff
    c.andi a0, -32
    CHECK a0, 0x1e0
    c.andi a0, 0
    CHECK a0, 0
    CASE 11                     /* C.SUB / C.XOR / C.OR / C.AND */
    li a0, 5
    li a1, 7
    c.sub a0, a1
    CHECK a0, -2
    li a0, 0xff00
    li a1, 0x0ff0
    mv a2, a0
    c.xor a2, a1
    CHECK a2, 0xf0f0
    mv a2, a0
    c.or a2, a1
    CHECK a2, 0xfff0
    mv a2, a0
    c.and a2, a1
    CHECK a2, 0x0f00
    CASE 12                     /* C.SUBW / C.ADDW */
    li a0, 0x80000000
    li a1, 1
    c.subw a0, a1
    CHECK a0, 0x7fffffff
    c.addw a0, a1
    CHECK a0, 0xffffffff80000000
    li a0, 0x100000000
    c.subw a0, a1
    CHECK a0, -1
    CASE 13                     /* C.J forwards and backwards */
    c.j 1f
    j fail
2:  c.j 3f
    j fail
1:  c.j 2b
3:
    CASE 14                     /* C.BEQZ / C.BNEZ, taken and not taken */
    li a0, 0
    li a1, 1
    c.beqz a0, 1f
    j fail
1:  c.bnez a0, 2f
    c.bnez a1, 3f
2:  j fail
3:  c.beqz a1, 4f
    c.j 5f
4:  j fail
5:  li a1, 3                     /* backward loop */
    li a2, 0
6:  addi a2, a2, 1
    addi a1, a1, -1
    c.bnez a1, 6b
    CHECK a2, 3
    CASE 15                     /* C.SLLI, any register, shamt up to 63 */
    li t0, 1
    c.slli t0, 63
    CHECK t0, 0x8000000000000000
    li a0, 3
    c.slli a0, 4
    CHECK a0, 0x30
    CASE 16                     /* C.LWSP / C.LDSP / C.SWSP / C.SDSP */
    li t0, 0xffffffff87654321
    c.swsp t0, 252(sp)
    c.lwsp t1, 252(sp)
    CHECK t1, 0xffffffff87654321
    li t0, 0x0123456789abcdef
    c.sdsp t0, 504(sp)
    c.ldsp t2, 504(sp)
    CHECKR t2, t0
    lwu t1, 252(sp)
    CHECK t1, 0x87654321
    CASE 17                     /* C.FLDSP / C.FSDSP */
    li t0, 0x3ff0000000000000
    fmv.d.x ft0, t0
    c.fsdsp ft0, 8(sp)
    c.fldsp ft1, 8(sp)
    fmv.x.d t1, ft1
    CHECKR t1, t0
    CASE 18                     /* C.MV / C.ADD */
    li t0, 40
    c.mv t1, t0
    CHECK t1, 40
    c.add t1, t0
    CHECK t1, 80
    CASE 19                     /* C.JR */
    la t0, 1f
    c.jr t0
    j fail
1:
    CASE 20                     /* C.JALR links pc + 2 */
    la t0, 2f
    c.jalr t0
3:  j fail
2:  la t1, 3b
    CHECKR ra, t1
    CASE 21                     /* C.JALR with rs1 = ra: target uses the old ra */
    la ra, 4f
    c.jalr ra
5:  j fail
4:  la t1, 5b
    CHECKR ra, t1
    CASE 22                     /* C.EBREAK: cause 3, epc = its address */
    TRAP CAUSE_BREAKPOINT, c.ebreak
    CASE 23                     /* a 32-bit instruction at a 2-byte aligned address */
    .balign 4
    c.nop
    addi a0, zero, 0x123
    .option push
    .option norvc
    addi a0, a0, 0x100
    .option pop
    CHECK a0, 0x223
    /* ---- reserved encodings: cause 2, mtval = the 16 bits ---- */
    CASE 24
    ILLEGAL16 0x0000            /* the all-zero halfword */
    CASE 25
    ILLEGAL16 0x0004            /* C.ADDI4SPN with imm 0, rd' = x9 */
    CASE 26
    ILLEGAL16 0x6081            /* C.LUI x1 with imm 0 */
    CASE 27
    ILLEGAL16 0x2005            /* C.ADDIW with rd = 0 */
    CASE 28
    ILLEGAL16 0x6101            /* C.ADDI16SP with imm 0 */
    CASE 29
    ILLEGAL16 0x4002            /* C.LWSP with rd = 0 */
    CASE 30
    ILLEGAL16 0x6002            /* C.LDSP with rd = 0 */
    CASE 31
    ILLEGAL16 0x8002            /* C.JR with rs1 = 0 */
    CASE 32
    ILLEGAL16 0x9c41            /* reserved C.SUBW/C.ADDW slot (funct2 = 10) */
    CASE 33
    ILLEGAL16 0x9c61            /* reserved C.SUBW/C.ADDW slot (funct2 = 11) */
    CASE 34                     /* C.NOP changes nothing */
    li a0, 7
    c.nop
    CHECK a0, 7
    mv sp, s2
    j pass

    .data
    .balign 16
cdata:
    .word 0x00000000, 0x80000001
    .dword 0x8877665544332211
    .zero 256
    .balign 16
cstack:
    .zero 1536

/*
 * F and D: arithmetic in every rounding mode (static and dynamic), fflags NX/UF/OF/DZ/NV,
 * NaN-boxing, canonical NaNs, fmin/fmax with signaling NaNs, saturating conversions, fclass,
 * comparisons, fmv sign extension, sign injection, and mstatus.FS = Off making FP illegal.
 */
#include "conformance.h"
    .option norvc
    .text
    .globl test_main

#define NX 1
#define UF 2
#define OF 4
#define DZ 8
#define NV 16
#define QNAN_S 0x7fc00000
#define QNAN_D 0x7ff8000000000000
#define SNAN_S 0x7f800001
#define SNAN_D 0x7ff0000000000001

/* binary single op: ft2 = op(a, b) [rm]; check bits and flags */
.macro S2 op, a, b, rm, res, flags
    li a0, \a
    fmv.w.x ft0, a0
    li a0, \b
    fmv.w.x ft1, a0
    fsflags zero
    \op ft2, ft0, ft1, \rm
    fmv.x.w a0, ft2
    slli a0, a0, 32
    srli a0, a0, 32
    CHECK a0, \res
    frflags a1
    CHECK a1, \flags
.endm
.macro D2 op, a, b, rm, res, flags
    li a0, \a
    fmv.d.x ft0, a0
    li a0, \b
    fmv.d.x ft1, a0
    fsflags zero
    \op ft2, ft0, ft1, \rm
    fmv.x.d a0, ft2
    CHECK a0, \res
    frflags a1
    CHECK a1, \flags
.endm
/* unary: sqrt / conversions from float */
.macro S1 op, a, rm, res, flags
    li a0, \a
    fmv.w.x ft0, a0
    fsflags zero
    \op ft2, ft0, \rm
    fmv.x.w a0, ft2
    slli a0, a0, 32
    srli a0, a0, 32
    CHECK a0, \res
    frflags a1
    CHECK a1, \flags
.endm
.macro D1 op, a, rm, res, flags
    li a0, \a
    fmv.d.x ft0, a0
    fsflags zero
    \op ft2, ft0, \rm
    fmv.x.d a0, ft2
    CHECK a0, \res
    frflags a1
    CHECK a1, \flags
.endm
/* float -> integer register */
.macro CVTI op, mv, a, rm, res, flags
    li a0, \a
    \mv ft0, a0
    fsflags zero
    \op a0, ft0, \rm
    CHECK a0, \res
    frflags a1
    CHECK a1, \flags
.endm
/* integer register -> float */
.macro CVTF op, mv, a, rm, res, flags
    li a0, \a
    fsflags zero
    \op ft2, a0, \rm
    \mv a0, ft2
    CHECK a0, \res
    frflags a1
    CHECK a1, \flags
.endm
/* comparisons and fclass: integer result */
.macro CMP op, mv, a, b, res, flags
    li a0, \a
    \mv ft0, a0
    li a0, \b
    \mv ft1, a0
    fsflags zero
    \op a0, ft0, ft1
    CHECK a0, \res
    frflags a1
    CHECK a1, \flags
.endm
.macro CLASS op, mv, a, res
    li a0, \a
    \mv ft0, a0
    \op a0, ft0
    CHECK a0, \res
.endm
/* fused: ft3 = op(a, b, c) */
.macro S3 op, a, b, c, res, flags
    li a0, \a
    fmv.w.x ft0, a0
    li a0, \b
    fmv.w.x ft1, a0
    li a0, \c
    fmv.w.x ft2, a0
    fsflags zero
    \op ft3, ft0, ft1, ft2
    fmv.x.w a0, ft3
    slli a0, a0, 32
    srli a0, a0, 32
    CHECK a0, \res
    frflags a1
    CHECK a1, \flags
.endm
.macro D3 op, a, b, c, res, flags
    li a0, \a
    fmv.d.x ft0, a0
    li a0, \b
    fmv.d.x ft1, a0
    li a0, \c
    fmv.d.x ft2, a0
    fsflags zero
    \op ft3, ft0, ft1, ft2
    fmv.x.d a0, ft3
    CHECK a0, \res
    frflags a1
    CHECK a1, \flags
.endm

.macro CMPF op, a, b, res, flags
    li a0, \a
    fmv.w.x ft0, a0
    li a0, \b
    fmv.w.x ft1, a0
    fsflags zero
    \op ft2, ft0, ft1
    fmv.x.w a0, ft2
    slli a0, a0, 32
    srli a0, a0, 32
    CHECK a0, \res
    frflags a1
    CHECK a1, \flags
.endm

.macro D2N op, a, b, res, flags
    li a0, \a
    fmv.d.x ft0, a0
    li a0, \b
    fmv.d.x ft1, a0
    fsflags zero
    \op ft2, ft0, ft1
    fmv.x.d a0, ft2
    CHECK a0, \res
    frflags a1
    CHECK a1, \flags
.endm

test_main:
    mv s11, ra
    csrw fcsr, zero
    CASE 1                              /* exact add, no flags */
    S2 fadd.s, 0x3fc00000, 0x40100000, rne, 0x40700000, 0
    D2 fadd.d, 0x3ff8000000000000, 0x4002000000000000, rne, 0x400e000000000000, 0
    CASE 2                              /* 1 + 2^-24: a tie, in every static rounding mode */
    S2 fadd.s, 0x3f800000, 0x33800000, rne, 0x3f800000, NX
    S2 fadd.s, 0x3f800000, 0x33800000, rtz, 0x3f800000, NX
    S2 fadd.s, 0x3f800000, 0x33800000, rdn, 0x3f800000, NX
    S2 fadd.s, 0x3f800000, 0x33800000, rup, 0x3f800001, NX
    S2 fadd.s, 0x3f800000, 0x33800000, rmm, 0x3f800001, NX
    CASE 3                              /* the same, negative */
    S2 fadd.s, 0xbf800000, 0xb3800000, rne, 0xbf800000, NX
    S2 fadd.s, 0xbf800000, 0xb3800000, rtz, 0xbf800000, NX
    S2 fadd.s, 0xbf800000, 0xb3800000, rdn, 0xbf800001, NX
    S2 fadd.s, 0xbf800000, 0xb3800000, rup, 0xbf800000, NX
    S2 fadd.s, 0xbf800000, 0xb3800000, rmm, 0xbf800001, NX
    CASE 4                              /* double: 1 + 2^-53 */
    D2 fadd.d, 0x3ff0000000000000, 0x3ca0000000000000, rne, 0x3ff0000000000000, NX
    D2 fadd.d, 0x3ff0000000000000, 0x3ca0000000000000, rtz, 0x3ff0000000000000, NX
    D2 fadd.d, 0x3ff0000000000000, 0x3ca0000000000000, rdn, 0x3ff0000000000000, NX
    D2 fadd.d, 0x3ff0000000000000, 0x3ca0000000000000, rup, 0x3ff0000000000001, NX
    D2 fadd.d, 0x3ff0000000000000, 0x3ca0000000000000, rmm, 0x3ff0000000000001, NX
    CASE 5                              /* dynamic rounding through frm */
    fsrmi 3                             /* RUP */
    frrm a0
    CHECK a0, 3
    S2 fadd.s, 0x3f800000, 0x33800000, dyn, 0x3f800001, NX
    D2 fadd.d, 0x3ff0000000000000, 0x3ca0000000000000, dyn, 0x3ff0000000000001, NX
    fsrmi 2                             /* RDN */
    S2 fsub.s, 0xbf800000, 0x33800000, dyn, 0xbf800001, NX
    fsrmi 1                             /* RTZ */
    S2 fdiv.s, 0x3f800000, 0x40400000, dyn, 0x3eaaaaaa, NX
    fsrmi 4                             /* RMM */
    S2 fadd.s, 0x3f800000, 0x33800000, dyn, 0x3f800001, NX
    fsrmi 0
    S2 fdiv.s, 0x3f800000, 0x40400000, dyn, 0x3eaaaaab, NX
    CASE 6                              /* frm 5..7 with dyn is illegal; fcsr packs frm and fflags */
    fsrmi 5
    ILLEGAL fadd.s ft0, ft0, ft0, dyn
    fsrmi 7
    ILLEGAL fmul.d ft0, ft0, ft0, dyn
    li a0, 0xff
    fscsr a0
    frcsr a1
    CHECK a1, 0xff
    frrm a1
    CHECK a1, 7
    frflags a1
    CHECK a1, 0x1f
    csrw fcsr, zero
    CASE 7                              /* static reserved rounding modes 5 and 6 are illegal */
    ILLEGAL .word 0x0000d053            /* fadd.s f0, f0, f0 with rm = 5 */
    ILLEGAL .word 0x0000e053            /* rm = 6 */
    CASE 8                              /* sub, mul, div */
    S2 fsub.s, 0x40400000, 0x40a00000, rne, 0xc0000000, 0
    D2 fsub.d, 0x4008000000000000, 0x4014000000000000, rne, 0xc000000000000000, 0
    S2 fmul.s, 0x40400000, 0xc0a00000, rne, 0xc1700000, 0
    D2 fmul.d, 0x4008000000000000, 0xc014000000000000, rne, 0xc02e000000000000, 0
    D2 fdiv.d, 0x3ff0000000000000, 0x4008000000000000, rne, 0x3fd5555555555555, NX
    D2 fdiv.d, 0x3ff0000000000000, 0x4008000000000000, rup, 0x3fd5555555555556, NX
    CASE 9                              /* divide by zero, 0/0, inf - inf */
    S2 fdiv.s, 0x3f800000, 0x00000000, rne, 0x7f800000, DZ
    S2 fdiv.s, 0x3f800000, 0x80000000, rne, 0xff800000, DZ
    D2 fdiv.d, 0xbff0000000000000, 0, rne, 0xfff0000000000000, DZ
    S2 fdiv.s, 0, 0, rne, QNAN_S, NV
    D2 fdiv.d, 0, 0, rne, QNAN_D, NV
    S2 fsub.s, 0x7f800000, 0x7f800000, rne, QNAN_S, NV
    S2 fmul.s, 0x7f800000, 0, rne, QNAN_S, NV
    CASE 10                             /* NaN results are canonical; sNaN operands raise NV */
    S2 fadd.s, 0x7fc12345, 0x3f800000, rne, QNAN_S, 0
    S2 fadd.s, 0xffc00001, 0x3f800000, rne, QNAN_S, 0
    S2 fadd.s, SNAN_S, 0x3f800000, rne, QNAN_S, NV
    D2 fmul.d, 0xfff8000000000123, 0x3ff0000000000000, rne, QNAN_D, 0
    D2 fmul.d, SNAN_D, 0x3ff0000000000000, rne, QNAN_D, NV
    CASE 11                             /* overflow */
    S2 fmul.s, 0x7f7fffff, 0x40000000, rne, 0x7f800000, OF | NX
    S2 fmul.s, 0x7f7fffff, 0x40000000, rtz, 0x7f7fffff, OF | NX
    S2 fmul.s, 0xff7fffff, 0x40000000, rup, 0xff7fffff, OF | NX
    S2 fmul.s, 0xff7fffff, 0x40000000, rdn, 0xff800000, OF | NX
    D2 fadd.d, 0x7fefffffffffffff, 0x7fefffffffffffff, rne, 0x7ff0000000000000, OF | NX
    CASE 12                             /* underflow: tiny and inexact; exact tiny results raise nothing */
    S2 fmul.s, 0x00800000, 0x3f000000, rne, 0x00400000, 0
    S2 fmul.s, 0x00000001, 0x3f000000, rne, 0x00000000, UF | NX
    S2 fmul.s, 0x00000001, 0x3f000000, rup, 0x00000001, UF | NX
    D2 fmul.d, 0x0000000000000001, 0x3fe0000000000000, rne, 0, UF | NX
    D2 fdiv.d, 0x0010000000000000, 0x4008000000000000, rne, 0x0005555555555555, UF | NX
    CASE 13                             /* square roots */
    S1 fsqrt.s, 0x40000000, rne, 0x3fb504f3, NX
    S1 fsqrt.s, 0x40000000, rup, 0x3fb504f4, NX
    S1 fsqrt.s, 0x40800000, rne, 0x40000000, 0
    S1 fsqrt.s, 0xbf800000, rne, QNAN_S, NV
    S1 fsqrt.s, 0x80000000, rne, 0x80000000, 0
    D1 fsqrt.d, 0x4000000000000000, rne, 0x3ff6a09e667f3bcd, NX
    D1 fsqrt.d, 0x4000000000000000, rtz, 0x3ff6a09e667f3bcc, NX
    D1 fsqrt.d, 0xbff0000000000000, rne, QNAN_D, NV
    CASE 14                             /* fused multiply-add family */
    S3 fmadd.s, 0x40000000, 0x40400000, 0x3f800000, 0x40e00000, 0
    S3 fmsub.s, 0x40000000, 0x40400000, 0x3f800000, 0x40a00000, 0
    S3 fnmsub.s, 0x40000000, 0x40400000, 0x3f800000, 0xc0a00000, 0
    S3 fnmadd.s, 0x40000000, 0x40400000, 0x3f800000, 0xc0e00000, 0
    D3 fmadd.d, 0x4000000000000000, 0x4008000000000000, 0x3ff0000000000000, 0x401c000000000000, 0
    D3 fmsub.d, 0x4000000000000000, 0x4008000000000000, 0x3ff0000000000000, 0x4014000000000000, 0
    D3 fnmsub.d, 0x4000000000000000, 0x4008000000000000, 0x3ff0000000000000, 0xc014000000000000, 0
    D3 fnmadd.d, 0x4000000000000000, 0x4008000000000000, 0x3ff0000000000000, 0xc01c000000000000, 0
    CASE 15                             /* fma rounds once: (1 + 2^-23)(1 - 2^-23) - 1 = -2^-46 exactly */
    S3 fmadd.s, 0x3f800001, 0x3f7ffffe, 0xbf800000, 0xa8800000, 0
    S3 fmadd.s, 0x7f800000, 0x00000000, 0x3f800000, QNAN_S, NV
    CASE 16                             /* NaN-boxing: an improperly boxed single reads as canonical NaN */
    li a0, 0x000000003f800000
    fmv.d.x ft0, a0
    fsflags zero
    fadd.s ft1, ft0, ft0
    fmv.x.d a0, ft1
    CHECK a0, 0xffffffff7fc00000
    frflags a1
    CHECK a1, 0
    li a0, 0xfffffffe3f800000
    fmv.d.x ft0, a0
    fsgnj.s ft1, ft0, ft0
    fmv.x.d a0, ft1
    CHECK a0, 0xffffffff7fc00000
    CASE 17                             /* single results, flw and fmv.w.x are boxed */
    li a0, 0x40000000
    fmv.w.x ft0, a0
    fmv.x.d a1, ft0
    CHECK a1, 0xffffffff40000000
    fadd.s ft1, ft0, ft0
    fmv.x.d a1, ft1
    CHECK a1, 0xffffffff40800000
    la a2, fpdata
    flw ft2, 0(a2)
    fmv.x.d a1, ft2
    CHECK a1, 0xffffffffbf800000
    fsw ft1, 8(a2)
    lwu a1, 8(a2)
    CHECK a1, 0x40800000
    fld ft3, 16(a2)
    fsd ft3, 24(a2)
    ld a1, 24(a2)
    CHECK a1, 0x400921fb54442d18
    CASE 18                             /* fmv.x.w sign-extends; fmv.x.d / fmv.d.x move bits */
    li a0, 0x80000000
    fmv.w.x ft0, a0
    fmv.x.w a1, ft0
    CHECK a1, 0xffffffff80000000
    li a0, 0x7fffffff
    fmv.w.x ft0, a0
    fmv.x.w a1, ft0
    CHECK a1, 0x7fffffff
    li a0, SNAN_D
    fmv.d.x ft0, a0
    fmv.x.d a1, ft0
    CHECK a1, SNAN_D
    CASE 19                             /* fmin / fmax */
    CMPF fmin.s, 0x3f800000, 0x40000000, 0x3f800000, 0
    CMPF fmax.s, 0x3f800000, 0x40000000, 0x40000000, 0
    CMPF fmin.s, 0x80000000, 0x00000000, 0x80000000, 0
    CMPF fmax.s, 0x80000000, 0x00000000, 0x00000000, 0
    CMPF fmin.s, SNAN_S, 0x3f800000, 0x3f800000, NV
    CMPF fmax.s, 0x3f800000, SNAN_S, 0x3f800000, NV
    CMPF fmin.s, QNAN_S, 0x3f800000, 0x3f800000, 0
    CMPF fmin.s, 0x7fc00001, 0x7fc00002, QNAN_S, 0
    CMPF fmax.s, SNAN_S, SNAN_S, QNAN_S, NV
    D2N fmin.d, SNAN_D, 0xbff0000000000000, 0xbff0000000000000, NV
    D2N fmax.d, 0x8000000000000000, 0, 0, 0
    CASE 20                             /* float -> int: rounding, saturation, NaN */
    CVTI fcvt.w.s, fmv.w.x, 0x40200000, rne, 2, NX
    CVTI fcvt.w.s, fmv.w.x, 0x40200000, rmm, 3, NX
    CVTI fcvt.w.s, fmv.w.x, 0xc0200000, rdn, -3, NX
    CVTI fcvt.w.s, fmv.w.x, 0x4f32d05e, rtz, 0x7fffffff, NV
    CVTI fcvt.w.s, fmv.w.x, 0xcf32d05e, rtz, 0xffffffff80000000, NV
    CVTI fcvt.w.s, fmv.w.x, QNAN_S, rtz, 0x7fffffff, NV
    CVTI fcvt.w.s, fmv.w.x, 0xff800000, rtz, 0xffffffff80000000, NV
    CVTI fcvt.w.s, fmv.w.x, 0xcf000000, rtz, 0xffffffff80000000, 0
    CASE 21
    CVTI fcvt.wu.s, fmv.w.x, 0x4f32d05e, rtz, 0xffffffffb2d05e00, 0  /* 3e9, sign-extended */
    CVTI fcvt.wu.s, fmv.w.x, 0xbf800000, rtz, 0, NV
    CVTI fcvt.wu.s, fmv.w.x, 0x7f800000, rtz, 0xffffffffffffffff, NV
    CVTI fcvt.wu.s, fmv.w.x, QNAN_S, rtz, 0xffffffffffffffff, NV
    CASE 22
    CVTI fcvt.l.d, fmv.d.x, 0x43e0000000000000, rtz, 0x7fffffffffffffff, NV
    CVTI fcvt.l.d, fmv.d.x, 0xc3e0000000000000, rtz, 0x8000000000000000, 0
    CVTI fcvt.l.d, fmv.d.x, 0xfff0000000000000, rtz, 0x8000000000000000, NV
    CVTI fcvt.l.d, fmv.d.x, QNAN_D, rtz, 0x7fffffffffffffff, NV
    CVTI fcvt.lu.d, fmv.d.x, 0x43f0000000000000, rtz, 0xffffffffffffffff, NV
    CVTI fcvt.lu.d, fmv.d.x, 0xbff0000000000000, rtz, 0, NV
    CVTI fcvt.lu.d, fmv.d.x, 0x43efffffffffffff, rtz, 0xfffffffffffff800, 0
    CVTI fcvt.w.d, fmv.d.x, 0x41e0000000000000, rtz, 0x7fffffff, NV
    CVTI fcvt.l.s, fmv.w.x, 0xbfc00000, rne, -2, NX
    CVTI fcvt.lu.s, fmv.w.x, 0x5f800000, rtz, 0xffffffffffffffff, NV
    CASE 23                             /* int -> float */
    CVTF fcvt.s.w, fmv.x.w, -1, rne, 0xffffffffbf800000, 0
    CVTF fcvt.s.wu, fmv.x.w, -1, rne, 0x4f800000, NX
    CVTF fcvt.s.wu, fmv.x.w, -1, rtz, 0x4f7fffff, NX
    CVTF fcvt.s.l, fmv.x.w, 0x1000001, rne, 0x4b800000, NX
    CVTF fcvt.s.l, fmv.x.w, 0x1000001, rup, 0x4b800001, NX
    CVTF fcvt.d.l, fmv.x.d, 0x8000000000000000, rne, 0xc3e0000000000000, 0
    CVTF fcvt.d.lu, fmv.x.d, -1, rne, 0x43f0000000000000, NX
    li a0, 0xffffffff00000005           /* fcvt.d.w reads the low word, exactly */
    fsflags zero
    fcvt.d.w ft2, a0
    fmv.x.d a0, ft2
    CHECK a0, 0x4014000000000000
    frflags a1
    CHECK a1, 0
    CASE 24                             /* float <-> double */
    li a0, 0x3ff0000010000000           /* 1 + 2^-24: a tie for single */
    fmv.d.x ft0, a0
    fsflags zero
    fcvt.s.d ft1, ft0, rne
    fmv.x.w a1, ft1
    CHECK a1, 0x3f800000
    fcvt.s.d ft1, ft0, rup
    fmv.x.w a1, ft1
    CHECK a1, 0x3f800001
    frflags a1
    CHECK a1, NX
    li a0, 0xffffffff3fc00000
    fmv.d.x ft0, a0
    fcvt.d.s ft1, ft0
    fmv.x.d a1, ft1
    CHECK a1, 0x3ff8000000000000
    li a0, 0xffffffff7f800001           /* sNaN single -> canonical double NaN, NV */
    fmv.d.x ft0, a0
    fsflags zero
    fcvt.d.s ft1, ft0
    fmv.x.d a1, ft1
    CHECK a1, QNAN_D
    frflags a1
    CHECK a1, NV
    CASE 25                             /* fclass */
    CLASS fclass.s, fmv.w.x, 0xff800000, 1
    CLASS fclass.s, fmv.w.x, 0xbf800000, 2
    CLASS fclass.s, fmv.w.x, 0x80000001, 4
    CLASS fclass.s, fmv.w.x, 0x80000000, 8
    CLASS fclass.s, fmv.w.x, 0x00000000, 16
    CLASS fclass.s, fmv.w.x, 0x007fffff, 32
    CLASS fclass.s, fmv.w.x, 0x3f800000, 64
    CLASS fclass.s, fmv.w.x, 0x7f800000, 128
    CLASS fclass.s, fmv.w.x, SNAN_S, 256
    CLASS fclass.s, fmv.w.x, QNAN_S, 512
    CLASS fclass.d, fmv.d.x, 0xfff0000000000000, 1
    CLASS fclass.d, fmv.d.x, 0x8000000000000001, 4
    CLASS fclass.d, fmv.d.x, 0x0000000000000000, 16
    CLASS fclass.d, fmv.d.x, SNAN_D, 256
    CLASS fclass.d, fmv.d.x, QNAN_D, 512
    li a0, 0x3f800000                   /* unboxed single classifies as a quiet NaN */
    fmv.d.x ft0, a0
    fclass.s a1, ft0
    CHECK a1, 512
    CASE 26                             /* feq is quiet, flt/fle signal on any NaN */
    CMP feq.s, fmv.w.x, 0x3f800000, 0x3f800000, 1, 0
    CMP feq.s, fmv.w.x, 0x80000000, 0x00000000, 1, 0
    CMP feq.s, fmv.w.x, QNAN_S, QNAN_S, 0, 0
    CMP feq.s, fmv.w.x, SNAN_S, 0x3f800000, 0, NV
    CMP flt.s, fmv.w.x, 0x80000000, 0x00000000, 0, 0
    CMP fle.s, fmv.w.x, 0x80000000, 0x00000000, 1, 0
    CMP flt.s, fmv.w.x, QNAN_S, 0x3f800000, 0, NV
    CMP fle.s, fmv.w.x, 0x3f800000, QNAN_S, 0, NV
    CMP flt.d, fmv.d.x, 0xbff0000000000000, 0x3ff0000000000000, 1, 0
    CMP fle.d, fmv.d.x, 0x4000000000000000, 0x3ff0000000000000, 0, 0
    CMP feq.d, fmv.d.x, QNAN_D, 0, 0, 0
    CMP flt.d, fmv.d.x, QNAN_D, 0, 0, NV
    CASE 27                             /* sign injection */
    CMPF fsgnj.s, 0x3f800000, 0x80000000, 0xbf800000, 0
    CMPF fsgnjn.s, 0x3f800000, 0x80000000, 0x3f800000, 0
    CMPF fsgnjx.s, 0xbf800000, 0x80000000, 0x3f800000, 0
    CMPF fsgnj.s, SNAN_S, 0x00000000, SNAN_S, 0      /* no NaN processing, no flags */
    D2N fsgnjn.d, 0x3ff0000000000000, 0x3ff0000000000000, 0xbff0000000000000, 0
    CASE 28                             /* fflags accumulate until cleared */
    csrw fflags, zero
    S2 fdiv.s, 0x3f800000, 0, rne, 0x7f800000, DZ
    li a0, 0x3f800000
    fmv.w.x ft0, a0
    li a0, 0x40400000
    fmv.w.x ft1, a0
    fdiv.s ft2, ft0, ft1
    frflags a1
    CHECK a1, DZ | NX
    csrr a1, fcsr
    CHECK a1, DZ | NX
    csrw fflags, zero
    CASE 29                             /* an FP write makes FS Dirty */
    li a0, MSTATUS_FS
    csrc mstatus, a0
    li a0, 0x2000
    csrs mstatus, a0
    fadd.s ft0, ft1, ft1
    csrr a1, mstatus
    li a0, MSTATUS_FS
    and a1, a1, a0
    CHECK a1, MSTATUS_FS
    CASE 30                             /* FS = Off: every FP instruction and FP CSR is illegal */
    li a0, MSTATUS_FS
    csrc mstatus, a0
    ILLEGAL fadd.s ft0, ft1, ft2
    ILLEGAL fmv.x.w a0, ft0
    ILLEGAL fmv.d.x ft0, a0
    ILLEGAL fld ft0, 0(sp)
    ILLEGAL fsd ft0, 0(sp)
    ILLEGAL frcsr a0
    ILLEGAL fsflags a0
    ILLEGAL csrr a0, frm
    li a0, 0x2000
    csrs mstatus, a0
    CASE 31                             /* the remaining conversions and double sign injections */
    CVTF fcvt.s.lu, fmv.x.w, -1, rne, 0x5f800000, NX       /* 2^64 - 1 rounds to 2^64 */
    CVTF fcvt.s.lu, fmv.x.w, -1, rtz, 0x5f7fffff, NX
    li a0, -1                           /* fcvt.d.wu is exact (no rounding mode): low 32 bits only */
    fsflags zero
    fcvt.d.wu ft2, a0
    fmv.x.d a0, ft2
    CHECK a0, 0x41efffffffe00000
    frflags a1
    CHECK a1, 0
    CVTI fcvt.wu.d, fmv.d.x, 0x41e65a0bc0000000, rtz, 0xffffffffb2d05e00, 0  /* 3e9, sign-extended */
    CVTI fcvt.wu.d, fmv.d.x, 0x3ff8000000000000, rne, 2, NX
    CVTI fcvt.wu.d, fmv.d.x, 0xbff0000000000000, rtz, 0, NV
    D2N fsgnj.d, 0x3ff0000000000000, 0x8000000000000000, 0xbff0000000000000, 0
    D2N fsgnjx.d, 0xbff0000000000000, 0x8000000000000000, 0x3ff0000000000000, 0
    mv ra, s11
    ret

    .data
    .balign 8
fpdata:
    .word 0xbf800000, 0
    .dword 0
    .dword 0x400921fb54442d18
    .dword 0

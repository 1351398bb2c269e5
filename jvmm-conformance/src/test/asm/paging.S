/*
 * Sv39 and Sv48, page tables built here: 4 KiB pages, 2 MiB and 1 GiB superpages, a misaligned
 * superpage, A/D (set by hardware or page fault, consistently), U vs SUM from S-mode, MXR,
 * R/W/X permission faults (12/13/15, tval = the virtual address) and sfence.vma (global, by
 * address, by an address elsewhere in a superpage), U-mode code (U pages from U, S pages from U
 * fault even with SUM, fetch faults) and MPRV with MPP = U.
 * The same checks run under Sv39 (cases 1..) and Sv48 (cases 101..); page faults are not
 * delegated, so each faulting access returns to M-mode, which re-enters S for the next one.
 *
 * Virtual layout (both modes):
 *   0x80000000  1 GiB identity gigapage, RWX, not U (code, data, tables)
 *   0xc0000000  1 GiB gigapage onto 0x80000000 (an alias)
 *   0x100000000 1 GiB "gigapage" onto 0x80200000: misaligned, must fault
 *   0x40000000  4 KiB pages 0..9 (see build_tables)
 *   0x40200000  2 MiB megapage onto 0x80400000
 *   0x40400000  2 MiB "megapage" onto 0x80401000: misaligned, must fault
 */
#include "conformance.h"
    .option norvc
    .text
    .globl test_main

#define V 1
#define R 2
#define W 4
#define X 8
#define U 16
#define A 64
#define D 128
#define PAGES 0x40000000
#define VA(n) (PAGES + (n) * 4096)
#define MEGA 0x40200000
#define MEGA_BAD 0x40400000
#define GIGA_ALIAS 0xc0000000
#define GIGA_BAD 0x100000000
#define MEGA_PA 0x80400000

/* case numbers are relative to s9 (0 for Sv39, 100 for Sv48) */
.macro PCASE n
    addi gp, s9, \n
.endm

/* pte for physical address in reg pa with flags -> rd */
.macro MKPTE rd, pa, flags
    srli \rd, \pa, 12
    slli \rd, \rd, 10
    ori \rd, \rd, \flags
.endm

/* store the PTE for page table tbl, index idx */
.macro SETPTE tbl, idx, pa, flags
    la t0, \tbl
    li t1, \pa
    MKPTE t2, t1, \flags
    sd t2, (\idx) * 8(t0)
.endm
.macro SETPTE_SYM tbl, idx, sym, flags
    la t0, \tbl
    la t1, \sym
    MKPTE t2, t1, \flags
    sd t2, (\idx) * 8(t0)
.endm

/* In S-mode: insn must page-fault with cause and tval = address in reg; ends in M-mode. */
.macro SFAULT cause, addr, insn:vararg
    ENTER_MODE 1, .Ls\@
.Ls\@:
    TRAP \cause, \insn
    LOAD_FRAME t4, trap_frame, TF_TVAL
    CHECKR t4, \addr
.endm

/* Enters U-mode at the ucode routine at byte offset off (ucode runs through VA(9)). */
.macro UENTER off
    li t5, MSTATUS_MPP
    csrc mstatus, t5
    li t5, VA(9) + \off
    csrw mepc, t5
    mret
.endm

/* The ucode routine at off must run in U and end in its ecall; ends in M-mode. */
.macro UOK off
    ARM_TRAP .Lr\@
    UENTER \off
.Lr\@:
    CHECK_CAUSE CAUSE_ECALL_U
.endm

/* The ucode routine at off must fault with cause and tval = addr (a register); ends in M-mode. */
.macro UFAULT cause, addr, off
    ARM_TRAP .Lr\@
    UENTER \off
.Lr\@:
    CHECK_CAUSE \cause
    LOAD_FRAME t4, trap_frame, TF_TVAL
    CHECKR t4, \addr
.endm

/* In S-mode: insn must not trap; ends in M-mode. */
.macro SOK insn:vararg
    ENTER_MODE 1, .Ls\@
.Ls\@:
    \insn
    BACK_TO_M
.endm

test_main:
    mv s11, ra
    call build_tables
    /* ---- Sv39 ---- */
    li s9, 0
    la a0, sv39_root
    srli a0, a0, 12
    li a1, 8 << 60
    or a0, a0, a1
    csrw satp, a0
    csrr a1, satp
    CASE 1
    CHECKR a1, a0
    call checks
    /* ---- Sv48: a new root whose entry 0 is the Sv39 root, now one level down ---- */
    csrw satp, zero
    sfence.vma
    call build_tables
    li s9, 100
    SETPTE_SYM sv48_root, 0, sv39_root, V
    la a0, sv48_root
    srli a0, a0, 12
    li a1, 9 << 60
    or a0, a0, a1
    csrw satp, a0
    csrr a1, satp
    CASE 100
    CHECKR a1, a0
    sfence.vma
    call checks
    csrw satp, zero
    sfence.vma
    mv ra, s11
    ret

build_tables:
    /* clear every table */
    la t0, tables_start
    la t1, tables_end
1:  sd zero, 0(t0)
    addi t0, t0, 8
    bltu t0, t1, 1b
    SETPTE sv39_root, 2, 0x80000000, V|R|W|X|A|D
    SETPTE sv39_root, 3, 0x80000000, V|R|W|A|D
    SETPTE sv39_root, 4, 0x80200000, V|R|W|A|D
    SETPTE_SYM sv39_root, 1, l1_table, V
    SETPTE_SYM l1_table, 0, l0_table, V
    SETPTE l1_table, 1, MEGA_PA, V|R|W|A|D
    SETPTE l1_table, 2, MEGA_PA + 0x1000, V|R|W|A|D
    SETPTE_SYM l0_table, 0, page_a, V|R|W|A|D       /* 0: read/write */
    SETPTE_SYM l0_table, 1, page_a, V|R|A           /* 1: read-only alias of page a */
    SETPTE_SYM l0_table, 2, xpage, V|X|A            /* 2: execute-only */
    SETPTE_SYM l0_table, 3, page_a, V|R|W|U|A|D     /* 3: user page */
    SETPTE_SYM l0_table, 4, page_b, V|R|W           /* 4: A and D clear */
    /* 5: invalid */
    SETPTE_SYM l0_table, 6, page_a, V|W|A|D         /* 6: W without R: reserved */
    SETPTE_SYM l0_table, 7, page_a, V|R|W|A|D       /* 7: no X */
    SETPTE_SYM l0_table, 8, xpage, V|R|X|U|A        /* 8: user code */
    SETPTE_SYM l0_table, 9, ucode, V|R|X|U|A        /* 9: user code: the U routines */
    /* data: page a starts with a known dword, the megapage's target too */
    la t0, page_a
    li t1, 0x1111222233334444
    sd t1, 0(t0)
    la t0, page_b
    li t1, 0x5555666677778888
    sd t1, 0(t0)
    li t0, MEGA_PA + 0x1008
    li t1, 0x0badc0ffee0ddf00
    sd t1, 0(t0)
    sfence.vma
    ret

checks:
    mv s10, ra
    li a0, MSTATUS_SUM | MSTATUS_MXR | MSTATUS_MPRV
    csrc mstatus, a0
    PCASE 2                             /* 4 KiB page: read and write */
    li s1, VA(0)
    SOK ld s2, 0(s1)
    CHECK s2, 0x1111222233334444
    li s3, 0x0123456789abcdef
    SOK sd s3, 8(s1)
    la a0, page_a
    ld a1, 8(a0)
    CHECKR a1, s3
    PCASE 3                             /* read-only page: load fine, store faults 15 */
    li s1, VA(1) + 8
    SOK ld s2, 0(s1)
    CHECKR s2, s3
    SFAULT CAUSE_STORE_PAGE, s1, sd zero, 0(s1)
    PCASE 4                             /* the fault left memory unchanged */
    la a0, page_a
    ld a1, 8(a0)
    CHECKR a1, s3
    PCASE 5                             /* execute-only: fetch fine, load faults 13 */
    li s1, VA(2)
    SOK jalr ra, 0(s1)
    CHECK a0, 0x5a
    SFAULT CAUSE_LOAD_PAGE, s1, lw s2, 0(s1)
    PCASE 6                             /* MXR makes it readable */
    li a0, MSTATUS_MXR
    csrs mstatus, a0
    SOK lwu s2, 0(s1)
    la a0, xpage
    lwu a1, 0(a0)
    CHECKR s2, a1
    li a0, MSTATUS_MXR
    csrc mstatus, a0
    PCASE 7                             /* user page from S: faults unless SUM */
    li s1, VA(3)
    SFAULT CAUSE_LOAD_PAGE, s1, ld s2, 0(s1)
    SFAULT CAUSE_STORE_PAGE, s1, sd zero, 0(s1)
    li a0, MSTATUS_SUM
    csrs mstatus, a0
    PCASE 8
    SOK ld s2, 0(s1)
    CHECK s2, 0x1111222233334444
    PCASE 9                             /* S never executes a user page, even with SUM */
    li s1, VA(8)
    ENTER_MODE 1, 1f
1:  ARM_TRAP 2f
    jalr ra, 0(s1)
    j fail
2:  CHECK_CAUSE CAUSE_FETCH_PAGE
    LOAD_FRAME a0, trap_frame, TF_TVAL
    CHECKR a0, s1
    LOAD_FRAME a0, trap_frame, TF_EPC
    CHECKR a0, s1
    li a0, MSTATUS_SUM
    csrc mstatus, a0
    PCASE 10                            /* invalid PTE: 13 / 15 / 12 */
    li s1, VA(5) + 0x10
    SFAULT CAUSE_LOAD_PAGE, s1, ld s2, 0(s1)
    SFAULT CAUSE_STORE_PAGE, s1, sd s2, 0(s1)
    ENTER_MODE 1, 3f
3:  ARM_TRAP 4f
    jalr ra, 0(s1)
    j fail
4:  CHECK_CAUSE CAUSE_FETCH_PAGE
    LOAD_FRAME a0, trap_frame, TF_TVAL
    CHECKR a0, s1
    PCASE 11                            /* W without R is reserved: page fault */
    li s1, VA(6)
    SFAULT CAUSE_LOAD_PAGE, s1, ld s2, 0(s1)
    SFAULT CAUSE_STORE_PAGE, s1, sd s2, 0(s1)
    PCASE 12                            /* no X: fetch faults 12 */
    li s1, VA(7)
    ENTER_MODE 1, 5f
5:  ARM_TRAP 6f
    jalr ra, 0(s1)
    j fail
6:  CHECK_CAUSE CAUSE_FETCH_PAGE
    LOAD_FRAME a0, trap_frame, TF_TVAL
    CHECKR a0, s1
    LOAD_FRAME a0, trap_frame, TF_EPC   /* the fault is on the target: epc = tval */
    CHECKR a0, s1
    PCASE 13                            /* A clear: hardware sets A, or the load faults (then A stays clear) */
    li s1, VA(4)
    ENTER_MODE 1, 7f
7:  li s2, 0
    ARM_TRAP 8f
    ld s2, 0(s1)
    BACK_TO_M
    CHECK s2, 0x5555666677778888
    la a0, l0_table
    ld a1, 4 * 8(a0)
    andi a2, a1, A
    CHECK a2, A
    andi a2, a1, D                      /* a load never sets D */
    CHECK a2, 0
    j 9f
8:  CHECK_CAUSE CAUSE_LOAD_PAGE
    LOAD_FRAME a0, trap_frame, TF_TVAL
    CHECKR a0, s1
    la a0, l0_table
    ld a1, 4 * 8(a0)
    andi a2, a1, A | D
    CHECK a2, 0
9:
    PCASE 14                            /* D clear: hardware sets A and D, or the store faults */
    li s1, VA(4) + 8
    li s3, 0x7777
    ENTER_MODE 1, 10f
10: ARM_TRAP 11f
    sd s3, 0(s1)
    BACK_TO_M
    la a0, page_b
    ld a1, 8(a0)
    CHECKR a1, s3
    la a0, l0_table
    ld a1, 4 * 8(a0)
    andi a2, a1, A | D
    CHECK a2, A | D
    j 12f
11: CHECK_CAUSE CAUSE_STORE_PAGE
    LOAD_FRAME a0, trap_frame, TF_TVAL
    CHECKR a0, s1
    la a0, l0_table
    ld a1, 4 * 8(a0)
    andi a2, a1, D
    CHECK a2, 0
    la a0, page_b
    ld a1, 8(a0)
    CHECK a1, 0
12:
    PCASE 15                            /* 2 MiB megapage */
    li s1, MEGA + 0x1008
    SOK ld s2, 0(s1)
    CHECK s2, 0x0badc0ffee0ddf00
    PCASE 16                            /* misaligned megapage: page fault */
    li s1, MEGA_BAD + 0x1008
    SFAULT CAUSE_LOAD_PAGE, s1, ld s2, 0(s1)
    PCASE 17                            /* 1 GiB gigapage alias */
    la a0, page_a
    li a1, 0x40000000
    add s1, a0, a1
    SOK ld s2, 0(s1)
    CHECK s2, 0x1111222233334444
    PCASE 18                            /* misaligned gigapage: page fault */
    li s1, GIGA_BAD + 0x1000
    SFAULT CAUSE_LOAD_PAGE, s1, ld s2, 0(s1)
    PCASE 19                            /* sfence.vma makes a changed PTE visible */
    li s1, VA(0)
    SOK ld s2, 0(s1)
    CHECK s2, 0x1111222233334444
    SETPTE_SYM l0_table, 0, page_b, V|R|W|A|D
    ENTER_MODE 1, 13f
13: sfence.vma s1, zero
    ld s2, 0(s1)
    BACK_TO_M
    CHECK s2, 0x5555666677778888
    PCASE 20                            /* ... and a global sfence.vma too */
    SETPTE_SYM l0_table, 0, page_a, V|R|W|A|D
    ENTER_MODE 1, 14f
14: sfence.vma
    ld s2, 0(s1)
    BACK_TO_M
    CHECK s2, 0x1111222233334444
    PCASE 21                            /* non-canonical address: page fault (or access fault) */
    li s1, 0x4000000000000000
    ENTER_MODE 1, 15f
15: ARM_TRAP 16f
    ld s2, 0(s1)
    j fail
16: LOAD_FRAME a0, trap_frame, TF_CAUSE
    li a1, CAUSE_LOAD_ACCESS
    beq a0, a1, 17f
    CHECK a0, CAUSE_LOAD_PAGE
17:
    PCASE 22                            /* M-mode is untranslated; MPRV with MPP = S translates its loads */
    li a0, PAGES
    la a1, page_a
    ld a2, 0(a1)
    CHECK a2, 0x1111222233334444
    li a0, MSTATUS_MPP
    csrc mstatus, a0
    li a0, 1 << 11
    csrs mstatus, a0
    li a0, MSTATUS_MPRV
    csrs mstatus, a0
    li s1, VA(0)
    ld s2, 0(s1)
    csrc mstatus, a0
    CHECK s2, 0x1111222233334444
    /* ---- U-mode ---- */
    PCASE 23                            /* U loads from a U page */
    li s1, VA(3)
    li s2, 0
    UOK 0
    CHECK s2, 0x1111222233334444
    PCASE 24                            /* U stores to a U page */
    li s1, VA(3) + 16
    li s3, 0x00c0ffee00c0ffee
    UOK 8
    la a0, page_a
    ld a1, 16(a0)
    CHECKR a1, s3
    PCASE 25                            /* U load from an S page: 13, with or without SUM (SUM is for S) */
    li s1, VA(0)
    UFAULT CAUSE_LOAD_PAGE, s1, 0
    li a0, MSTATUS_SUM
    csrs mstatus, a0
    UFAULT CAUSE_LOAD_PAGE, s1, 0
    li a0, MSTATUS_SUM
    csrc mstatus, a0
    PCASE 26                            /* U store to an S page: 15, memory unchanged */
    li s1, VA(0) + 24
    li s3, 0x5a5a
    UFAULT CAUSE_STORE_PAGE, s1, 8
    la a0, page_a
    ld a1, 24(a0)
    CHECK a1, 0
    PCASE 27                            /* U fetch from an S page (the identity-mapped code): 12, epc = tval */
    la s1, xpage
    UFAULT CAUSE_FETCH_PAGE, s1, 16
    LOAD_FRAME a0, trap_frame, TF_EPC
    CHECKR a0, s1
    PCASE 28                            /* U fetch from a U page without X: 12 */
    li s1, VA(3)
    UFAULT CAUSE_FETCH_PAGE, s1, 16
    LOAD_FRAME a0, trap_frame, TF_EPC
    CHECKR a0, s1
    PCASE 29                            /* M with MPRV and MPP = U: loads and stores as U */
    li a0, MSTATUS_MPP
    csrc mstatus, a0
    li a0, MSTATUS_MPRV
    csrs mstatus, a0
    li s1, VA(3)
    ld s2, 0(s1)
    li s3, 0x1234
    sd s3, 32(s1)
    csrc mstatus, a0
    CHECK s2, 0x1111222233334444
    la a0, page_a
    ld a1, 32(a0)
    CHECKR a1, s3
    PCASE 30                            /* ... so an S page faults (13, tval = the address) */
    ARM_TRAP 18f                        /* (before MPRV: the frame is in an S page) */
    li a0, MSTATUS_MPP
    csrc mstatus, a0
    li a0, MSTATUS_MPRV
    csrs mstatus, a0
    li s1, VA(0)
    ld s2, 0(s1)
    j fail
18: li a0, MSTATUS_MPRV                /* the trap set MPP = M, so the handler ran untranslated */
    csrc mstatus, a0
    CHECK_CAUSE CAUSE_LOAD_PAGE
    LOAD_FRAME a0, trap_frame, TF_TVAL
    CHECKR a0, s1
    PCASE 31                            /* sfence.vma with any address inside a megapage fences it */
    li s1, MEGA + 0x1008
    SOK ld s2, 0(s1)
    CHECK s2, 0x0badc0ffee0ddf00
    SETPTE l1_table, 1, 0x80000000, V|R|W|A|D
    li s4, MEGA + 0x100000              /* another 4 KiB page of the same megapage */
    ENTER_MODE 1, 19f
19: sfence.vma s4, zero
    ld s2, 0(s1)
    BACK_TO_M
    li a0, 0x80001008
    ld a1, 0(a0)
    CHECKR s2, a1
    SETPTE l1_table, 1, MEGA_PA, V|R|W|A|D
    sfence.vma
    mv ra, s10
    ret

/* executed through VA(2) (execute-only) and VA(8) (user code) */
    .balign 4096
xpage:
    li a0, 0x5a
    ret
    .balign 4096
/* executed in U-mode through VA(9); each routine ends in an ecall (or faults) */
ucode:
    ld s2, 0(s1)                        /* +0 */
    ecall
    sd s3, 0(s1)                        /* +8 */
    ecall
    jalr zero, 0(s1)                    /* +16 */
    ecall
    .balign 4096

    .bss
    .balign 4096
tables_start:
sv39_root: .zero 4096
sv48_root: .zero 4096
l1_table:  .zero 4096
l0_table:  .zero 4096
tables_end:
page_a:    .zero 4096
page_b:    .zero 4096

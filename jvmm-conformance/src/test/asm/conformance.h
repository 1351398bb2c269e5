/*
 * Shared definitions for jvmm's ISA conformance programs (GNU as, preprocessed by gcc).
 *
 * Conventions every program follows:
 *   gp (x3)       the current case number (set with CASE); reported on failure.
 *   t3..t6        scratch for these macros; tests must not keep values in them across a macro.
 *   test_main     the program's entry, called in M-mode by runtime.S with mtvec = trap_entry;
 *                 it ends with "j pass". Any check that fails jumps to "fail".
 * A trap is expected by arming a resume address (TRAP / ARM_TRAP): the M-mode handler records
 * cause, tval, epc and mstatus in trap_frame and resumes there in M-mode. An unarmed trap is a
 * failure of the current case. strap_frame / STRAP are the same for traps taken in S-mode.
 */
#ifndef JVMM_CONFORMANCE_H
#define JVMM_CONFORMANCE_H

#define FINISHER      0x100000
#define UART0         0x10000000
#define FAIL_MAGIC    0x0fa11ed

/* trap_frame / strap_frame layout */
#define TF_SAVE    0
#define TF_CAUSE   8
#define TF_TVAL    16
#define TF_EPC     24
#define TF_RESUME  32
#define TF_COUNT   40
#define TF_STATUS  48

#define MSTATUS_SIE   0x2
#define MSTATUS_MIE   0x8
#define MSTATUS_SPIE  0x20
#define MSTATUS_MPIE  0x80
#define MSTATUS_SPP   0x100
#define MSTATUS_MPP   0x1800
#define MSTATUS_FS    0x6000
#define MSTATUS_MPRV  0x20000
#define MSTATUS_SUM   0x40000
#define MSTATUS_MXR   0x80000

#define CAUSE_MISALIGNED_FETCH 0
#define CAUSE_FETCH_ACCESS     1
#define CAUSE_ILLEGAL          2
#define CAUSE_BREAKPOINT       3
#define CAUSE_MISALIGNED_LOAD  4
#define CAUSE_LOAD_ACCESS      5
#define CAUSE_MISALIGNED_STORE 6
#define CAUSE_STORE_ACCESS     7
#define CAUSE_ECALL_U          8
#define CAUSE_ECALL_S          9
#define CAUSE_ECALL_M          11
#define CAUSE_FETCH_PAGE       12
#define CAUSE_LOAD_PAGE        13
#define CAUSE_STORE_PAGE       15

#ifdef __ASSEMBLER__

.macro CASE n
    li gp, \n
.endm

/* reg == 64-bit immediate */
.macro CHECK reg, val
    li t6, \val
    beq \reg, t6, .Lok\@
    j fail
.Lok\@:
.endm

/* two registers equal */
.macro CHECKR ra, rb
    beq \ra, \rb, .Lok\@
    j fail
.Lok\@:
.endm

/* two registers differ */
.macro CHECK_NE ra, rb
    bne \ra, \rb, .Lok\@
    j fail
.Lok\@:
.endm

/* reg != 0 */
.macro CHECK_NZ reg
    bnez \reg, .Lok\@
    j fail
.Lok\@:
.endm

/* Arms the M-mode trap handler to resume at label (in M-mode). */
.macro ARM_TRAP label
    la t5, \label
    la t6, trap_frame
    sd t5, TF_RESUME(t6)
.endm

.macro DISARM_TRAP
    la t6, trap_frame
    sd zero, TF_RESUME(t6)
.endm

/* Checks a field of the frame (frame = trap_frame or strap_frame) against an immediate. */
.macro CHECK_FRAME frame, field, val
    la t6, \frame
    ld t5, \field(t6)
    li t4, \val
    beq t5, t4, .Lok\@
    j fail
.Lok\@:
.endm

/* Checks a field of the frame against the address of a label. */
.macro CHECK_FRAME_ADDR frame, field, label
    la t6, \frame
    ld t5, \field(t6)
    la t4, \label
    beq t5, t4, .Lok\@
    j fail
.Lok\@:
.endm

/* Copies a field of the frame into reg. */
.macro LOAD_FRAME reg, frame, field
    la t6, \frame
    ld \reg, \field(t6)
.endm

.macro CHECK_CAUSE val
    CHECK_FRAME trap_frame, TF_CAUSE, \val
.endm
.macro CHECK_TVAL val
    CHECK_FRAME trap_frame, TF_TVAL, \val
.endm

/* Executes one instruction that must trap to M-mode with the given cause and epc = its address. */
.macro TRAP cause, insn:vararg
    la t5, .Lres\@
    la t6, trap_frame
    sd t5, TF_RESUME(t6)
.Linsn\@:
    \insn
    j fail
.Lres\@:
    CHECK_FRAME trap_frame, TF_CAUSE, \cause
    CHECK_FRAME_ADDR trap_frame, TF_EPC, .Linsn\@
.endm

/* One instruction that must trap to M-mode with epc = its address; the caller checks the cause. */
.macro TRAP_ANY insn:vararg
    la t5, .Lres\@
    la t6, trap_frame
    sd t5, TF_RESUME(t6)
.Linsn\@:
    \insn
    j fail
.Lres\@:
    CHECK_FRAME_ADDR trap_frame, TF_EPC, .Linsn\@
.endm

/* The same for a trap taken in S-mode (delegated); resumes in S-mode. */
.macro STRAP cause, insn:vararg
    la t5, .Lres\@
    la t6, strap_frame
    sd t5, TF_RESUME(t6)
.Linsn\@:
    \insn
    j fail
.Lres\@:
    CHECK_FRAME strap_frame, TF_CAUSE, \cause
    CHECK_FRAME_ADDR strap_frame, TF_EPC, .Linsn\@
.endm

/* An illegal 32-bit / 16-bit encoding: cause 2, mtval = the instruction bits. */
.macro ILLEGAL32 bits
    TRAP CAUSE_ILLEGAL, .word \bits
    CHECK_TVAL \bits
.endm
.macro ILLEGAL16 bits
    TRAP CAUSE_ILLEGAL, .hword \bits
    CHECK_TVAL \bits
.endm
/* An instruction written as mnemonic that must be illegal; tval = its encoding given as bits. */
.macro ILLEGAL_INSN bits, insn:vararg
    TRAP CAUSE_ILLEGAL, \insn
    CHECK_TVAL \bits
.endm

/* A 32-bit instruction that must be illegal: cause 2, epc = it, tval = its own encoding. */
.macro ILLEGAL insn:vararg
    la t5, .Lres\@
    la t6, trap_frame
    sd t5, TF_RESUME(t6)
.Linsn\@:
    \insn
    j fail
.Lres\@:
    CHECK_FRAME trap_frame, TF_CAUSE, CAUSE_ILLEGAL
    CHECK_FRAME_ADDR trap_frame, TF_EPC, .Linsn\@
    la t4, .Linsn\@
    lwu t4, 0(t4)
    LOAD_FRAME t5, trap_frame, TF_TVAL
    beq t4, t5, .Lok\@
    j fail
.Lok\@:
.endm

/* Leaves M-mode for privilege mode (0 = U, 1 = S) at label, via mret. */
.macro ENTER_MODE mode, label
    li t5, MSTATUS_MPP
    csrc mstatus, t5
    li t5, (\mode) << 11
    csrs mstatus, t5
    la t5, \label
    csrw mepc, t5
    mret
.endm

/* From any mode: ecall into the M handler and continue, in M-mode, after it. */
.macro BACK_TO_M
    la t5, .Lres\@
    la t6, trap_frame
    sd t5, TF_RESUME(t6)
    ecall
    j fail
.Lres\@:
.endm

#endif /* __ASSEMBLER__ */
#endif

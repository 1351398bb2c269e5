/* Addresses and frame layout shared by runtime.S and the generated differential programs. */
#ifndef JVMM_DIFF_H
#define JVMM_DIFF_H

#define FINISHER    0x100000
#define UART0       0x10000000
#define DATA_BASE   0x80400000      /* the 64 KiB region random loads and stores touch */
#define DATA_SIZE   0x10000
#define FRAME_BASE  0x80410000      /* tp points here for the whole run; never hashed */
#define TRACE_BASE  0x80420000      /* per unit, 16 bytes: the destination register, the fflags it raised */
#define TRACE_MAX   0xc000          /* units per program (the trace ends below 0x80600000) */

/* frame layout (offsets from tp) */
#define FR_X        0               /* x0..x31, 8 bytes each */
#define FR_F        256             /* f0..f31, raw 64-bit */
#define FR_FCSR     512
#define FR_MSCRATCH 520
#define FR_TRAPS    528             /* number of traps taken */
#define FR_SAVE0    536             /* trap handler's own save slots */
#define FR_SAVE1    544
#define FR_LOG      1024            /* trap log: entries of cause, tval, epc */
#define LOG_ENTRY   24
#define LOG_MAX     64
#define FRAME_SIZE  2560            /* FR_LOG + LOG_MAX * LOG_ENTRY: what a dump record copies */

/* The binary dump record diff_dump writes for each sub-program at the address it is given
 * (DiffHarness reads them: QEMU writes them to a host file by semihosting, jvmm's are read from
 * its RAM as the begin_signature..end_signature signature). 64-bit little-endian words. */
#define DUMP_BASE   0x80800000      /* the batch's records start here (above the trace) */
#define REC_BEGIN   0               /* BEGIN_MAGIC + index: written first */
#define REC_UNITS   8
#define REC_FRAME   16              /* a copy of the frame: x0..x31, f0..f31, fcsr, mscratch, traps, .., log */
#define REC_MEM     (REC_FRAME + FRAME_SIZE)   /* 16 hashes, one per 4 KiB of the data region */
#define REC_END     (REC_MEM + 128) /* END_MAGIC + index: written last */
#define REC_TRACE   (REC_END + 8)   /* the trace: units * 16 bytes */
#define BEGIN_MAGIC 0x4447454200000000
#define END_MAGIC   0x44454e4400000000

#endif

package dev.jvmm.cpu.riscv;

import dev.jvmm.memory.state.StateException;
import dev.jvmm.memory.state.StateReader;
import dev.jvmm.memory.state.StateWriter;

/**
 * A hart's architectural state as one value: captured from the live parts, written to and read
 * from a state record (version 1), validated, and applied back. Reading checks every field
 * before anything is applied, so a bad record leaves the hart untouched.
 *
 * <p>In the record: hart id and misa (checked, not applied: a record from another hart or ISA is
 * refused), pc, x1..x31, f0..f31, frm, fflags, privilege, the M- and S-level trap, status and
 * translation CSRs, the counter enables and inhibit, the retired-instruction count with the
 * mcycle/minstret offsets, mip as its software-written bits and its interrupt lines, the PMP
 * entries, and whether the hart waits in WFI. Not in it: TLBs and translations (rebuilt), the
 * LR reservation (dropped), time (the machine's clock), menvcfg/senvcfg and the hpm counters
 * (hard-wired to zero here).
 */
final class HartState {

    static final int VERSION = 1;

    int hartId;
    long misa;
    long pc;
    /** x0..x31; x0 is always 0 and not in the record. */
    final long[] x = new long[32];
    final long[] f = new long[32];
    int frm;
    int fflags;
    int privilege;
    long mstatus;
    long medeleg;
    long mideleg;
    long mie;
    long mtvec;
    long mscratch;
    long mepc;
    long mcause;
    long mtval;
    long mcounteren;
    long mcountinhibit;
    long stvec;
    long sscratch;
    long sepc;
    long scause;
    long stval;
    long satp;
    long scounteren;
    long softwarePending;
    long externalPending;
    long instret;
    long cycleOffset;
    long instretOffset;
    byte[] pmpCfg = new byte[Pmp.ENTRIES];
    long[] pmpAddr = new long[Pmp.ENTRIES];
    boolean waiting;

    /** The state of the given parts of one hart now. */
    static HartState capture(int hartId, Interpreter interp, FloatUnit fp, Csrs c, Fpu fpu, Pmp pmp) {
        HartState s = new HartState();
        s.hartId = hartId;
        s.misa = Csrs.MISA;
        s.pc = interp.pc;
        System.arraycopy(interp.x, 0, s.x, 0, 32);
        s.x[0] = 0;
        System.arraycopy(fp.f, 0, s.f, 0, 32);
        s.frm = c.frm;
        s.fflags = fpu.flags & 0x1f;
        s.privilege = c.priv;
        s.mstatus = c.mstatus;
        s.medeleg = c.medeleg;
        s.mideleg = c.mideleg;
        s.mie = c.mie;
        s.mtvec = c.mtvec;
        s.mscratch = c.mscratch;
        s.mepc = c.mepc;
        s.mcause = c.mcause;
        s.mtval = c.mtval;
        s.mcounteren = c.mcounteren;
        s.mcountinhibit = c.mcountinhibit;
        s.stvec = c.stvec;
        s.sscratch = c.sscratch;
        s.sepc = c.sepc;
        s.scause = c.scause;
        s.stval = c.stval;
        s.satp = c.satp;
        s.scounteren = c.scounteren;
        s.softwarePending = c.softwarePending.get() & Csrs.ALL_INTERRUPTS;
        s.externalPending = c.externalPending.get() & Csrs.ALL_INTERRUPTS;
        s.instret = c.instret;
        s.cycleOffset = c.cycleOffset;
        s.instretOffset = c.instretOffset;
        s.pmpCfg = pmp.cfgBytes();
        s.pmpAddr = pmp.addrs();
        s.waiting = interp.waiting;
        return s;
    }

    void write(StateWriter out) {
        out.putInt(hartId);
        out.putLong(misa);
        out.putLong(pc);
        for (int r = 1; r < 32; r++) {
            out.putLong(x[r]);
        }
        out.putLongs(f);
        out.putByte(frm);
        out.putByte(fflags);
        out.putByte(privilege);
        out.putLong(mstatus);
        out.putLong(medeleg);
        out.putLong(mideleg);
        out.putLong(mie);
        out.putLong(mtvec);
        out.putLong(mscratch);
        out.putLong(mepc);
        out.putLong(mcause);
        out.putLong(mtval);
        out.putLong(mcounteren);
        out.putLong(mcountinhibit);
        out.putLong(stvec);
        out.putLong(sscratch);
        out.putLong(sepc);
        out.putLong(scause);
        out.putLong(stval);
        out.putLong(satp);
        out.putLong(scounteren);
        out.putLong(softwarePending);
        out.putLong(externalPending);
        out.putLong(instret);
        out.putLong(cycleOffset);
        out.putLong(instretOffset);
        out.putBytes(pmpCfg);
        out.putLongs(pmpAddr);
        out.putBoolean(waiting);
    }

    /**
     * Reads and checks a record of {@code version} for hart {@code expectedHartId}; every value
     * must be one this hart could hold, and the whole record must be consumed.
     */
    static HartState read(StateReader in, int version, int expectedHartId) throws StateException {
        if (version != VERSION) {
            throw in.bad("version", "%d is not understood (this hart reads version %d)".formatted(version, VERSION));
        }
        HartState s = new HartState();
        s.hartId = in.getInt("hart id");
        if (s.hartId != expectedHartId) {
            throw in.bad("hart id", "%d does not match this hart (%d)".formatted(s.hartId, expectedHartId));
        }
        s.misa = in.getLong("misa");
        if (s.misa != Csrs.MISA) {
            throw in.bad("misa", "0x%x differs from this hart's 0x%x".formatted(s.misa, Csrs.MISA));
        }
        s.pc = in.getLong("pc");
        for (int r = 1; r < 32; r++) {
            s.x[r] = in.getLong("x" + r);
        }
        long[] f = in.getLongs("f registers", 32);
        System.arraycopy(f, 0, s.f, 0, 32);
        s.frm = in.getByte("frm");
        if (s.frm > 7) {
            throw in.bad("frm", "%d is not a 3-bit rounding mode".formatted(s.frm));
        }
        s.fflags = in.getByte("fflags");
        if (s.fflags > 0x1f) {
            throw in.bad("fflags", "0x%x has bits above the five flags".formatted(s.fflags));
        }
        s.privilege = in.getByte("privilege");
        if (s.privilege != Csrs.PRIV_U && s.privilege != Csrs.PRIV_S && s.privilege != Csrs.PRIV_M) {
            throw in.bad("privilege", "%d is not U (0), S (1) or M (3)".formatted(s.privilege));
        }
        s.mstatus = in.getLong("mstatus");
        checkMstatus(in, s.mstatus);
        s.medeleg = within(in, "medeleg", in.getLong("medeleg"), Csrs.MEDELEG_MASK);
        s.mideleg = within(in, "mideleg", in.getLong("mideleg"), Csrs.MIDELEG_MASK);
        s.mie = within(in, "mie", in.getLong("mie"), Csrs.ALL_INTERRUPTS);
        s.mtvec = tvec(in, "mtvec", in.getLong("mtvec"));
        s.mscratch = in.getLong("mscratch");
        s.mepc = epc(in, "mepc", in.getLong("mepc"));
        s.mcause = in.getLong("mcause");
        s.mtval = in.getLong("mtval");
        s.mcounteren = within(in, "mcounteren", in.getLong("mcounteren"), 0xffffffffL);
        s.mcountinhibit = within(in, "mcountinhibit", in.getLong("mcountinhibit"), 0xfffffffdL);
        s.stvec = tvec(in, "stvec", in.getLong("stvec"));
        s.sscratch = in.getLong("sscratch");
        s.sepc = epc(in, "sepc", in.getLong("sepc"));
        s.scause = in.getLong("scause");
        s.stval = in.getLong("stval");
        s.satp = in.getLong("satp");
        checkSatp(in, s.satp);
        s.scounteren = within(in, "scounteren", in.getLong("scounteren"), 0xffffffffL);
        s.softwarePending = within(in, "mip software bits", in.getLong("mip software bits"), Csrs.ALL_INTERRUPTS);
        s.externalPending = within(in, "mip lines", in.getLong("mip lines"), Csrs.ALL_INTERRUPTS);
        s.instret = in.getLong("instret");
        s.cycleOffset = in.getLong("mcycle offset");
        s.instretOffset = in.getLong("minstret offset");
        s.pmpCfg = in.getBytes("pmpcfg", Pmp.ENTRIES);
        if (s.pmpCfg.length != Pmp.ENTRIES) {
            throw in.bad("pmpcfg", "has %d entries, expected %d".formatted(s.pmpCfg.length, Pmp.ENTRIES));
        }
        for (int i = 0; i < Pmp.ENTRIES; i++) {
            if (!Pmp.isLegalCfg(s.pmpCfg[i] & 0xff)) {
                throw in.bad("pmpcfg", "entry %d holds the illegal value 0x%x".formatted(i, s.pmpCfg[i] & 0xff));
            }
        }
        s.pmpAddr = in.getLongs("pmpaddr", Pmp.ENTRIES);
        for (int i = 0; i < Pmp.ENTRIES; i++) {
            if ((s.pmpAddr[i] & ~Pmp.ADDR_MASK) != 0) {
                throw in.bad("pmpaddr", "entry %d (0x%x) has bits above bit 53".formatted(i, s.pmpAddr[i]));
            }
        }
        s.waiting = in.getBoolean("wfi");
        in.expectEnd();
        return s;
    }

    /** Writes this state into the parts (which must then drop every cache derived from the old state). */
    void applyTo(Interpreter interp, FloatUnit fp, Csrs c, Fpu fpu, Pmp pmp) {
        interp.pc = pc;
        System.arraycopy(x, 0, interp.x, 0, 32);
        interp.x[0] = 0;
        System.arraycopy(f, 0, fp.f, 0, 32);
        c.frm = frm;
        fpu.flags = fflags;
        c.priv = privilege;
        c.mstatus = mstatus;
        c.medeleg = medeleg;
        c.mideleg = mideleg;
        c.mie = mie;
        c.mtvec = mtvec;
        c.mscratch = mscratch;
        c.mepc = mepc;
        c.mcause = mcause;
        c.mtval = mtval;
        c.mcounteren = mcounteren;
        c.mcountinhibit = mcountinhibit;
        c.stvec = stvec;
        c.sscratch = sscratch;
        c.sepc = sepc;
        c.scause = scause;
        c.stval = stval;
        c.satp = satp;
        c.scounteren = scounteren;
        c.softwarePending.set(softwarePending);
        c.externalPending.set(externalPending);
        c.instret = instret;
        c.cycleOffset = cycleOffset;
        c.instretOffset = instretOffset;
        pmp.restore(pmpCfg, pmpAddr);
        interp.waiting = waiting;
    }

    private static void checkMstatus(StateReader in, long v) throws StateException {
        long xl = Csrs.MSTATUS_UXL | Csrs.MSTATUS_SXL;
        if ((v & ~(Csrs.MSTATUS_WRITE_MASK | xl)) != 0) {
            throw in.bad("mstatus", "0x%x sets bits this hart does not implement".formatted(v));
        }
        if ((v & xl) != Csrs.MSTATUS_XL_64) {
            throw in.bad("mstatus", "0x%x does not have 64-bit UXL/SXL".formatted(v));
        }
        if (((v & Csrs.MSTATUS_MPP) >>> Csrs.MSTATUS_MPP_SHIFT) == 2) {
            throw in.bad("mstatus", "0x%x has the reserved MPP value 2".formatted(v));
        }
    }

    private static void checkSatp(StateReader in, long v) throws StateException {
        long mode = v >>> Csrs.SATP_MODE_SHIFT;
        boolean ok = mode == Csrs.SATP_MODE_BARE ? v == 0
                : (mode == Csrs.SATP_MODE_SV39 || mode == Csrs.SATP_MODE_SV48);
        if (!ok) {
            throw in.bad("satp", "0x%x is not a value this hart's satp can hold".formatted(v));
        }
    }

    private static long within(StateReader in, String field, long v, long mask) throws StateException {
        if ((v & ~mask) != 0) {
            throw in.bad(field, "0x%x sets bits outside 0x%x".formatted(v, mask));
        }
        return v;
    }

    private static long tvec(StateReader in, String field, long v) throws StateException {
        if ((v & 3) >= 2) {
            throw in.bad(field, "0x%x has a reserved mode".formatted(v));
        }
        return v;
    }

    private static long epc(StateReader in, String field, long v) throws StateException {
        if ((v & 1) != 0) {
            throw in.bad(field, "0x%x is odd".formatted(v));
        }
        return v;
    }
}

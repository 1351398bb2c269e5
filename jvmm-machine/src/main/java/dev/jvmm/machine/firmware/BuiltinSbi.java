package dev.jvmm.machine.firmware;

import dev.jvmm.cpu.riscv.Hart;
import dev.jvmm.cpu.riscv.SupervisorCallHandler;
import dev.jvmm.machine.ExitReason;
import dev.jvmm.memory.GuestMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The Supervisor Binary Interface (RISC-V SBI v2.0) answered in Java, so a kernel boots
 * without M-mode firmware. Extensions: Base, TIME, IPI, RFENCE, HSM, SRST, DBCN and the
 * legacy 0x00-0x08 calls; anything else (PMU, SUSP, CPPC, NACL, STA, ...) answers
 * {@link Sbi#ERR_NOT_SUPPORTED}.
 *
 * <p>Every argument is guest-controlled: hart ids and masks are range-checked, memory
 * buffers must lie wholly in RAM, and nothing here throws back into the hart.
 *
 * <h3>Deviations</h3>
 * <ul>
 *   <li>Legacy send_ipi/remote fences take a <em>virtual</em> pointer to the hart mask; it
 *       is read as a physical address (right while paging is off, which is when a kernel
 *       that still uses the legacy calls issues them). Legacy clear_ipi does nothing:
 *       IPIs land in {@code sip.SSIP}, which the kernel clears itself.</li>
 *   <li>Remote fences flush the target's whole TLB whatever range or ASID is given.</li>
 *   <li>A suspended hart resumes at its first wake-up (like WFI, which may wake spuriously).</li>
 * </ul>
 */
public final class BuiltinSbi implements SupervisorCallHandler {

    /** Bytes the debug console moves per call at most; the spec allows partial transfers. */
    static final int DBCN_MAX_TRANSFER = 64 * 1024;

    private static final long ALL_HARTS = -1L;

    private final SbiPlatform platform;
    private final HartLifecycle harts;

    public BuiltinSbi(SbiPlatform platform, HartLifecycle harts) {
        this.platform = platform;
        this.harts = harts;
    }

    /** Reads a0..a7 from the hart, performs the call, writes a0 (and a1 for v0.2+ calls). */
    @Override
    public void onSupervisorCall(Hart hart) {
        long[] a = new long[8];
        for (int i = 0; i < 8; i++) {
            a[i] = hart.register(10 + i);
        }
        long eid = a[7];
        if (isLegacy(eid)) {
            hart.setRegister(10, legacyCall(hart.id(), eid, a[0], a[1], a[2], a[3]));
            return;
        }
        SbiRet r = call(hart.id(), eid, a[6], a[0], a[1], a[2], a[3], a[4], a[5]);
        hart.setRegister(10, r.error());
        hart.setRegister(11, r.value());
    }

    private static boolean isLegacy(long eid) {
        return eid >= Sbi.LEGACY_SET_TIMER && eid <= Sbi.LEGACY_SHUTDOWN;
    }

    /** An SBI v0.2+ call from hart {@code hart}: extension {@code eid}, function {@code fid}, arguments a0..a5. */
    public SbiRet call(int hart, long eid, long fid, long a0, long a1, long a2, long a3, long a4, long a5) {
        if (fid < 0 || fid > Integer.MAX_VALUE) {
            return SbiRet.error(Sbi.ERR_NOT_SUPPORTED);
        }
        int f = (int) fid;
        if (eid == Sbi.EXT_BASE) {
            return base(f, a0);
        } else if (eid == Sbi.EXT_TIME) {
            if (f != 0) {
                return SbiRet.error(Sbi.ERR_NOT_SUPPORTED);
            }
            platform.setTimer(hart, a0);
            return SbiRet.success(0);
        } else if (eid == Sbi.EXT_IPI) {
            if (f != 0) {
                return SbiRet.error(Sbi.ERR_NOT_SUPPORTED);
            }
            return forTargets(a0, a1, platform::sendSupervisorSoftwareInterrupt);
        } else if (eid == Sbi.EXT_RFENCE) {
            // 0 fence.i, 1 sfence.vma, 2 sfence.vma.asid; 3..6 are hypervisor fences (no H extension).
            if (f > 2) {
                return SbiRet.error(Sbi.ERR_NOT_SUPPORTED);
            }
            return forTargets(a0, a1, platform::remoteFence);
        } else if (eid == Sbi.EXT_HSM) {
            return hsm(hart, f, a0, a1, a2);
        } else if (eid == Sbi.EXT_SRST) {
            return f == 0 ? systemReset(hart, a0, a1) : SbiRet.error(Sbi.ERR_NOT_SUPPORTED);
        } else if (eid == Sbi.EXT_DBCN) {
            return debugConsole(f, a0, a1, a2);
        }
        return SbiRet.error(Sbi.ERR_NOT_SUPPORTED);
    }

    /** A legacy (v0.1) call; its only result is a0. */
    public long legacyCall(int hart, long eid, long a0, long a1, long a2, long a3) {
        if (eid == Sbi.LEGACY_SET_TIMER) {
            platform.setTimer(hart, a0);
            return 0;
        } else if (eid == Sbi.LEGACY_CONSOLE_PUTCHAR) {
            platform.consoleWrite(new byte[] {(byte) a0}, 0, 1);
            return 0;
        } else if (eid == Sbi.LEGACY_CONSOLE_GETCHAR) {
            int c = platform.consoleRead();
            return c < 0 ? -1 : c & 0xff;
        } else if (eid == Sbi.LEGACY_CLEAR_IPI) {
            return 0;
        } else if (eid == Sbi.LEGACY_SEND_IPI) {
            return legacyForTargets(a0, platform::sendSupervisorSoftwareInterrupt);
        } else if (eid == Sbi.LEGACY_REMOTE_FENCE_I || eid == Sbi.LEGACY_REMOTE_SFENCE_VMA
                || eid == Sbi.LEGACY_REMOTE_SFENCE_VMA_ASID) {
            return legacyForTargets(a0, platform::remoteFence);
        } else if (eid == Sbi.LEGACY_SHUTDOWN) {
            platform.systemReset(new ExitReason.PowerOff());
            platform.leaveRun(hart);
            return 0;
        }
        return Sbi.ERR_NOT_SUPPORTED;
    }

    private SbiRet base(int f, long a0) {
        return switch (f) {
            case Sbi.BASE_GET_SPEC_VERSION -> SbiRet.success(Sbi.SPEC_VERSION);
            case Sbi.BASE_GET_IMPL_ID -> SbiRet.success(Sbi.IMPL_ID);
            case Sbi.BASE_GET_IMPL_VERSION -> SbiRet.success(Sbi.IMPL_VERSION);
            case Sbi.BASE_PROBE_EXTENSION -> SbiRet.success(isSupported(a0) ? 1 : 0);
            case Sbi.BASE_GET_MVENDORID, Sbi.BASE_GET_MARCHID, Sbi.BASE_GET_MIMPID -> SbiRet.success(0);
            default -> SbiRet.error(Sbi.ERR_NOT_SUPPORTED);
        };
    }

    /** Whether {@code eid} is an extension this SBI implements (probe_extension). */
    public static boolean isSupported(long eid) {
        return isLegacy(eid) || eid == Sbi.EXT_BASE || eid == Sbi.EXT_TIME || eid == Sbi.EXT_IPI
                || eid == Sbi.EXT_RFENCE || eid == Sbi.EXT_HSM || eid == Sbi.EXT_SRST || eid == Sbi.EXT_DBCN;
    }

    private interface HartAction {
        void apply(int hart);
    }

    /**
     * The harts named by {@code mask} relative to {@code maskBase} (all harts when the base is
     * -1), or null if any named hart does not exist.
     */
    List<Integer> targets(long mask, long maskBase) {
        int n = harts.harts();
        List<Integer> out = new ArrayList<>();
        if (maskBase == ALL_HARTS) {
            for (int h = 0; h < n; h++) {
                out.add(h);
            }
            return out;
        }
        for (int bit = 0; bit < 64; bit++) {
            if ((mask & (1L << bit)) == 0) {
                continue;
            }
            long id = maskBase + bit;
            if (Long.compareUnsigned(maskBase, n) >= 0 || Long.compareUnsigned(id, n) >= 0) {
                return null;
            }
            out.add((int) id);
        }
        return out;
    }

    private SbiRet forTargets(long mask, long maskBase, HartAction action) {
        List<Integer> targets = targets(mask, maskBase);
        if (targets == null) {
            return SbiRet.error(Sbi.ERR_INVALID_PARAM);
        }
        targets.forEach(action::apply);
        return SbiRet.success(0);
    }

    private long legacyForTargets(long maskAddress, HartAction action) {
        int n = harts.harts();
        if (maskAddress == 0) {
            for (int h = 0; h < n; h++) {
                action.apply(h);
            }
            return 0;
        }
        GuestMemory ram = platform.memory();
        int words = (n + 63) / 64;
        if (!ram.contains(maskAddress, words * 8L)) {
            return Sbi.ERR_INVALID_ADDRESS;
        }
        for (int w = 0; w < words; w++) {
            long mask = ram.readLong(maskAddress + 8L * w);
            for (int bit = 0; bit < 64; bit++) {
                int h = w * 64 + bit;
                if ((mask & (1L << bit)) != 0 && h < n) {
                    action.apply(h);
                }
            }
        }
        return 0;
    }

    private SbiRet hsm(int caller, int f, long a0, long a1, long a2) {
        int n = harts.harts();
        switch (f) {
            case Sbi.HSM_HART_START -> {
                if (Long.compareUnsigned(a0, n) >= 0) {
                    return SbiRet.error(Sbi.ERR_INVALID_PARAM);
                }
                if (!platform.memory().contains(a1, 4)) {
                    return SbiRet.error(Sbi.ERR_INVALID_ADDRESS);
                }
                return harts.requestStart((int) a0, new HartLifecycle.Entry(a1, a2))
                        ? SbiRet.success(0) : SbiRet.error(Sbi.ERR_ALREADY_AVAILABLE);
            }
            case Sbi.HSM_HART_STOP -> {
                if (!harts.stop(caller)) {
                    return SbiRet.error(Sbi.ERR_FAILED);
                }
                platform.leaveRun(caller);
                return SbiRet.success(0);
            }
            case Sbi.HSM_HART_GET_STATUS -> {
                if (Long.compareUnsigned(a0, n) >= 0) {
                    return SbiRet.error(Sbi.ERR_INVALID_PARAM);
                }
                return SbiRet.success(harts.state((int) a0).code());
            }
            case Sbi.HSM_HART_SUSPEND -> {
                return suspend(caller, (int) a0, a1, a2);
            }
            default -> {
                return SbiRet.error(Sbi.ERR_NOT_SUPPORTED);
            }
        }
    }

    private SbiRet suspend(int caller, int type, long resumeAddress, long opaque) {
        Optional<HartLifecycle.Entry> resume;
        if (type == Sbi.SUSPEND_RETENTIVE) {
            resume = Optional.empty();
        } else if (type == Sbi.SUSPEND_NON_RETENTIVE) {
            if (!platform.memory().contains(resumeAddress, 4)) {
                return SbiRet.error(Sbi.ERR_INVALID_ADDRESS);
            }
            resume = Optional.of(new HartLifecycle.Entry(resumeAddress, opaque));
        } else {
            // 0x00000001-0x0fffffff and 0x80000001-0x8fffffff are reserved; the rest is platform-specific.
            int low28 = type & 0x7fff_ffff;
            return SbiRet.error(low28 < 0x1000_0000 ? Sbi.ERR_INVALID_PARAM : Sbi.ERR_NOT_SUPPORTED);
        }
        if (!harts.suspend(caller, resume)) {
            return SbiRet.error(Sbi.ERR_FAILED);
        }
        platform.leaveRun(caller);
        return SbiRet.success(0);
    }

    private SbiRet systemReset(int caller, long typeArg, long reasonArg) {
        int type = (int) typeArg;
        int reason = (int) reasonArg;
        if (type != Sbi.SRST_SHUTDOWN && type != Sbi.SRST_COLD_REBOOT && type != Sbi.SRST_WARM_REBOOT) {
            return SbiRet.error(Sbi.ERR_INVALID_PARAM);
        }
        if (reason != Sbi.SRST_REASON_NONE && reason != Sbi.SRST_REASON_SYSTEM_FAILURE) {
            return SbiRet.error(Sbi.ERR_INVALID_PARAM);
        }
        ExitReason exit;
        if (reason == Sbi.SRST_REASON_SYSTEM_FAILURE) {
            exit = new ExitReason.GuestFailure(Sbi.SRST_REASON_SYSTEM_FAILURE);
        } else if (type == Sbi.SRST_SHUTDOWN) {
            exit = new ExitReason.PowerOff();
        } else {
            exit = new ExitReason.Reboot();
        }
        platform.systemReset(exit);
        platform.leaveRun(caller);
        return SbiRet.success(0);
    }

    private SbiRet debugConsole(int f, long numBytes, long addressLow, long addressHigh) {
        switch (f) {
            case Sbi.DBCN_WRITE, Sbi.DBCN_READ -> {
                GuestMemory ram = platform.memory();
                // RV64: the upper XLEN bits of the physical address must be zero.
                if (addressHigh != 0 || !ram.contains(addressLow, numBytes)) {
                    return SbiRet.error(Sbi.ERR_INVALID_PARAM);
                }
                int length = (int) Math.min(numBytes, DBCN_MAX_TRANSFER);
                return f == Sbi.DBCN_WRITE ? consoleWrite(ram, addressLow, length) : consoleRead(ram, addressLow, length);
            }
            case Sbi.DBCN_WRITE_BYTE -> {
                platform.consoleWrite(new byte[] {(byte) numBytes}, 0, 1);
                return SbiRet.success(0);
            }
            default -> {
                return SbiRet.error(Sbi.ERR_NOT_SUPPORTED);
            }
        }
    }

    private SbiRet consoleWrite(GuestMemory ram, long address, int length) {
        byte[] data = new byte[length];
        ram.read(address, data, 0, length);
        platform.consoleWrite(data, 0, length);
        return SbiRet.success(length);
    }

    private SbiRet consoleRead(GuestMemory ram, long address, int length) {
        int count = 0;
        while (count < length) {
            int c = platform.consoleRead();
            if (c < 0) {
                break;
            }
            ram.writeByte(address + count, (byte) c);
            count++;
        }
        return SbiRet.success(count);
    }
}

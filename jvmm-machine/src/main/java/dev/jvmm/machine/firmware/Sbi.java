package dev.jvmm.machine.firmware;

/** Numbers from the RISC-V Supervisor Binary Interface specification v2.0. */
public final class Sbi {

    public static final long SUCCESS = 0;
    public static final long ERR_FAILED = -1;
    public static final long ERR_NOT_SUPPORTED = -2;
    public static final long ERR_INVALID_PARAM = -3;
    public static final long ERR_DENIED = -4;
    public static final long ERR_INVALID_ADDRESS = -5;
    public static final long ERR_ALREADY_AVAILABLE = -6;
    public static final long ERR_ALREADY_STARTED = -7;
    public static final long ERR_ALREADY_STOPPED = -8;

    /** Legacy (v0.1) extensions, one function each. */
    public static final long LEGACY_SET_TIMER = 0x00;
    public static final long LEGACY_CONSOLE_PUTCHAR = 0x01;
    public static final long LEGACY_CONSOLE_GETCHAR = 0x02;
    public static final long LEGACY_CLEAR_IPI = 0x03;
    public static final long LEGACY_SEND_IPI = 0x04;
    public static final long LEGACY_REMOTE_FENCE_I = 0x05;
    public static final long LEGACY_REMOTE_SFENCE_VMA = 0x06;
    public static final long LEGACY_REMOTE_SFENCE_VMA_ASID = 0x07;
    public static final long LEGACY_SHUTDOWN = 0x08;

    public static final long EXT_BASE = 0x10;
    public static final long EXT_TIME = 0x54494D45L;
    public static final long EXT_IPI = 0x735049L;
    public static final long EXT_RFENCE = 0x52464E43L;
    public static final long EXT_HSM = 0x48534DL;
    public static final long EXT_SRST = 0x53525354L;
    public static final long EXT_PMU = 0x504D55L;
    public static final long EXT_DBCN = 0x4442434EL;

    public static final int BASE_GET_SPEC_VERSION = 0;
    public static final int BASE_GET_IMPL_ID = 1;
    public static final int BASE_GET_IMPL_VERSION = 2;
    public static final int BASE_PROBE_EXTENSION = 3;
    public static final int BASE_GET_MVENDORID = 4;
    public static final int BASE_GET_MARCHID = 5;
    public static final int BASE_GET_MIMPID = 6;

    public static final int HSM_HART_START = 0;
    public static final int HSM_HART_STOP = 1;
    public static final int HSM_HART_GET_STATUS = 2;
    public static final int HSM_HART_SUSPEND = 3;

    public static final int SRST_SHUTDOWN = 0;
    public static final int SRST_COLD_REBOOT = 1;
    public static final int SRST_WARM_REBOOT = 2;
    public static final int SRST_REASON_NONE = 0;
    public static final int SRST_REASON_SYSTEM_FAILURE = 1;

    public static final int DBCN_WRITE = 0;
    public static final int DBCN_READ = 1;
    public static final int DBCN_WRITE_BYTE = 2;

    public static final int SUSPEND_RETENTIVE = 0x0000_0000;
    public static final int SUSPEND_NON_RETENTIVE = 0x8000_0000;

    /** Spec version 2.0: major in bits 30:24, minor in 23:0. */
    public static final long SPEC_VERSION = 2L << 24;
    /** jvmm's implementation id ("JVMM"); not in the spec's registry, which has no entry for us. */
    public static final long IMPL_ID = 0x4A564D4DL;
    public static final long IMPL_VERSION = 1;

    private Sbi() {
    }
}

package dev.jvmm.machine.firmware;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.machine.ExitReason;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BuiltinSbiTest {

    private static final long RAM = 0x8000_0000L;

    private final FakePlatform platform = new FakePlatform();
    private final HartLifecycle harts = new HartLifecycle(4, false);
    private final BuiltinSbi sbi = new BuiltinSbi(platform, harts);

    @AfterEach
    void freeRam() {
        platform.ram.close();
    }

    private SbiRet call(long eid, long fid, long... args) {
        long[] a = new long[6];
        System.arraycopy(args, 0, a, 0, args.length);
        return sbi.call(0, eid, fid, a[0], a[1], a[2], a[3], a[4], a[5]);
    }

    @Test
    void baseReportsSpecVersion2AndImplementation() {
        assertThat(call(Sbi.EXT_BASE, 0)).isEqualTo(new SbiRet(0, 0x0200_0000L));
        assertThat(call(Sbi.EXT_BASE, 1)).isEqualTo(new SbiRet(0, Sbi.IMPL_ID));
        assertThat(call(Sbi.EXT_BASE, 4)).isEqualTo(new SbiRet(0, 0));
        assertThat(call(Sbi.EXT_BASE, 5)).isEqualTo(new SbiRet(0, 0));
        assertThat(call(Sbi.EXT_BASE, 6)).isEqualTo(new SbiRet(0, 0));
    }

    @Test
    void probeFindsImplementedExtensionsOnly() {
        for (long eid : new long[] {Sbi.EXT_TIME, Sbi.EXT_IPI, Sbi.EXT_RFENCE, Sbi.EXT_HSM, Sbi.EXT_SRST,
                Sbi.EXT_DBCN, Sbi.EXT_BASE, Sbi.LEGACY_CONSOLE_PUTCHAR}) {
            assertThat(call(Sbi.EXT_BASE, 3, eid)).as("eid 0x%x", eid).isEqualTo(new SbiRet(0, 1));
        }
        assertThat(call(Sbi.EXT_BASE, 3, Sbi.EXT_PMU)).isEqualTo(new SbiRet(0, 0));
        assertThat(call(Sbi.EXT_BASE, 3, 0x12345678L)).isEqualTo(new SbiRet(0, 0));
    }

    @Test
    void unknownExtensionAndFunctionAreNotSupported() {
        assertThat(call(0x0A000000L, 0).error()).isEqualTo(Sbi.ERR_NOT_SUPPORTED);
        assertThat(call(Sbi.EXT_PMU, 0).error()).isEqualTo(Sbi.ERR_NOT_SUPPORTED);
        assertThat(call(Sbi.EXT_BASE, 7).error()).isEqualTo(Sbi.ERR_NOT_SUPPORTED);
        assertThat(call(Sbi.EXT_TIME, 1).error()).isEqualTo(Sbi.ERR_NOT_SUPPORTED);
        assertThat(call(Sbi.EXT_RFENCE, 3).error()).isEqualTo(Sbi.ERR_NOT_SUPPORTED);
        assertThat(call(Sbi.EXT_BASE, -1).error()).isEqualTo(Sbi.ERR_NOT_SUPPORTED);
    }

    @Test
    void setTimerProgramsCallingHartsTimeCompare() {
        SbiRet r = sbi.call(2, Sbi.EXT_TIME, 0, 123_456_789L, 0, 0, 0, 0, 0);
        assertThat(r).isEqualTo(new SbiRet(0, 0));
        assertThat(platform.timers).containsExactly(java.util.Map.entry(2, 123_456_789L));
        assertThat(sbi.legacyCall(1, Sbi.LEGACY_SET_TIMER, -1L, 0, 0, 0)).isZero();
        assertThat(platform.timers).containsEntry(1, -1L);
    }

    @Test
    void sendIpiPostsToMaskedHartsAndAllHartsWithBaseMinusOne() {
        assertThat(call(Sbi.EXT_IPI, 0, 0b101, 1)).isEqualTo(new SbiRet(0, 0));
        assertThat(platform.ipis).containsExactly(1, 3);
        platform.ipis.clear();
        assertThat(call(Sbi.EXT_IPI, 0, 0, -1L).error()).isZero();
        assertThat(platform.ipis).containsExactly(0, 1, 2, 3);
    }

    @Test
    void sendIpiToMissingHartIsInvalidParamAndPostsNothing() {
        assertThat(call(Sbi.EXT_IPI, 0, 0b10001, 0).error()).isEqualTo(Sbi.ERR_INVALID_PARAM);
        assertThat(call(Sbi.EXT_IPI, 0, 1, 4).error()).isEqualTo(Sbi.ERR_INVALID_PARAM);
        assertThat(call(Sbi.EXT_IPI, 0, 1, Long.MIN_VALUE).error()).isEqualTo(Sbi.ERR_INVALID_PARAM);
        assertThat(platform.ipis).isEmpty();
    }

    @Test
    void remoteFencesFlushTargetHarts() {
        assertThat(call(Sbi.EXT_RFENCE, 0, 0b1, 2).error()).isZero();
        assertThat(call(Sbi.EXT_RFENCE, 1, 0b11, 0, 0x1000, 0x2000).error()).isZero();
        assertThat(call(Sbi.EXT_RFENCE, 2, 0b1, 3, 0, -1L, 7).error()).isZero();
        assertThat(platform.fences).containsExactly(2, 0, 1, 3);
    }

    @Test
    void systemResetShutdownEndsMachineWithPowerOff() {
        assertThat(call(Sbi.EXT_SRST, 0, Sbi.SRST_SHUTDOWN, Sbi.SRST_REASON_NONE).error()).isZero();
        assertThat(platform.resets).containsExactly(new ExitReason.PowerOff());
        assertThat(platform.leftRun).containsExactly(0);
    }

    @Test
    void systemResetColdAndWarmRebootEndMachineWithReboot() {
        call(Sbi.EXT_SRST, 0, Sbi.SRST_COLD_REBOOT, 0);
        call(Sbi.EXT_SRST, 0, Sbi.SRST_WARM_REBOOT, 0);
        assertThat(platform.resets).containsExactly(new ExitReason.Reboot(), new ExitReason.Reboot());
    }

    @Test
    void systemResetForSystemFailureIsGuestFailure() {
        call(Sbi.EXT_SRST, 0, Sbi.SRST_SHUTDOWN, Sbi.SRST_REASON_SYSTEM_FAILURE);
        assertThat(platform.resets).singleElement().isInstanceOf(ExitReason.GuestFailure.class);
    }

    @Test
    void systemResetWithReservedTypeOrReasonIsInvalidParamAndKeepsRunning() {
        assertThat(call(Sbi.EXT_SRST, 0, 3, 0).error()).isEqualTo(Sbi.ERR_INVALID_PARAM);
        assertThat(call(Sbi.EXT_SRST, 0, 0xF000_0000L, 0).error()).isEqualTo(Sbi.ERR_INVALID_PARAM);
        assertThat(call(Sbi.EXT_SRST, 0, 0, 2).error()).isEqualTo(Sbi.ERR_INVALID_PARAM);
        assertThat(platform.resets).isEmpty();
    }

    @Test
    void debugConsoleWriteCopiesGuestBytesToConsole() {
        byte[] text = "hello, sbi\n".getBytes(StandardCharsets.US_ASCII);
        platform.ram.write(RAM + 0x100, text);
        assertThat(call(Sbi.EXT_DBCN, 0, text.length, RAM + 0x100, 0)).isEqualTo(new SbiRet(0, text.length));
        assertThat(platform.console.toString(StandardCharsets.US_ASCII)).isEqualTo("hello, sbi\n");
    }

    @Test
    void debugConsoleBufferOutsideRamIsInvalidParam() {
        // SBI v2.0 (ext-debug-console): memory that fails the shared-memory rules is SBI_ERR_INVALID_PARAM.
        assertThat(call(Sbi.EXT_DBCN, 0, 16, 0x1000_0000L, 0).error()).isEqualTo(Sbi.ERR_INVALID_PARAM);
        assertThat(call(Sbi.EXT_DBCN, 0, 16, RAM + (1 << 20) - 8, 0).error()).isEqualTo(Sbi.ERR_INVALID_PARAM);
        assertThat(call(Sbi.EXT_DBCN, 0, -1L, RAM, 0).error()).isEqualTo(Sbi.ERR_INVALID_PARAM);
        assertThat(call(Sbi.EXT_DBCN, 0, 16, RAM, 1).error()).isEqualTo(Sbi.ERR_INVALID_PARAM);
        assertThat(call(Sbi.EXT_DBCN, 1, 16, 0x1000L, 0).error()).isEqualTo(Sbi.ERR_INVALID_PARAM);
        assertThat(platform.console.size()).isZero();
    }

    @Test
    void debugConsoleReadStoresAvailableBytesAndCountsThem() {
        platform.input.add((int) 'o');
        platform.input.add((int) 'k');
        assertThat(call(Sbi.EXT_DBCN, 1, 16, RAM + 0x200, 0)).isEqualTo(new SbiRet(0, 2));
        assertThat(platform.ram.readByte(RAM + 0x200)).isEqualTo((byte) 'o');
        assertThat(platform.ram.readByte(RAM + 0x201)).isEqualTo((byte) 'k');
        assertThat(call(Sbi.EXT_DBCN, 1, 16, RAM + 0x200, 0)).isEqualTo(new SbiRet(0, 0));
    }

    @Test
    void debugConsoleWriteByteWritesOneByte() {
        assertThat(call(Sbi.EXT_DBCN, 2, 0x141)).isEqualTo(new SbiRet(0, 0));
        assertThat(platform.console.toByteArray()).containsExactly(0x41);
    }

    @Test
    void hsmReportsStatusAndRejectsMissingHarts() {
        assertThat(call(Sbi.EXT_HSM, 2, 0)).isEqualTo(new SbiRet(0, HartState.STARTED.code()));
        assertThat(call(Sbi.EXT_HSM, 2, 1)).isEqualTo(new SbiRet(0, HartState.STOPPED.code()));
        assertThat(call(Sbi.EXT_HSM, 2, 4).error()).isEqualTo(Sbi.ERR_INVALID_PARAM);
        assertThat(call(Sbi.EXT_HSM, 2, -1L).error()).isEqualTo(Sbi.ERR_INVALID_PARAM);
    }

    @Test
    void hsmHartStartChecksHartAddressAndState() {
        assertThat(call(Sbi.EXT_HSM, 0, 0, RAM, 0).error()).isEqualTo(Sbi.ERR_ALREADY_AVAILABLE);
        assertThat(call(Sbi.EXT_HSM, 0, 9, RAM, 0).error()).isEqualTo(Sbi.ERR_INVALID_PARAM);
        assertThat(call(Sbi.EXT_HSM, 0, 1, 0x1000, 0).error()).isEqualTo(Sbi.ERR_INVALID_ADDRESS);
        assertThat(call(Sbi.EXT_HSM, 0, 1, RAM + 0x40, 0x77).error()).isZero();
        assertThat(harts.state(1)).isEqualTo(HartState.START_PENDING);
        assertThat(call(Sbi.EXT_HSM, 0, 1, RAM, 0).error()).isEqualTo(Sbi.ERR_ALREADY_AVAILABLE);
    }

    @Test
    void hsmHartStopStopsCallerAndEndsItsRunSlice() {
        assertThat(call(Sbi.EXT_HSM, 1).error()).isZero();
        assertThat(harts.state(0)).isEqualTo(HartState.STOPPED);
        assertThat(platform.leftRun).containsExactly(0);
        // A stopped hart cannot stop again.
        assertThat(call(Sbi.EXT_HSM, 1).error()).isEqualTo(Sbi.ERR_FAILED);
    }

    @Test
    void hsmSuspendSortsTypes() {
        assertThat(call(Sbi.EXT_HSM, 3, 0x0000_0001L).error()).isEqualTo(Sbi.ERR_INVALID_PARAM);
        assertThat(call(Sbi.EXT_HSM, 3, 0x8000_0001L).error()).isEqualTo(Sbi.ERR_INVALID_PARAM);
        assertThat(call(Sbi.EXT_HSM, 3, 0x1000_0000L).error()).isEqualTo(Sbi.ERR_NOT_SUPPORTED);
        assertThat(call(Sbi.EXT_HSM, 3, 0x8000_0000L, 0x10, 0).error()).isEqualTo(Sbi.ERR_INVALID_ADDRESS);
        assertThat(harts.state(0)).isEqualTo(HartState.STARTED);
        assertThat(call(Sbi.EXT_HSM, 3, 0).error()).isZero();
        assertThat(harts.state(0)).isEqualTo(HartState.SUSPENDED);
        assertThat(platform.leftRun).containsExactly(0);
    }

    @Test
    void legacyConsoleCallsUseConsole() {
        assertThat(sbi.legacyCall(0, Sbi.LEGACY_CONSOLE_PUTCHAR, 'x', 0, 0, 0)).isZero();
        assertThat(platform.console.toString(StandardCharsets.US_ASCII)).isEqualTo("x");
        assertThat(sbi.legacyCall(0, Sbi.LEGACY_CONSOLE_GETCHAR, 0, 0, 0, 0)).isEqualTo(-1);
        platform.input.add(0xfe);
        assertThat(sbi.legacyCall(0, Sbi.LEGACY_CONSOLE_GETCHAR, 0, 0, 0, 0)).isEqualTo(0xfe);
    }

    @Test
    void legacySendIpiReadsHartMaskFromMemoryOrTargetsAllForNull() {
        platform.ram.writeLong(RAM + 0x300, 0b1010);
        assertThat(sbi.legacyCall(0, Sbi.LEGACY_SEND_IPI, RAM + 0x300, 0, 0, 0)).isZero();
        assertThat(platform.ipis).containsExactly(1, 3);
        platform.ipis.clear();
        assertThat(sbi.legacyCall(0, Sbi.LEGACY_SEND_IPI, 0, 0, 0, 0)).isZero();
        assertThat(platform.ipis).containsExactly(0, 1, 2, 3);
        assertThat(sbi.legacyCall(0, Sbi.LEGACY_REMOTE_FENCE_I, 0x42, 0, 0, 0)).isEqualTo(Sbi.ERR_INVALID_ADDRESS);
    }

    @Test
    void legacyShutdownPowersOff() {
        sbi.legacyCall(0, Sbi.LEGACY_SHUTDOWN, 0, 0, 0, 0);
        assertThat(platform.resets).containsExactly(new ExitReason.PowerOff());
    }
}

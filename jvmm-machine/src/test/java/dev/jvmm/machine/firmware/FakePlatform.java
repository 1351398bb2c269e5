package dev.jvmm.machine.firmware;

import dev.jvmm.machine.ExitReason;
import dev.jvmm.memory.GuestMemory;
import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Records what the SBI asked of the board; RAM is real (1 MiB at 0x80000000). */
final class FakePlatform implements SbiPlatform {

    final GuestMemory ram = GuestMemory.allocate(0x8000_0000L, 1 << 20);
    final Map<Integer, Long> timers = new HashMap<>();
    final List<Integer> ipis = new ArrayList<>();
    final List<Integer> fences = new ArrayList<>();
    final List<Integer> leftRun = new ArrayList<>();
    final List<ExitReason> resets = new ArrayList<>();
    final ByteArrayOutputStream console = new ByteArrayOutputStream();
    final ArrayDeque<Integer> input = new ArrayDeque<>();

    @Override
    public GuestMemory memory() {
        return ram;
    }

    @Override
    public void setTimer(int hart, long stimeValue) {
        timers.put(hart, stimeValue);
    }

    @Override
    public void sendSupervisorSoftwareInterrupt(int hart) {
        ipis.add(hart);
    }

    @Override
    public void remoteFence(int hart) {
        fences.add(hart);
    }

    @Override
    public void leaveRun(int hart) {
        leftRun.add(hart);
    }

    @Override
    public void systemReset(ExitReason reason) {
        resets.add(reason);
    }

    @Override
    public void consoleWrite(byte[] data, int offset, int length) {
        console.write(data, offset, length);
    }

    @Override
    public int consoleRead() {
        Integer c = input.poll();
        return c == null ? -1 : c;
    }
}

package dev.jvmm.machine.htif;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jvmm.machine.ExitReason;
import dev.jvmm.memory.GuestMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/** Hostile mailbox contents: whatever the guest writes, polling takes it and never throws. */
class HtifPropertyTest {

    private static final long BASE = 0x8000_0000L;
    private static final long TOHOST = BASE + 0x1000;
    private static final long FROMHOST = BASE + 0x1008;

    @Property(tries = 300)
    void anyCommandIsHandledWithoutThrowing(@ForAll long command, @ForAll long word0, @ForAll long word1,
                                            @ForAll long word2, @ForAll long word3) throws Exception {
        try (GuestMemory mem = GuestMemory.allocate(BASE, 64 * 1024)) {
            List<ExitReason> seen = new ArrayList<>();
            Htif h = Htif.attach(mem, TOHOST, OptionalLong.of(FROMHOST), new Htif.Host() {
                @Override
                public void console(byte[] data, int offset, int length) {
                }

                @Override
                public void exit(ExitReason reason) {
                    seen.add(reason);
                }
            });
            // Also point the payload into RAM sometimes, to reach the system call path with hostile arguments.
            long block = BASE + 0x2000;
            mem.writeLong(block, word0 % 2 == 0 ? Htif.SYS_WRITE : word0);
            mem.writeLong(block + 8, word1 & 3);
            mem.writeLong(block + 16, word2);
            mem.writeLong(block + 24, word3);
            mem.writeLong(TOHOST, (command & 1) == 0 && (command & 2) == 0 ? block : command);
            h.poll();
            h.poll();
            assertThat(mem.readLong(TOHOST)).isZero();
        }
    }
}

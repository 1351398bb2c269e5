package dev.jvmm.machine.htif;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvmm.machine.ExitReason;
import dev.jvmm.machine.MachineException;
import dev.jvmm.memory.GuestMemory;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HtifTest {

    private static final long BASE = 0x8000_0000L;
    private static final long TOHOST = BASE + 0x1000;
    private static final long FROMHOST = BASE + 0x1008;
    private static final long PUTCHAR = (1L << 56) | (1L << 48);

    private final GuestMemory ram = GuestMemory.allocate(BASE, 64 * 1024);
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final List<ExitReason> exits = new ArrayList<>();
    private final Htif.Host host = new Htif.Host() {
        @Override
        public void console(byte[] data, int offset, int length) {
            console.write(data, offset, length);
        }

        @Override
        public void exit(ExitReason reason) {
            exits.add(reason);
        }
    };

    @AfterEach
    void free() {
        ram.close();
    }

    private Htif htif() throws MachineException {
        return Htif.attach(ram, TOHOST, OptionalLong.of(FROMHOST), host);
    }

    @Test
    void oneInTohostEndsTheRunWithPowerOffAndIsTaken() throws Exception {
        Htif h = htif();
        ram.writeLong(TOHOST, 1);
        h.poll();
        assertThat(exits).containsExactly(new ExitReason.PowerOff());
        assertThat(ram.readLong(TOHOST)).isZero();
        assertThat(ram.readLong(FROMHOST)).isZero();
    }

    @Test
    void oddValueReportsTheFailingTestNumber() throws Exception {
        Htif h = htif();
        ram.writeLong(TOHOST, (3 << 1) | 1);
        h.poll();
        assertThat(exits).containsExactly(new ExitReason.GuestFailure(3));
    }

    @Test
    void hugeFailureNumberSaturatesInsteadOfWrappingToPass() throws Exception {
        Htif h = htif();
        ram.writeLong(TOHOST, ((1L << 40) << 1) | 1);
        h.poll();
        assertThat(exits).containsExactly(new ExitReason.GuestFailure(Integer.MAX_VALUE));
    }

    @Test
    void emptyTohostDoesNothing() throws Exception {
        htif().poll();
        assertThat(exits).isEmpty();
        assertThat(console.size()).isZero();
        assertThat(ram.readLong(FROMHOST)).isZero();
    }

    @Test
    void putcharWritesTheByteAndAcknowledgesThroughFromhost() throws Exception {
        Htif h = htif();
        ram.writeLong(TOHOST, PUTCHAR | 'a'); // 'a' is odd: must not be taken for an exit
        h.poll();
        assertThat(console.toString(StandardCharsets.US_ASCII)).isEqualTo("a");
        assertThat(exits).isEmpty();
        assertThat(ram.readLong(TOHOST)).isZero();
        assertThat(ram.readLong(FROMHOST)).isEqualTo(PUTCHAR | 0x100 | 'a');
    }

    @Test
    void replyWaitsUntilTheGuestClearsFromhost() throws Exception {
        Htif h = htif();
        ram.writeLong(TOHOST, PUTCHAR | 'h');
        h.poll();
        ram.writeLong(TOHOST, PUTCHAR | 'i');
        h.poll();
        assertThat(console.toString(StandardCharsets.US_ASCII)).isEqualTo("hi");
        assertThat(ram.readLong(FROMHOST)).isEqualTo(PUTCHAR | 0x100 | 'h');
        ram.writeLong(FROMHOST, 0);
        h.poll();
        assertThat(ram.readLong(FROMHOST)).isEqualTo(PUTCHAR | 0x100 | 'i');
    }

    @Test
    void withoutFromhostPutcharStillPrints() throws Exception {
        Htif h = Htif.attach(ram, TOHOST, OptionalLong.empty(), host);
        ram.writeLong(TOHOST, PUTCHAR | 'x');
        h.poll();
        assertThat(console.toString(StandardCharsets.US_ASCII)).isEqualTo("x");
        assertThat(ram.readLong(TOHOST)).isZero();
        assertThat(ram.readLong(FROMHOST)).isZero();
    }

    @Test
    void unknownDeviceIsTakenAndIgnoredWithoutReply() throws Exception {
        Htif h = htif();
        ram.writeLong(TOHOST, (7L << 56) | 1);
        h.poll();
        assertThat(exits).isEmpty();
        assertThat(ram.readLong(TOHOST)).isZero();
        assertThat(ram.readLong(FROMHOST)).isZero();
    }

    @Test
    void proxiedWriteToStdoutGoesToTheConsoleAndReturnsItsLength() throws Exception {
        Htif h = htif();
        long block = BASE + 0x2000;
        long text = BASE + 0x3000;
        ram.write(text, "hello\n".getBytes(StandardCharsets.US_ASCII));
        ram.writeLong(block, Htif.SYS_WRITE);
        ram.writeLong(block + 8, 1);
        ram.writeLong(block + 16, text);
        ram.writeLong(block + 24, 6);
        ram.writeLong(TOHOST, block);
        h.poll();
        assertThat(console.toString(StandardCharsets.US_ASCII)).isEqualTo("hello\n");
        assertThat(ram.readLong(block)).isEqualTo(6);
        assertThat(ram.readLong(FROMHOST)).isEqualTo(1);
    }

    @Test
    void proxiedWriteOutsideRamFailsWithEfault() throws Exception {
        Htif h = htif();
        long block = BASE + 0x2000;
        ram.writeLong(block, Htif.SYS_WRITE);
        ram.writeLong(block + 8, 1);
        ram.writeLong(block + 16, BASE + ram.size() - 2);
        ram.writeLong(block + 24, 100);
        ram.writeLong(TOHOST, block);
        h.poll();
        assertThat(console.size()).isZero();
        assertThat(ram.readLong(block)).isEqualTo(-Htif.EFAULT);
    }

    @Test
    void proxiedExitEndsTheRunWithItsCode() throws Exception {
        Htif h = htif();
        long block = BASE + 0x2000;
        ram.writeLong(block, Htif.SYS_EXIT);
        ram.writeLong(block + 8, 5);
        ram.writeLong(TOHOST, block);
        h.poll();
        assertThat(exits).containsExactly(new ExitReason.GuestFailure(5));
    }

    @Test
    void unsupportedSystemCallReturnsEnosys() throws Exception {
        Htif h = htif();
        long block = BASE + 0x2000;
        ram.writeLong(block, 56); // openat
        ram.writeLong(TOHOST, block);
        h.poll();
        assertThat(ram.readLong(block)).isEqualTo(-Htif.ENOSYS);
        assertThat(ram.readLong(FROMHOST)).isEqualTo(1);
    }

    @Test
    void attachRefusesMisalignedOrOutsideRamMailboxes() {
        assertThatThrownBy(() -> Htif.attach(ram, TOHOST + 4, OptionalLong.empty(), host))
                .isInstanceOf(MachineException.class).hasMessageContaining("tohost").hasMessageNotContaining("\n");
        assertThatThrownBy(() -> Htif.attach(ram, BASE - 8, OptionalLong.empty(), host))
                .isInstanceOf(MachineException.class).hasMessageContaining("tohost");
        assertThatThrownBy(() -> Htif.attach(ram, TOHOST, OptionalLong.of(BASE + ram.size()), host))
                .isInstanceOf(MachineException.class).hasMessageContaining("fromhost");
        assertThatThrownBy(() -> Htif.attach(ram, TOHOST, OptionalLong.of(TOHOST), host))
                .isInstanceOf(MachineException.class).hasMessageContaining("same address");
    }
}

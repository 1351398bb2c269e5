package dev.jvmm.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jvmm.cpu.riscv.Engine;
import dev.jvmm.memory.state.StateException;
import dev.jvmm.memory.state.StateReader;
import dev.jvmm.memory.state.StateWriter;
import dev.jvmm.storage.ImageFormat;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BoardConfigTest {

    private static BoardConfig sample() throws Exception {
        return new BoardConfig(256L << 20, 1, BootMode.BUILTIN_SBI, Engine.INTERPRETER, List.of(
                new DriveConfig(Path.of("/tmp/disk.qcow2"), Optional.of(ImageFormat.QCOW2), false),
                new DriveConfig(Path.of("/tmp/ro.img"), Optional.empty(), true),
                new NetConfig(NetConfig.Backend.USER, List.of(new NetConfig.HostForward(NetConfig.Protocol.TCP,
                        InetAddress.getByName("127.0.0.1"), 2222, 22)), Optional.of(new NetConfig.MacAddress(0x525400abcdefL))),
                new NetConfig(NetConfig.Backend.USER, List.of(), Optional.empty()),
                new RngConfig(), new ConsoleConfig()));
    }

    @Test
    void everyDeviceKindSurvivesTheRoundTrip() throws Exception {
        StateWriter out = new StateWriter();
        sample().save(out);
        StateReader in = new StateReader("machine", out.toByteArray());
        assertThat(BoardConfig.load(in)).isEqualTo(sample());
        assertThat(in.remaining()).isZero();
    }

    @Test
    void anImpossibleMemorySizeIsRefused() {
        StateWriter out = new StateWriter();
        out.putLong(12345).putInt(1).putString("BUILTIN_SBI").putString("INTERPRETER").putInt(0);
        assertThatThrownBy(() -> BoardConfig.load(new StateReader("machine", out.toByteArray())))
                .isInstanceOf(StateException.class).hasMessageContaining("memory size");
    }

    @Test
    void anUnknownDeviceKindIsRefusedByName() {
        StateWriter out = new StateWriter();
        out.putLong(256L << 20).putInt(1).putString("BUILTIN_SBI").putString("INTERPRETER").putInt(1).putString("gpu");
        assertThatThrownBy(() -> BoardConfig.load(new StateReader("machine", out.toByteArray())))
                .isInstanceOf(StateException.class).hasMessageContaining("'gpu' is unknown");
    }
}

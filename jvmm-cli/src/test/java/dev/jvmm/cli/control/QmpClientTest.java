package dev.jvmm.cli.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.jvmm.machine.RunStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class QmpClientTest {

    @TempDir
    Path dir;

    @RegisterExtension
    final ServedFakeMachine served = new ServedFakeMachine();
    private final FakeMachine machine = served.machine;

    private Path start() throws IOException {
        return served.start(dir, "0.1.0");
    }

    @Test
    void connectReadsTheGreetingAndNegotiatesSoCommandsWorkAtOnce() throws Exception {
        try (QmpClient client = QmpClient.connect(start())) {
            assertThat(client.greeting()).containsKey("QMP");
            assertThat(client.execute("query-status", Map.of())).isEqualTo(Map.of("status", "running", "running", true));
        }
    }

    @Test
    void commandsChangeTheMachineAndEventsAreKeptAside() throws Exception {
        try (QmpClient client = QmpClient.connect(start())) {
            client.execute("stop", Map.of());
            assertThat(machine.status).isEqualTo(RunStatus.PAUSED);
            assertThat(client.executeForObject("query-status", Map.of())).containsEntry("status", "paused");
            client.execute("snapshot-save", Map.of("dir", "/tmp/s", "stop", true));
            assertThat(machine.calls).containsExactly("pause", "snapshot /tmp/s true");
            // Both events arrive, on their own thread: before or among the replies.
            for (int i = 0; i < 50 && client.events().size() < 2; i++) {
                client.execute("query-status", Map.of());
                Thread.sleep(10);
            }
            assertThat(client.events()).extracting(e -> e.get("event")).containsExactly("STOP", "STOP");
        }
    }

    @Test
    void anErrorReplyIsThrownWithItsClassAndDescription() throws Exception {
        try (QmpClient client = QmpClient.connect(start())) {
            assertThatThrownBy(() -> client.execute("system_powerdown", Map.of())).isInstanceOfSatisfying(QmpError.class, e -> {
                assertThat(e.errorClass()).isEqualTo(QmpError.GENERIC);
                assertThat(e.desc()).isEqualTo(QmpCommands.NO_POWER_BUTTON);
            });
            assertThatThrownBy(() -> client.execute("frobnicate", Map.of())).isInstanceOfSatisfying(QmpError.class,
                    e -> assertThat(e.errorClass()).isEqualTo(QmpError.COMMAND_NOT_FOUND));
        }
    }

    @Test
    void aMissingSocketIsOneLineNamingIt() {
        Path missing = dir.resolve("nothing");
        assertThatThrownBy(() -> QmpClient.connect(missing)).isInstanceOf(IOException.class)
                .hasMessage(missing + ": no such control socket (is jvmm running with --control " + missing + "?)");
    }

    @Test
    void aFileThatIsNotASocketIsRefused() throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertThatThrownBy(() -> QmpClient.connect(file)).isInstanceOf(IOException.class).hasMessage(file + ": not a socket");
    }

    @Test
    void aSocketNobodyListensOnSaysSo() throws IOException {
        Path path = dir.resolve("dead");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(path));
        }
        assertThatThrownBy(() -> QmpClient.connect(path)).isInstanceOf(IOException.class)
                .hasMessageContaining("nobody is listening");
    }

    @Test
    void aServerThatDoesNotSpeakQmpIsRefused() throws Exception {
        Path path = dir.resolve("other");
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(path));
            Thread.ofVirtual().start(() -> {
                try (SocketChannel c = other.accept()) {
                    c.write(ByteBuffer.wrap("{\"hello\": \"world\"}\n".getBytes(StandardCharsets.UTF_8)));
                } catch (IOException e) {
                    // the test fails on its own side
                }
            });
            assertThatThrownBy(() -> QmpClient.connect(path)).isInstanceOf(IOException.class)
                    .hasMessage(path + ": not a QMP socket (its first message is no greeting)");
        }
    }

    @Test
    void aServerThatGoesAwayIsAnIOExceptionNotAHang() throws Exception {
        QmpClient client = QmpClient.connect(start());
        try (client) {
            served.server().close();
            assertThatThrownBy(() -> client.execute("query-status", Map.of())).isInstanceOf(IOException.class)
                    .hasMessageContaining("has jvmm exited?");
        }
    }
}

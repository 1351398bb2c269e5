package dev.jvmm.cli.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import dev.jvmm.machine.MachineException;
import dev.jvmm.machine.RunStatus;
import dev.jvmm.machine.migration.MigrationStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class QmpServerTest {

    @TempDir
    Path dir;

    @RegisterExtension
    final ServedFakeMachine served = new ServedFakeMachine();
    private final FakeMachine machine = served.machine;

    private Path start() throws IOException {
        return served.start(dir, "1.2.3-SNAPSHOT");
    }

    @Test
    void greetingNamesTheVersionAndOffersNoCapabilities() throws IOException {
        try (QmpConnection c = new QmpConnection(start())) {
            assertThat(c.read()).isEqualTo(Map.of("QMP", Map.of(
                    "version", Map.of("qemu", Map.of("major", 1, "minor", 2, "micro", 3), "package", "jvmm 1.2.3-SNAPSHOT"),
                    "capabilities", List.of())));
        }
    }

    @Test
    void commandsBeforeCapabilitiesNegotiationAreCommandNotFound() throws IOException {
        try (QmpConnection c = new QmpConnection(start())) {
            c.read();
            assertThat(c.execute("{\"execute\": \"query-status\", \"id\": 1}")).isEqualTo(Map.of(
                    "error", Map.of("class", "CommandNotFound", "desc", "Expecting capabilities negotiation with 'qmp_capabilities'"),
                    "id", 1));
            assertThat(c.execute("{\"execute\": \"qmp_capabilities\", \"id\": 2}")).isEqualTo(Map.of("return", Map.of(), "id", 2));
            assertThat(c.execute("{\"execute\": \"query-status\", \"id\": 3}"))
                    .isEqualTo(Map.of("return", Map.of("status", "running", "running", true), "id", 3));
        }
    }

    @Test
    void negotiatingTwiceIsCommandNotFound() throws IOException {
        try (QmpConnection c = new QmpConnection(start()).negotiated()) {
            assertThat(c.execute("{\"execute\": \"qmp_capabilities\"}"))
                    .extracting(m -> ((Map<?, ?>) m.get("error")).get("class")).isEqualTo("CommandNotFound");
        }
    }

    @Test
    void enablingACapabilityThatIsNotOfferedIsAnError() throws IOException {
        try (QmpConnection c = new QmpConnection(start())) {
            c.read();
            assertThat(c.execute("{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}"))
                    .isEqualTo(Map.of("error", Map.of("class", "GenericError", "desc", "Capability 'oob' not available")));
            assertThat(c.execute("{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": []}}"))
                    .isEqualTo(Map.of("return", Map.of()));
        }
    }

    @Test
    void unknownCommandIsCommandNotFoundWithItsId() throws IOException {
        try (QmpConnection c = new QmpConnection(start()).negotiated()) {
            assertThat(c.execute("{\"execute\": \"eject\", \"id\": \"x7\"}")).isEqualTo(Map.of(
                    "error", Map.of("class", "CommandNotFound", "desc", "The command eject has not been found"), "id", "x7"));
        }
    }

    @Test
    void malformedJsonIsAGenericErrorAndTheConnectionStaysUsable() throws IOException {
        try (QmpConnection c = new QmpConnection(start()).negotiated()) {
            for (String bad : List.of("{\"execute\": }", "{\"execute\": \"stop\"", "hello", "\"text\"")) {
                Map<String, Object> reply = c.execute(bad);
                assertThat(reply).as(bad).containsOnlyKeys("error");
                assertThat(map(reply.get("error"))).as(bad).containsEntry("class", "GenericError");
            }
            assertThat(c.execute("{\"execute\": \"query-status\"}")).containsKey("return");
        }
    }

    @Test
    void requestsThatAreNotCommandsAreGenericErrorsNamingTheProblem() throws IOException {
        try (QmpConnection c = new QmpConnection(start()).negotiated()) {
            assertThat(desc(c.execute("[1, 2]"))).isEqualTo("QMP input must be a JSON object");
            assertThat(desc(c.execute("{\"id\": 1}"))).isEqualTo("QMP input lacks member 'execute'");
            assertThat(desc(c.execute("{\"execute\": 5}"))).isEqualTo("QMP input member 'execute' must be a string");
            assertThat(desc(c.execute("{\"execute\": \"stop\", \"arguments\": 1}")))
                    .isEqualTo("QMP input member 'arguments' must be an object");
            assertThat(desc(c.execute("{\"execute\": \"stop\", \"colour\": 1}"))).isEqualTo("QMP input member 'colour' is unexpected");
            assertThat(desc(c.execute("{\"execute\": \"stop\", \"arguments\": {\"now\": true}}"))).isEqualTo("Parameter 'now' is unexpected");
            assertThat(machine.calls).isEmpty();
        }
    }

    @Test
    void objectsSentBackToBackWithoutNewlinesAreEachAnswered() throws IOException {
        try (QmpConnection c = new QmpConnection(start()).negotiated()) {
            c.send("{\"execute\": \"query-status\", \"id\": 1}{\"execute\": \"query-status\", \"id\": 2}");
            assertThat(c.reply()).containsEntry("id", 1);
            assertThat(c.reply()).containsEntry("id", 2);
        }
    }

    @Test
    void stopPausesAndContResumesWithStopAndResumeEvents() throws IOException {
        try (QmpConnection c = new QmpConnection(start()).negotiated()) {
            c.send("{\"execute\": \"stop\"}\n");
            // The event comes from its own thread: before or after the reply.
            List<Map<String, Object>> messages = List.of(c.read(), c.read());
            assertThat(messages).anySatisfy(m -> assertThat(m).isEqualTo(Map.of("return", Map.of())));
            assertThat(messages).anySatisfy(m -> {
                assertThat(m).containsEntry("event", "STOP").containsKey("timestamp");
                assertThat(map(m.get("timestamp"))).containsKeys("seconds", "microseconds");
            });
            assertThat(c.execute("{\"execute\": \"query-status\"}"))
                    .isEqualTo(Map.of("return", Map.of("status", "paused", "running", false)));
            c.send("{\"execute\": \"cont\"}\n");
            messages = List.of(c.read(), c.read());
            assertThat(messages).anySatisfy(m -> assertThat(m).containsEntry("event", "RESUME"));
            assertThat(c.execute("{\"execute\": \"query-status\"}"))
                    .isEqualTo(Map.of("return", Map.of("status", "running", "running", true)));
            assertThat(machine.calls).containsExactly("pause", "resume");
        }
    }

    @Test
    void systemPowerdownOnABoardWithoutAPowerButtonIsAnError() throws IOException {
        try (QmpConnection c = new QmpConnection(start()).negotiated()) {
            assertThat(c.execute("{\"execute\": \"system_powerdown\"}")).isEqualTo(Map.of("error",
                    Map.of("class", "GenericError", "desc", "the virt board has no power button; use quit")));
        }
    }

    @Test
    void quitIsAnsweredAndThenStopsTheMachine() throws IOException {
        try (QmpConnection c = new QmpConnection(start()).negotiated()) {
            assertThat(c.execute("{\"execute\": \"quit\", \"id\": 9}")).isEqualTo(Map.of("return", Map.of(), "id", 9));
            assertThat(machine.calls).containsExactly("quit");
        }
    }

    @Test
    void snapshotSavePassesTheDirectoryAndStopFlagAndWaitsForTheMachine() throws IOException {
        try (QmpConnection c = new QmpConnection(start()).negotiated()) {
            assertThat(c.execute("{\"execute\": \"snapshot-save\", \"arguments\": {\"dir\": \"/tmp/s1\", \"stop\": true}}"))
                    .isEqualTo(Map.of("return", Map.of()));
            assertThat(c.execute("{\"execute\": \"snapshot-save\", \"arguments\": {\"dir\": \"/tmp/s2\"}}"))
                    .isEqualTo(Map.of("return", Map.of()));
            assertThat(machine.calls).containsExactly("snapshot /tmp/s1 true", "snapshot /tmp/s2 false");
        }
    }

    @Test
    void snapshotSaveChecksItsArguments() throws IOException {
        try (QmpConnection c = new QmpConnection(start()).negotiated()) {
            assertThat(desc(c.execute("{\"execute\": \"snapshot-save\"}"))).isEqualTo("Parameter 'dir' is missing");
            assertThat(desc(c.execute("{\"execute\": \"snapshot-save\", \"arguments\": {\"dir\": 3}}")))
                    .isEqualTo("Invalid parameter type for 'dir', expected: string");
            assertThat(desc(c.execute("{\"execute\": \"snapshot-save\", \"arguments\": {\"dir\": \"/s\", \"stop\": \"yes\"}}")))
                    .isEqualTo("Invalid parameter type for 'stop', expected: boolean");
            assertThat(machine.calls).isEmpty();
        }
    }

    @Test
    void aMachineFailureIsAGenericErrorWithItsMessage() throws IOException {
        machine.snapshotFailure = new MachineException("/tmp/s1: already exists");
        try (QmpConnection c = new QmpConnection(start()).negotiated()) {
            assertThat(c.execute("{\"execute\": \"snapshot-save\", \"arguments\": {\"dir\": \"/tmp/s1\"}, \"id\": 4}"))
                    .isEqualTo(Map.of("error", Map.of("class", "GenericError", "desc", "/tmp/s1: already exists"), "id", 4));
            assertThat(c.execute("{\"execute\": \"query-status\"}")).containsKey("return");
        }
    }

    @Test
    void migrateStartsTheMigrationAndQueryMigrateReportsItInQmpShape() throws IOException {
        machine.migrationScript = List.of(FakeMachine.status(MigrationStatus.State.ACTIVE, 250));
        try (QmpConnection c = new QmpConnection(start()).negotiated()) {
            assertThat(c.execute("{\"execute\": \"query-migrate\"}")).isEqualTo(Map.of("return", Map.of()));
            assertThat(c.execute("{\"execute\": \"migrate\", \"arguments\": {\"uri\": \"tcp:10.0.0.2:4444\"}}"))
                    .isEqualTo(Map.of("return", Map.of()));
            assertThat(machine.calls).containsExactly("migrate 10.0.0.2 4444");
            Map<String, Object> info = map(c.execute("{\"execute\": \"query-migrate\"}").get("return"));
            assertThat(info).containsEntry("status", "active").containsEntry("total-time", 1500)
                    .containsEntry("expected-downtime", 40).containsEntry("throttle-percent", 0).doesNotContainKey("downtime");
            assertThat(map(info.get("ram"))).containsEntry("transferred", 250 * 4096)
                    .containsEntry("remaining", 750 * 4096).containsEntry("total", 1000 * 4096)
                    .containsEntry("dirty-pages-rate", 250).containsEntry("page-size", 4096);
        }
    }

    @Test
    void migrateRefusesAnAddressWithoutAHost() throws IOException {
        try (QmpConnection c = new QmpConnection(start()).negotiated()) {
            assertThat(desc(c.execute("{\"execute\": \"migrate\", \"arguments\": {\"uri\": \"tcp::4444\"}}")))
                    .contains("needs the destination's host");
            assertThat(desc(c.execute("{\"execute\": \"migrate\", \"arguments\": {\"uri\": \"unix:/tmp/x\"}}")))
                    .contains("only tcp:");
            assertThat(machine.calls).isEmpty();
        }
    }

    @Test
    void socketFileIsOwnerOnlyAndTheTemporaryDirectoryIsGone() throws IOException {
        Path socket = start();
        assertThat(UnixSocketFiles.isSocket(socket)).isTrue();
        assertThat(Files.getPosixFilePermissions(socket)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        try (Stream<Path> entries = Files.list(dir)) {
            assertThat(entries).containsExactly(socket);
        }
    }

    @Test
    void closeRemovesTheSocketFile() throws IOException {
        Path socket = start();
        served.server().close();
        assertThat(socket).doesNotExist();
    }

    @Test
    void anExistingFileThatIsNotASocketIsRefusedAndKept() throws IOException {
        Path file = Files.writeString(dir.resolve("ctl"), "precious");
        assertThatThrownBy(this::start).isInstanceOf(IOException.class).hasMessageContaining("exists and is not a socket");
        assertThat(file).hasContent("precious");
    }

    @Test
    void aSocketSomethingListensOnIsRefused() throws IOException {
        try (ServerSocketChannel other = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(dir.resolve("ctl")));
            assertThatThrownBy(this::start).isInstanceOf(IOException.class).hasMessageContaining("something is listening");
        }
    }

    @Test
    void aStaleSocketLeftBehindIsReplaced() throws IOException {
        ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        dead.bind(UnixDomainSocketAddress.of(dir.resolve("ctl")));
        dead.close(); // the file stays, nobody listens
        try (QmpConnection c = new QmpConnection(start())) {
            assertThat(c.read()).containsKey("QMP");
        }
    }

    @Test
    void clientsMayConnectOneAfterAnotherAndEachNegotiates() throws Exception {
        Path socket = start();
        for (int i = 0; i < 3; i++) {
            try (QmpConnection c = new QmpConnection(socket)) {
                c.read();
                assertThat(c.execute("{\"execute\": \"query-status\"}")).containsKey("error");
                c.send("{\"execute\": \"qmp_capabilities\"}\n");
                c.reply();
                assertThat(c.execute("{\"execute\": \"query-status\"}")).containsKey("return");
            }
        }
        assertThat(served.server().awaitNoClients(Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void statusFollowsTheMachine() throws IOException {
        machine.status = RunStatus.PRELAUNCH;
        try (QmpConnection c = new QmpConnection(start()).negotiated()) {
            assertThat(c.execute("{\"execute\": \"query-status\"}"))
                    .isEqualTo(Map.of("return", Map.of("status", "prelaunch", "running", false)));
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    private static String desc(Map<String, Object> reply) {
        assertThat(reply).containsKey("error");
        return (String) ((Map<?, ?>) reply.get("error")).get("desc");
    }
}

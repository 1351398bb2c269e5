package dev.jvmm.cli.control;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link FakeMachine} behind a real {@link QmpServer} on a Unix socket, closed after each
 * test; register it with {@code @RegisterExtension}.
 */
public final class ServedFakeMachine implements AfterEachCallback {

    public final FakeMachine machine = new FakeMachine();
    private QmpServer server;

    /** Starts the server at {@code dir/ctl}, announcing {@code version}; returns the socket's path. */
    public Path start(Path dir, String version) throws IOException {
        server = QmpServer.start(dir.resolve("ctl"), machine, QmpServer.Version.of(version));
        return server.path();
    }

    public QmpServer server() {
        return server;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (server != null) {
            server.close();
        }
    }
}

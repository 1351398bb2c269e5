package dev.jvmm.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input gets one line that says what is wrong, and exit status 2. */
class BadInputIT {

    private static final Duration QUICK = Duration.ofSeconds(60);

    private static void assertRefused(String expectedInMessage, String... args) throws Exception {
        try (GuestUnderTest jvmm = GuestUnderTest.start(args)) {
            int status = jvmm.waitForExit(QUICK);
            String stderr = jvmm.errors().strip();
            assertThat(status).as("exit status; stderr: %s", stderr).isEqualTo(2);
            assertThat(stderr.lines()).as("stderr is one line").hasSize(1);
            assertThat(stderr).contains(expectedInMessage).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @Test
    void missingKernelFileIsRefused(@TempDir Path dir) throws Exception {
        assertRefused("nope", "run", "--kernel", dir.resolve("nope").toString());
    }

    @Test
    void kernelThatIsNotRiscvIsRefused(@TempDir Path dir) throws Exception {
        Path notAKernel = dir.resolve("ls");
        Files.copy(Path.of("/bin/ls"), notAKernel);
        assertRefused("RISC-V", "run", "--kernel", notAKernel.toString());
    }

    @Test
    void memoryTooSmallForTheImagesIsRefused() throws Exception {
        GuestImages.debian();
        assertRefused("memory", "run", "--memory", "16M");
    }

    @Test
    void unknownOptionIsRefused() throws Exception {
        assertRefused("--frobnicate", "run", "--frobnicate");
    }

    @Test
    void malformedMemorySizeIsRefused() throws Exception {
        assertRefused("lots", "run", "--memory", "lots");
    }

    @Test
    void missingDriveImageIsRefused(@TempDir Path dir) throws Exception {
        GuestImages.debian();
        assertRefused("--drive " + dir.resolve("none.img") + ": no such file", "run", "--drive", dir.resolve("none.img").toString());
    }

    @Test
    void portForwardOnATakenHostPortIsRefused() throws Exception {
        GuestImages.debian();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertRefused("cannot listen on 127.0.0.1:" + taken.getLocalPort(),
                    "run", "--net", "user,hostfwd=tcp:127.0.0.1:" + taken.getLocalPort() + "-:22");
        }
    }

    @Test
    void malformedNetOptionIsRefused() throws Exception {
        assertRefused("hostfwd", "run", "--net", "user,hostfwd=tcp:nonsense");
    }

    @Test
    void imageCreateRefusesToOverwrite(@TempDir Path dir) throws Exception {
        Path existing = Files.write(dir.resolve("disk.img"), new byte[] {1});
        assertRefused("already exists", "image", "create", "--format", "qcow2", existing.toString(), "1G");
        assertThat(Files.readAllBytes(existing)).containsExactly(1);
    }
}

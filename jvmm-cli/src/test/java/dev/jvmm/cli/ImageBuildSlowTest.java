package dev.jvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.jvmm.image.DebianGuestImages;
import dev.jvmm.image.GuestImage;
import dev.jvmm.machine.DriveConfig;
import dev.jvmm.machine.MachineConfig;
import dev.jvmm.machine.VirtMachine;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole {@code jvmm image build debian}, then a boot of the result to its login prompt.
 * Needs root, the network, debootstrap and mkfs.ext4, and takes a long time (the second stage
 * runs Debian's dpkg inside jvmm, about 20 minutes on 2 cores): tagged "slow", which the build
 * excludes unless asked (see README).
 */
@Tag("slow")
class ImageBuildSlowTest {

    @Test
    void builtDebianDiskBootsToALoginPrompt(@TempDir Path tmp) throws Exception {
        Path disk = tmp.resolve("debian.qcow2");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        int status = Jvmm.execute(new String[] {"image", "build", "debian", "--size", "2G", disk.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertThat(status).isZero();
        assertThat(disk).isRegularFile();
        System.err.printf("image build: %d s%n", (System.nanoTime() - t0) / 1_000_000_000L);

        GuestImage kernel = DebianGuestImages.forUser(System.err::println).get(DebianGuestImages.DEFAULT_SUITE, false);
        MachineConfig config = new MachineConfig(kernel.kernel(), Optional.of(kernel.initramfs()),
                "console=ttyS0", 1L << 30, Optional.empty(), 1, // no root=: the marker the build leaves selects the disk
                List.of(new DriveConfig(disk, Optional.empty(), false), DeviceOptions.net("user")));
        CountDownLatch login = new CountDownLatch(1);
        StringBuilder console = new StringBuilder();
        OutputStream watcher = new OutputStream() {
            @Override
            public void write(int b) {
                System.err.write(b);
                synchronized (console) {
                    console.append((char) (b & 0xff));
                    if (console.toString().endsWith("login: ")) {
                        login.countDown();
                    }
                }
            }
        };
        long t1 = System.nanoTime();
        try (VirtMachine machine = VirtMachine.create(config, watcher)) {
            Thread runner = Thread.ofPlatform().start(() -> {
                try {
                    machine.run();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            boolean reached = login.await(60, TimeUnit.MINUTES);
            System.err.printf("%nboot to login: %d s%n", (System.nanoTime() - t1) / 1_000_000_000L);
            machine.requestStop("test done");
            runner.join();
            assertThat(reached).as("login prompt").isTrue();
        }
    }
}

package dev.jvmm.memory;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Guest RAM costs host memory only where the guest has touched it. */
class LazyAllocationTest {

    private static long residentKib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    @Test
    void aLargeGuestIsNotResidentUntilTouchedAndReadsAsZeros() throws IOException {
        long before = residentKib();
        try (GuestMemory ram = GuestMemory.allocate(0x8000_0000L, 1L << 30)) {
            long afterAllocate = residentKib();
            assertThat(afterAllocate - before).as("KiB resident after allocating 1 GiB").isLessThan(64 << 10);
            assertThat(ram.readLong(0x8000_0000L + (512L << 20))).isZero();
            ram.writeLong(0x8000_0000L + (700L << 20), 42);
            assertThat(ram.readLong(0x8000_0000L + (700L << 20))).isEqualTo(42);
            assertThat(residentKib() - before).isLessThan(64 << 10);
        }
    }
}

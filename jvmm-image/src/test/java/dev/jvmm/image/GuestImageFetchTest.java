package dev.jvmm.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Fetches the real Debian guest (about 100 MB) into the user cache; run with {@code -Dgroups=guest}. */
@Tag("guest")
class GuestImageFetchTest {

    @Test
    void fetchesAVerifiedDebianRiscvKernelAndInitramfs() throws Exception {
        DebianGuestImages images = DebianGuestImages.forUser(System.err::println);
        GuestImage image = images.get(DebianGuestImages.DEFAULT_SUITE, false);
        byte[] header = new byte[64];
        try (var in = Files.newInputStream(image.kernel())) {
            assertThat(in.readNBytes(header, 0, 64)).isEqualTo(64);
        }
        assertThat(KernelImage.isRiscvImage(header)).isTrue();
        assertThat(image.modules().resolve("kernel/drivers/virtio/virtio_mmio.ko")).exists();
        assertThat(image.modules().resolve("kernel/fs/ext4/ext4.ko")).exists();
        assertThat(images.cached(DebianGuestImages.DEFAULT_SUITE)).contains(image);
    }
}

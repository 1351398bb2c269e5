package dev.jvmm.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

class ModInfoAndKernelImageTest {

    @Test
    void modinfoDependsFieldListsTheModulesNeeded() throws ImageException {
        ModInfo info = ModInfo.parse(TestPackages.fakeModule("license=GPL", "depends=jbd2,mbcache,crc16", "name=ext4"));
        assertThat(info.depends()).containsExactly("jbd2", "mbcache", "crc16");
        assertThat(info.values("name")).containsExactly("ext4");
    }

    @Test
    void emptyDependsMeansNoDependencies() throws ImageException {
        assertThat(ModInfo.parse(TestPackages.fakeModule("depends=", "name=virtio_mmio")).depends()).isEmpty();
    }

    @Test
    void truncatedOrForeignFilesAreImageExceptions() {
        byte[] module = TestPackages.fakeModule("depends=a");
        assertThatThrownBy(() -> ModInfo.parse(Arrays.copyOf(module, 100))).isInstanceOf(ImageException.class);
        assertThatThrownBy(() -> ModInfo.parse(new byte[64])).isInstanceOf(ImageException.class);
    }

    @Test
    void riscvImageMagicIsRecognisedAndOtherFilesAreNot() {
        assertThat(KernelImage.isRiscvImage(TestPackages.fakeKernel())).isTrue();
        byte[] other = TestPackages.fakeKernel();
        other[0x30] = 'X';
        other[0x38] = 'X';
        assertThat(KernelImage.isRiscvImage(other)).isFalse();
        assertThat(KernelImage.isRiscvImage(new byte[16])).isFalse();
    }
}

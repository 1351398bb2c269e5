package dev.jvmm.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class ModuleDependenciesTest {

    private static final String MODULES_DEP = """
            kernel/fs/ext4/ext4.ko.xz: kernel/fs/jbd2/jbd2.ko.xz kernel/fs/mbcache.ko.xz kernel/lib/crc16.ko.xz
            kernel/fs/jbd2/jbd2.ko.xz:
            kernel/fs/mbcache.ko.xz:
            kernel/lib/crc16.ko.xz:
            kernel/drivers/net/virtio_net.ko.xz: kernel/drivers/net/net_failover.ko.xz kernel/net/core/failover.ko.xz
            kernel/drivers/net/net_failover.ko.xz: kernel/net/core/failover.ko.xz
            kernel/net/core/failover.ko.xz:
            kernel/drivers/char/hw_random/virtio-rng.ko.xz:
            kernel/drivers/virtio/virtio_mmio.ko.xz:
            """;

    private static List<String> names(List<ModuleDependencies.Module> modules) {
        return modules.stream().map(ModuleDependencies.Module::name).toList();
    }

    @Test
    void dependenciesComeBeforeTheModulesThatNeedThem() throws ImageException {
        var order = ModuleDependencies.loadOrder(List.of("virtio_net", "ext4"),
                ModuleDependencies.parseModulesDep(MODULES_DEP));
        assertThat(names(order)).containsExactly("failover", "net_failover", "virtio_net", "jbd2", "mbcache", "crc16", "ext4");
        assertThat(order.getLast().path()).isEqualTo("kernel/fs/ext4/ext4.ko.xz");
    }

    @Test
    void dashesAndUnderscoresNameTheSameModuleAndSharedDependenciesLoadOnce() throws ImageException {
        var order = ModuleDependencies.loadOrder(List.of("virtio-rng", "net_failover", "virtio_net"),
                ModuleDependencies.parseModulesDep(MODULES_DEP));
        assertThat(names(order)).containsExactly("virtio_rng", "failover", "net_failover", "virtio_net");
        assertThat(order.getFirst().path()).isEqualTo("kernel/drivers/char/hw_random/virtio-rng.ko.xz");
    }

    @Test
    void wantedModulesThatAreBuiltInOrAbsentAreSkipped() throws ImageException {
        var order = ModuleDependencies.loadOrder(List.of("virtio_console", "virtio_mmio"),
                ModuleDependencies.parseModulesDep(MODULES_DEP));
        assertThat(names(order)).containsExactly("virtio_mmio");
    }

    @Test
    void aMissingDependencyIsReportedWithTheModuleThatNeedsIt() {
        var catalog = ModuleDependencies.parseModulesDep("kernel/a.ko: kernel/b.ko\n");
        assertThatThrownBy(() -> ModuleDependencies.loadOrder(List.of("a"), catalog))
                .isInstanceOf(ImageException.class).hasMessageContaining("a needs b");
    }

    @Test
    void aCycleIsAnErrorNotAnEndlessLoop() {
        var catalog = ModuleDependencies.parseModulesDep("kernel/a.ko: kernel/b.ko\nkernel/b.ko: kernel/a.ko\n");
        assertThatThrownBy(() -> ModuleDependencies.loadOrder(List.of("a"), catalog))
                .isInstanceOf(ImageException.class).hasMessageContaining("cycle");
    }
}

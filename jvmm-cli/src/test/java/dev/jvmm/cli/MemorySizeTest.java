package dev.jvmm.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MemorySizeTest {

    @Test
    void suffixesAreBinaryMultiples() throws UsageException {
        assertThat(MemorySize.parse("512M")).isEqualTo(512L << 20);
        assertThat(MemorySize.parse("2G")).isEqualTo(2L << 30);
        assertThat(MemorySize.parse("2g")).isEqualTo(2L << 30);
        assertThat(MemorySize.parse("1048576K")).isEqualTo(1L << 30);
        assertThat(MemorySize.parse("1T")).isEqualTo(1L << 40);
    }

    @Test
    void plainNumbersAreBytes() throws UsageException {
        assertThat(MemorySize.parse("16777216")).isEqualTo(16L << 20);
    }

    @Test
    void sizesBelowSixteenMebibytesAreRejected() {
        assertThatThrownBy(() -> MemorySize.parse("15M")).isInstanceOf(UsageException.class).hasMessageContaining("too small");
        assertThatThrownBy(() -> MemorySize.parse("0")).isInstanceOf(UsageException.class);
    }

    @Test
    void sizesThatAreNotWholePagesAreRejected() {
        assertThatThrownBy(() -> MemorySize.parse("16777217")).isInstanceOf(UsageException.class)
                .hasMessageContaining("multiple of 4K");
        assertThatThrownBy(() -> MemorySize.parse("16386K")).isInstanceOf(UsageException.class);
    }

    @Test
    void malformedOrOverflowingSizesAreRejected() {
        for (String bad : new String[] {"", "M", "-512M", "1.5G", "512MB", "0x1000000", "99999999999999999999",
                "9999999999999999G"}) {
            assertThatThrownBy(() -> MemorySize.parse(bad)).as(bad).isInstanceOf(UsageException.class);
        }
    }
}

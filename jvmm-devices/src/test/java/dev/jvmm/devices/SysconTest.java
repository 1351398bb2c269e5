package dev.jvmm.devices;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SysconTest {

    private final List<String> requests = new ArrayList<>();
    private final Syscon syscon = new Syscon(new Syscon.Listener() {
        @Override
        public void powerOff() {
            requests.add("poweroff");
        }

        @Override
        public void reboot() {
            requests.add("reboot");
        }

        @Override
        public void fail(int code) {
            requests.add("fail " + code);
        }
    });

    @Test
    void statusWordSelectsPowerOffRebootOrFailure() {
        syscon.write(0, 4, 0x5555);
        syscon.write(0, 4, 0x7777);
        syscon.write(0, 4, 0x0042_3333L);
        assertThat(requests).containsExactly("poweroff", "reboot", "fail 66");
    }

    @Test
    void codeBitsDoNotHideThePowerOffStatus() {
        syscon.write(0, 4, 0xABCD_5555L);
        assertThat(requests).containsExactly("poweroff");
    }

    @Test
    void otherValuesOffsetsAndSizesAreIgnored() {
        syscon.write(0, 4, 0x1234);
        syscon.write(4, 4, 0x5555);
        syscon.write(0, 1, 0x55);
        assertThat(requests).isEmpty();
        assertThat(syscon.read(0, 4)).isZero();
    }
}

package dev.jvmm.machine;

/**
 * A virtio console (Linux's {@code hvc0}). Its output goes to the same console stream as the
 * UART's; keystrokes go to the UART ({@code ttyS0}) only, so {@code hvc0} is an output
 * console unless input is sent to it with {@link VirtMachine#sendVirtioConsoleInput}.
 */
public record ConsoleConfig() implements DeviceConfig {

    @Override
    public void validate() {
    }

    @Override
    public String describe() {
        return "virtio-console";
    }
}

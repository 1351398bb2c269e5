/**
 * The platform devices of QEMU's {@code virt} board, register-compatible so that OpenSBI,
 * U-Boot and an unmodified Linux drive them with their stock drivers.
 *
 * <h3>What lives here</h3>
 * <ul>
 *   <li>{@link dev.jvmm.devices.Uart16550}: the serial console (8250/16550A).</li>
 *   <li>{@link dev.jvmm.devices.Clint}: machine timer and software interrupts (mtime,
 *       mtimecmp, msip).</li>
 *   <li>{@link dev.jvmm.devices.Plic}: the platform-level interrupt controller that routes
 *       device lines to hart contexts.</li>
 *   <li>{@link dev.jvmm.devices.GoldfishRtc}: wall-clock time and an alarm.</li>
 *   <li>{@link dev.jvmm.devices.Syscon}: the power-off/reboot finisher.</li>
 * </ul>
 *
 * <h3>What a device knows</h3>
 * Each device is an {@link dev.jvmm.memory.MmioDevice} that sees only its own register window,
 * the {@link dev.jvmm.memory.InterruptLine}s it drives and a host back end (a stream, a
 * {@link dev.jvmm.memory.Clock}, a listener). Devices know nothing of CPUs, of the board's
 * memory map or of what is at the far end of a line. Every guest access is checked: unknown
 * offsets read 0 and ignore writes, and nothing the guest does throws out of a device.
 *
 * <h3>Threads</h3>
 * Registers are accessed from hart threads; host input, timers and alarms arrive on other
 * threads. Each device guards its own state and may drive its lines while holding its lock,
 * so line sinks must not call back into the device that drives them. While the machine is
 * paused, {@link dev.jvmm.devices.Uart16550#quiesce()} holds the UART's input thread off and
 * {@link dev.jvmm.devices.GoldfishRtc#quiesce()} the RTC's alarm; the CLINT's timer thread only
 * follows the machine's clock, which stands still while paused (see its doc).
 *
 * <h3>Snapshots and migration</h3>
 * Every device with guest-visible state is a {@link dev.jvmm.memory.state.Stateful}: the
 * CLINT, the PLIC, the UART, the RTC and each virtio-mmio slot (the transport's record carries
 * its device's). A restore goes into a freshly built device of the same configuration, checks
 * the whole record before it changes anything, and drives the device's interrupt lines to match
 * the restored state; re-driving is idempotent, so devices, PLIC and harts may be restored in
 * any order. The syscon holds no state.
 */
package dev.jvmm.devices;

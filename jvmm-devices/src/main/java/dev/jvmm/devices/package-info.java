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
 * so line sinks must not call back into the device that drives them.
 */
package dev.jvmm.devices;

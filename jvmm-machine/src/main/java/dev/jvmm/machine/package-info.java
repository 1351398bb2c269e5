/**
 * The board: {@link dev.jvmm.machine.VirtMachine} assembles QEMU's {@code virt} machine
 * from a {@link dev.jvmm.machine.MachineConfig} (RAM, harts, CLINT, PLIC, UART, RTC, test
 * finisher at the {@link dev.jvmm.machine.VirtBoard} addresses, and the virtio devices of
 * {@link dev.jvmm.machine.DeviceConfig}: disks, entropy, console, network cards on jvmm-net's
 * user-mode networking), writes the device tree
 * that describes exactly that ({@link dev.jvmm.machine.VirtDeviceTree}), loads the boot
 * images ({@code boot}), answers SBI calls when a Linux {@code Image} runs without firmware
 * ({@code firmware}), serves bare ELF test programs through HTIF and writes their signature
 * ({@code htif}; see {@link dev.jvmm.machine.BootMode}), and runs the harts until an
 * {@link dev.jvmm.machine.ExitReason}.
 *
 * <h3>What it must not know</h3>
 * The command line: callers hand it a validated configuration and a
 * console stream, and get back why the guest stopped.
 */
package dev.jvmm.machine;

#!/bin/sh
# Runs one built program under QEMU (for debugging by hand); exit status 0 = pass.
exec timeout 20 qemu-system-riscv64 -M virt -m 128M -nographic -bios none -kernel "$@"

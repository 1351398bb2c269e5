#!/bin/sh
# Builds every conformance program into $1 (default ./out). The JUnit harness does the same in Java.
set -e
out=$(realpath -m "${1:-out}"); mkdir -p "$out"
cd "$(dirname "$0")"
for s in *.S; do
  [ "$s" = runtime.S ] && continue
  riscv64-linux-gnu-gcc -nostdlib -nostartfiles -static -no-pie -fno-pic -march=rv64gc -mabi=lp64d \
    -Wl,--build-id=none -Wl,--no-relax -Wl,--no-warn-rwx-segments -T link.ld -o "$out/${s%.S}.elf" runtime.S "$s"
done

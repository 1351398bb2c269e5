#!/usr/bin/env bash
# Disk and network I/O on jvmm and QEMU side by side; see run.py for what it measures and needs.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../../scripts/jdk.sh"
exec python3 "$here/run.py" "$@"

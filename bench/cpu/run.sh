#!/usr/bin/env bash
# cpubench on native, QEMU TCG and jvmm side by side; see run.py for what it measures and needs.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../../scripts/jdk.sh"
exec python3 "$here/run.py" "$@"

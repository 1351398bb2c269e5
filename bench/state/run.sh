#!/usr/bin/env bash
# Snapshots, restores, clones and live migration on jvmm (and QEMU for migration); see run.py.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../../scripts/jdk.sh"
exec python3 "$here/run.py" "$@"

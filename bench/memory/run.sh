#!/usr/bin/env bash
# bench/memory/run.sh — the resident size of a booted 512 MiB guest, guest RAM and jvmm's own
# overhead apart, with the JVM's Native Memory Tracking breakdown, on both engines (see mem.py).
# Needs the default guest (./jvmm image fetch). Arguments go to mem.py (--engines, --memory, ...).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../../scripts/jdk.sh"
"$here/../../jvmm" --version >/dev/null   # build first, so that no boot below waits for Maven
exec python3 "$here/mem.py" "$@"

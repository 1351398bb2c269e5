#!/usr/bin/env bash
# JMH micro-benchmarks of jvmm's CPU inner paths (module jvmm-bench), with short default
# iterations; prints ns/op and, where an op is one guest instruction, guest MIPS.
#
# usage: bench/jmh/run.sh [--json FILE] [JMH options and benchmark regexps ...]
#   e.g. bench/jmh/run.sh GuestLoop -p engine=JIT     (java -jar jvmm-bench/target/benchmarks.jar -h lists them)
# Defaults, from the benchmark classes' annotations: 1 fork, 3 warm-up and 5 measured iterations
# of 1 s each (TranslateBenchmark: 10 warm-ups); options given here (-f, -wi, -i, -w, -r) override
# them. About 2 minutes in all. Builds jvmm-bench/target/benchmarks.jar first when it is missing or
# older than a source it is made from.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$repo/scripts/jdk.sh"
jar=$repo/jvmm-bench/target/benchmarks.jar

json=
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --json) json=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done

stale() {
  [ ! -f "$jar" ] && return 0
  [ -n "$(find "$repo/pom.xml" "$repo"/jvmm-{bench,cpu-riscv,memory}/pom.xml \
      "$repo"/jvmm-{bench,cpu-riscv,memory}/src/main -newer "$jar" -print -quit 2>/dev/null)" ]
}
if stale; then
  echo "jmh: building jvmm-bench/target/benchmarks.jar..." >&2
  (cd "$repo" && ./mvnw -q -Dmaven.test.skip=true -pl jvmm-bench -am package)
fi

out=${json:-$(mktemp --suffix=.json)}
# The forks inherit these options. JMH 1.37 still calls sun.misc.Unsafe (a warning on JDK 25).
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -jar "$jar" \
  -rf json -rff "$out" "${args[@]+"${args[@]}"}"
echo
python3 "$here/summary.py" "$out"
[ -n "$json" ] && echo "raw JMH results in $json" || rm -f "$out"

# Sourced by jvmm: the JVM's startup cache (JDK 25's AOT cache, JEP 483/514/515: the classes a
# boot loads, already parsed and linked, and the method profiles of a training boot, so HotSpot
# compiles the hot paths sooner).
#
# startup_cache_options COMMAND sets the array startup_cache to the java options that use the
# cache, or to nothing. When the cache is missing or older than the jar (or was made for another
# JDK or other JVM options) and COMMAND boots a guest, it first makes the cache from a short
# training boot of the default guest (if it is in the user cache: training never downloads).
# A cache that the JVM cannot use is ignored silently, and a cache is never used half-written:
# it is written under a temporary name and renamed. Only one launcher trains at a time (the
# others run without the cache meanwhile). JVMM_AOT=0 turns the cache off.
#
# Needs: $JAVA_HOME, $jar, and the array java_opts (the options the cache is made for).

startup_cache_training_seconds=${JVMM_AOT_TRAINING_SECONDS:-20}

# Sets startup_cache to the cache's file name, which carries a checksum of what the cache is made
# for: the JDK's version and the options. Shell builtins only, here and in startup_cache_fresh: this runs on every launch, and
# on a busy machine each process costs milliseconds.
startup_cache_file() {
  local release= line id="$JAVA_HOME ${java_opts[*]}" hash=5381 i
  if [ -r "$JAVA_HOME/release" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      case "$line" in JAVA_RUNTIME_VERSION=*) release=$line; break ;; esac
    done <"$JAVA_HOME/release"
  fi
  id+=" $release"
  for ((i = 0; i < ${#id}; i++)); do
    printf -v line '%d' "'${id:i:1}"
    hash=$(( (hash * 33 + line) & 0xffffffff ))
  done
  startup_cache="${jar%/*}/jvmm-cli-$hash.aot"
}

# True if FILE exists and neither the jar nor a library in lib/ is newer.
startup_cache_fresh() {
  local f
  [ -f "$1" ] && [ ! "$jar" -nt "$1" ] && [ ! "${jar%/*}/lib" -nt "$1" ] || return 1
  for f in "${jar%/*}"/lib/*.jar; do
    [ "$f" -nt "$1" ] && return 1
  done
  return 0
}

startup_cache_image_dir() {
  local base=${XDG_CACHE_HOME:-}
  case "$base" in /*) ;; *) base=${HOME:-/nonexistent}/.cache ;; esac
  echo "$base/jvmm/debian-trixie-riscv64"
}

# Boots the default guest (translator engine, so the translator's classes are in the cache too)
# until its init has run a trivial program and powered off, or for at most
# $startup_cache_training_seconds; the JVM records what it loaded and profiled at its exit.
# Then assembles the cache from that record. Output goes to a log beside the jar.
startup_cache_train() {
  local cache=$1 images=$2 conf tmp start log pid
  conf=$cache.$$.conf tmp=$cache.$$.tmp start=$cache.$$.start log=${jar%/*}/jvmm-cli.aot.log
  echo "jvmm: preparing the startup cache..." >&2
  # (set -e holds in a trap too: hence the || true.)
  trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$conf" "$tmp" "$start"; exit 130' INT TERM HUP
  : >"$start"
  # In the background so that a signal to the launcher is handled at once (the trap above).
  timeout -k 10 "$startup_cache_training_seconds" "$JAVA_HOME/bin/java" "${java_opts[@]}" \
    -XX:AOTMode=record -XX:AOTConfiguration="$conf" -jar "$jar" run --engine jit \
    --kernel "$images/Image" --initrd "$images/initramfs.cpio.gz" \
    --append "console=ttyS0 quiet jvmm.run=/bin/true" </dev/null >"$log" 2>&1 &
  pid=$!
  wait "$pid" || true
  if [ -s "$conf" ]; then
    timeout -k 10 120 "$JAVA_HOME/bin/java" "${java_opts[@]}" -XX:AOTMode=create \
      -XX:AOTConfiguration="$conf" -XX:AOTCache="$tmp" -jar "$jar" </dev/null >>"$log" 2>&1 &
    pid=$!
    wait "$pid" || true
  fi
  trap - INT TERM HUP
  rm -f "$conf"
  # A jar rebuilt meanwhile (by another launcher or by hand) makes this cache useless.
  if [ -s "$tmp" ] && startup_cache_fresh "$start" && mv -f "$tmp" "$cache"; then
    rm -f "$start"
    return 0
  fi
  rm -f "$tmp" "$start"
  return 1
}

startup_cache_options() {
  startup_cache=()
  [ "${JVMM_AOT:-1}" = 0 ] && return 0
  # Options of the user's that choose another archive or cache, or none, conflict with ours.
  case "${JVMM_JAVA_OPTS:-}" in
    *-Xshare*|*SharedArchiveFile*|*AOT*|*ArchiveClassesAtExit*|*SharedClassListFile*|*DumpLoadedClassList*) return 0 ;;
  esac
  local cache dir=${jar%/*} lock_fd images
  startup_cache_file
  cache=$startup_cache startup_cache=()
  if ! startup_cache_fresh "$cache"; then
    case "${1:-}" in run|restore) ;; *) return 0 ;; esac
    images=$(startup_cache_image_dir)
    # Without the default guest there is nothing to train on yet: try again next time.
    [ -f "$images/Image" ] && [ -f "$images/initramfs.cpio.gz" ] && [ -w "$dir" ] || return 0
    # A training that failed for this jar is not repeated until the jar changes.
    startup_cache_fresh "$cache.failed" && return 0
    if command -v flock >/dev/null 2>&1; then
      { exec {lock_fd}>"$dir/jvmm-cli.aot.lock"; } 2>/dev/null || return 0
      if ! flock -n "$lock_fd"; then
        exec {lock_fd}>&-
        return 0   # another launcher is training: run without the cache this time
      fi
    fi
    if ! startup_cache_fresh "$cache"; then
      rm -f "$dir"/jvmm-cli-*.aot "$dir"/jvmm-cli-*.aot.failed
      startup_cache_train "$cache" "$images" || : >"$cache.failed"
    fi
    [ -n "${lock_fd:-}" ] && exec {lock_fd}>&-
    startup_cache_fresh "$cache" || return 0
  fi
  # -Xlog:aot*=off: a cache the JVM refuses (damaged, other JDK) must not print on the guest's console.
  startup_cache=(-XX:AOTCache="$cache" -Xlog:aot*=off)
}

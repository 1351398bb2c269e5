# Sourced by mvnw and jvmm: sets JAVA_HOME to a JDK 25 or exits with status 2.
# The JDK's major version: from its release file with shell builtins only (this runs on every
# launch, and a process costs milliseconds), else by asking its java.
java_major() {
  local line v=
  if [ -r "$1/release" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      case "$line" in JAVA_VERSION=\"*) v=${line#JAVA_VERSION=\"}; v=${v%%[.\"+-]*}; break ;; esac
    done <"$1/release"
  fi
  if [ -n "$v" ]; then echo "$v"; return; fi
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/{print $2; exit}'
}

find_jdk25() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(java_major "$JAVA_HOME")" = 25 ]; then
    echo "$JAVA_HOME"; return 0
  fi
  local d
  for d in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25*; do
    if [ -x "$d/bin/javac" ] && [ "$(java_major "$d")" = 25 ]; then echo "$d"; return 0; fi
  done
  echo "$(basename "$0"): no JDK 25 found: set JAVA_HOME to a JDK 25 (e.g. /usr/lib/jvm/temurin-25-jdk-amd64)" >&2
  exit 2
}

JAVA_HOME="$(find_jdk25)"
export JAVA_HOME

# Sourced by the launcher (./vecdrop) and integrations/jmh.sh: sets `java` to the first JDK 25+ among
# VECDROP_JAVA_HOME, JAVA_HOME and /usr/lib/jvm/*, read from each home's release file, or exits 2 saying why.
# $1 names the caller in the messages.

# The first JDK 25+ among the given homes.
find_java_in() {
  local home version
  for home in "$@"; do
    [ -n "$home" ] && [ -x "$home/bin/java" ] && [ -f "$home/release" ] || continue
    version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
    if [ -n "$version" ] && [ "$version" -ge 25 ]; then
      echo "$home/bin/java"
      return 0
    fi
  done
  return 1
}

# VECDROP_JAVA_HOME is asked for by name: one that is no JDK 25+ is an error, not skipped (JAVA_HOME, often another
# JDK's, is skipped).
if [ -n "${VECDROP_JAVA_HOME:-}" ] && ! find_java_in "$VECDROP_JAVA_HOME" >/dev/null; then
  echo "$1: VECDROP_JAVA_HOME=$VECDROP_JAVA_HOME is not a JDK 25 or newer" >&2
  exit 2
fi
java=$(find_java_in "${VECDROP_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/*) || {
  echo "$1: needs a JDK 25 or newer; set JAVA_HOME or VECDROP_JAVA_HOME to one (none under /usr/lib/jvm)" >&2
  exit 2
}

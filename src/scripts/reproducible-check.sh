#!/usr/bin/env bash
# Proves the build is reproducible: builds the published files (main, -sources and -javadoc jars, the SBOM)
# twice from this tree, `clean` in between, tests skipped, and compares their SHA-256. Exit 0 and one line
# per file when every pair is identical; exit 1 naming the files that differ (and keeping both copies under
# target/reproducible-check/ to diff) otherwise; exit 2 if a build fails or misses a file. Extra arguments go
# to both Maven runs (e.g. -o, which leaves out the SBOM).
# Takes about a minute: two `mvn clean package` without tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

files=(vecdrop.jar sources.jar javadoc.jar bom.json bom.xml)
# The CycloneDX plugin's makeBom declares that it needs online mode: Maven skips it (with a warning) under -o.
for arg in "$@"; do
  if [ "$arg" = -o ] || [ "$arg" = --offline ]; then
    files=(vecdrop.jar sources.jar javadoc.jar)
    echo "reproducible-check: offline, so no SBOM to compare (makeBom needs online mode)" >&2
  fi
done
keep="$(mktemp -d)"
trap 'rm -rf "$keep"' EXIT

build() { # $1: run number; copies this run's files to $keep/$1 under the short names above
  echo "reproducible-check: build $1 ..." >&2
  mvn -B -q clean package -DskipTests -Dinvoker.skip=true "${@:2}" >"$keep/build-$1.log" 2>&1 || {
    cat "$keep/build-$1.log" >&2
    echo "reproducible-check: build $1 failed" >&2
    exit 2
  }
  mkdir -p "$keep/$1"
  local f src
  for f in "${files[@]}"; do
    case "$f" in
      vecdrop.jar) src=target/vecdrop.jar ;;
      bom.*) src="target/$f" ;;
      *) src=$(ls target/vecdrop-*-"$f") ;; # sources.jar, javadoc.jar: the version is in the name
    esac
    [ -f "$src" ] || { echo "reproducible-check: build $1 made no $src" >&2; exit 2; }
    cp "$src" "$keep/$1/$f"
  done
}

build 1 "$@"
sleep 2 # zip entry times have a 2 s resolution: builds in the same 2 s could hide a wall-clock timestamp
build 2 "$@"

differ=()
for f in "${files[@]}"; do
  a=$(sha256sum "$keep/1/$f" | cut -d' ' -f1)
  b=$(sha256sum "$keep/2/$f" | cut -d' ' -f1)
  if [ "$a" = "$b" ]; then
    echo "same     $a  $f"
  else
    echo "DIFFERS  $a  $b  $f"
    differ+=("$f")
  fi
done

if [ ${#differ[@]} -gt 0 ]; then
  mkdir -p target/reproducible-check
  cp -r "$keep/1" "$keep/2" target/reproducible-check/
  echo "reproducible-check: FAILED, not reproducible: ${differ[*]} (both copies in target/reproducible-check/)" >&2
  exit 1
fi
echo "reproducible-check: OK, ${#files[@]} files identical over two clean builds"

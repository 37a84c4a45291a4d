#!/usr/bin/env bash
# Runs DieHarder's whole battery (-a) on vecdrop's two streams and summarises it for docs/quality.md:
#   mask:     ./vecdrop mask --format raw at p = 0.5 (one keep bit per element, 64 per word)
#   uniforms: ./vecdrop uniforms --format raw (the 32-bit uniforms u(seed, e) the decisions come from)
# dieharder -g 200 reads raw 32-bit words from stdin. Takes tens of minutes per stream; not part of CI.
# Usage: src/scripts/dieharder.sh [OUT_DIR] [SEED]     (needs: apt-get install dieharder)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$root/target/dieharder}"
seed="${2:-0x5eed5eed5eed5eed}"
command -v dieharder >/dev/null || { echo "dieharder not found: apt-get install dieharder" >&2; exit 2; }
mkdir -p "$out"
"$root/vecdrop" info > "$out/vecdrop-info.txt" 2>&1   # builds on first use, and records the machine

count_bytes='
import os, sys
total = 0
try:
    while True:
        block = sys.stdin.buffer.read(1 << 20)
        if not block:
            break
        sys.stdout.buffer.write(block)
        total += len(block)
except BrokenPipeError:
    pass
with open(sys.argv[1], "w") as f:
    f.write(str(total))
os._exit(0)  # skip the final flush of a closed pipe
'

run() {
  local name=$1; shift
  echo "dieharder -a on the $name stream (seed $seed) ..." >&2
  local start=$SECONDS
  # dieharder stops reading when it is done; the producer then ends on the closed pipe. The middle step
  # counts the bytes dieharder consumed.
  "$root/vecdrop" "$@" --seed "$seed" --format raw 2>/dev/null \
    | python3 -c "$count_bytes" "$out/$name.bytes" \
    | dieharder -a -g 200 > "$out/$name.txt"
  echo "$name: $((SECONDS - start)) s, $(cat "$out/$name.bytes") bytes" >> "$out/durations.txt"
}
: > "$out/durations.txt"
run mask mask --p 0.5
run uniforms uniforms

{
  echo "| stream | PASSED | WEAK | FAILED |"
  echo "|---|---:|---:|---:|"
  for name in mask uniforms; do
    printf '| %s | %s | %s | %s |\n' "$name" \
      "$(grep -c ' PASSED' "$out/$name.txt" || true)" \
      "$(grep -c ' WEAK' "$out/$name.txt" || true)" \
      "$(grep -c ' FAILED' "$out/$name.txt" || true)"
  done
  echo
  echo "$(dieharder -h 2>&1 | grep -m1 -i 'dieharder version' || echo 'dieharder') ; seed $seed; $(cat "$out/durations.txt" | tr '\n' ' ')"
} | tee "$out/summary.md"

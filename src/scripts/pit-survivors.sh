#!/usr/bin/env bash
# Prints PIT's totals and every surviving or uncovered mutant as markdown table rows for docs/quality.md
# ("Mutation testing"). Run after `mvn -B -Pmutation verify`.
# Usage: src/scripts/pit-survivors.sh [MUTATIONS_XML] [PREVIOUS_MD]
#   MUTATIONS_XML  default target/pit-reports/mutations.xml
#   PREVIOUS_MD    default docs/quality.md: a row whose first three cells (where, mutator, what) match a row
#                  there keeps that row's status, so only new survivors need a verdict ("TODO").
# Line numbers move when code is edited: a moved survivor shows up as TODO and its old row must be re-keyed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
xml="${1:-$root/target/pit-reports/mutations.xml}"
previous="${2:-$root/docs/quality.md}"
[ -f "$xml" ] || { echo "no $xml: run mvn -B -Pmutation verify first" >&2; exit 2; }

python3 - "$xml" "$previous" <<'EOF'
import os, re, sys
import xml.etree.ElementTree as ET

xml, previous = sys.argv[1], sys.argv[2]
known = {}
if os.path.exists(previous):
    for line in open(previous, encoding="utf-8"):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 4:
            known[tuple(cells[:3])] = " | ".join(cells[3:])

mutations = ET.parse(xml).getroot().findall("mutation")
counts = {}
for m in mutations:
    counts[m.get("status")] = counts.get(m.get("status"), 0) + 1
total = len(mutations)
killed = counts.get("KILLED", 0) + counts.get("TIMED_OUT", 0) + counts.get("MEMORY_ERROR", 0)
covered = total - counts.get("NO_COVERAGE", 0)
print("mutants: %d; killed (incl. timed out): %d; survived: %d; no coverage: %d; other: %s" % (
    total, killed, counts.get("SURVIVED", 0), counts.get("NO_COVERAGE", 0),
    {k: v for k, v in counts.items() if k not in ("KILLED", "TIMED_OUT", "MEMORY_ERROR", "SURVIVED", "NO_COVERAGE")}))
if total:
    print("mutation score: %.1f%% (killed / all); test strength: %.1f%% (killed / covered)" % (
        100.0 * killed / total, 100.0 * killed / covered if covered else 0.0))
print()
print("| where | mutator | what | status |")
print("|---|---|---|---|")
rows = []
for m in mutations:
    status = m.get("status")
    if status not in ("SURVIVED", "NO_COVERAGE"):
        continue
    cls = m.findtext("mutatedClass").rsplit(".", 1)[-1]
    where = "`%s:%s`" % (cls, m.findtext("lineNumber"))
    mutator = m.findtext("mutator").rsplit(".", 1)[-1].replace("Mutator", "")
    what = "`%s`: %s" % (m.findtext("mutatedMethod"), m.findtext("description").replace("|", "\\|"))
    key = (where, mutator, what)
    verdict = known.get(key, "TODO" + (" (no coverage)" if status == "NO_COVERAGE" else ""))
    rows.append((cls, int(m.findtext("lineNumber")), "| %s | %s | %s | %s |" % (where, mutator, what, verdict)))
for _, _, row in sorted(rows):
    print(row)
EOF

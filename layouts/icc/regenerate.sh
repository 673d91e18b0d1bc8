#!/usr/bin/env bash
# Regenerate layouts/icc/FOGRA39L-coated.icc from the FOGRA39 characterisation data.
#
# Needs Debian's `argyll` (colprof) and `icc-profiles-free` (FOGRA39L.ti3):
#     apt-get install -y argyll icc-profiles-free
# See README.md beside this script for provenance and licence.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
ti3="/usr/share/color/icc/FOGRA39L.ti3"
[ -f "$ti3" ] || { echo "regenerate.sh: $ti3 missing: apt-get install -y icc-profiles-free" >&2; exit 1; }
command -v colprof >/dev/null || { echo "regenerate.sh: colprof missing: apt-get install -y argyll" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$ti3" "$work/FOGRA39L.ti3"
(cd "$work" && colprof -qm -D"FOGRA39L coated" FOGRA39L)
cp "$work/FOGRA39L.icc" "$here/FOGRA39L-coated.icc"
echo "wrote $here/FOGRA39L-coated.icc"

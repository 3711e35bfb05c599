#!/usr/bin/env bash
# The calibration reports in docs/simulator.md, regenerated (never edited by hand): the
# Birmingham preset at full size (102,000 new children over two years, ~6 minutes on 2 cores)
# against the seeds, and the england preset's national targets at a 40th of its size (the same
# 102,000: every measure but the contacts a year is a rate, so it compares at any size). Two years
# to START (default 2024-11-30, CASETRAIL_CALIBRATION_START), seed 1; a run with a refused
# command fails (exit 7) and changes nothing. CASETRAIL_CALIBRATION_KEEP=DIR keeps each run's
# log in DIR/<preset> (to read the README's tour numbers from it, e.g. casetrail plo).
# Usage: scripts/calibrate.sh [birmingham|england|all]   (default all)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/docs-block.sh
[[ -x build/casetrail ]] || scripts/build.sh
start=${CASETRAIL_CALIBRATION_START:-2024-11-30}
which=${1:-all}
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)

run() {
  local name=$1
  shift
  local dir
  dir=$(mktemp -d)
  echo "calibrate: $name: casetrail simulate $* --years 2 --start $start --seed 1" >&2
  local t0=$SECONDS
  build/casetrail simulate --data "$dir/data" "$@" --years 2 --start "$start" --seed 1 >"$dir/out.txt"
  local took=$((SECONDS - t0))
  {
    echo "Measured $(date -u +%F) (${cpu:-unknown CPU}, $(nproc) cores; the run and its report took ${took} s):"
    echo
    sed -n '3,$p' "$dir/data/calibration.md"
  } >"$dir/block.md"
  replace_docs_block docs/simulator.md "calibration-$name" "$dir/block.md"
  grep -E "^  (history|children|commands|refusals|elapsed)" "$dir/out.txt" >&2
  if [[ -n ${CASETRAIL_CALIBRATION_KEEP:-} ]]; then
    mkdir -p "$CASETRAIL_CALIBRATION_KEEP"
    rm -rf "${CASETRAIL_CALIBRATION_KEEP:?}/$name"
    mv "$dir/data" "$CASETRAIL_CALIBRATION_KEEP/$name"
  fi
  rm -rf "$dir"
}

case $which in
  birmingham) run birmingham --preset birmingham ;;
  england) run england --preset england --children 102000 ;;
  all)
    run birmingham --preset birmingham
    run england --preset england --children 102000
    ;;
  *) echo "usage: scripts/calibrate.sh [birmingham|england|all]" >&2; exit 2 ;;
esac
echo "calibrate: docs/simulator.md updated" >&2

#!/usr/bin/env bash
# The main job: install what is missing, build, and serve the web UI (http://127.0.0.1:8080/, sign
# in with a demo token) and the HTTP API (docs/api.md) over the event log in ./casetrail-data.
#
# The first time (an empty or missing data directory) it simulates a Birmingham-sized caseload
# through the real command pipeline (docs/simulator.md: about 100,000 children new over the last
# two years and the histories of the ~26,000 the Trust held when they began, ~4 M events; 5-6
# minutes; it ends with the calibration report against the seeds), adds the four demo children
# of the README's tour, and writes
# demo tokens for each kind of user (printed once). A second start reuses the data.
# Stop it with Ctrl-C: subscriptions end cleanly and in-flight requests drain.
#
# Environment: CASETRAIL_DATA (default casetrail-data); CASETRAIL_PRESET=birmingham (default),
# small (2,000 children, seconds) or none (the four demo children only).
# Arguments are passed to `casetrail serve` (e.g. --listen 0.0.0.0:9000).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
data=${CASETRAIL_DATA:-casetrail-data}
preset=${CASETRAIL_PRESET:-birmingham}
if [[ ! -d $data || -z $(ls -A "$data" 2>/dev/null) ]] && [[ $preset != none ]]; then
  start=$(date -u -d '2 years ago 7 days ago' +%F)
  case $preset in
    birmingham) size=(--preset birmingham) ;;
    small) size=(--children 2000) ;;
    *) echo "run.sh: CASETRAIL_PRESET must be birmingham, small or none" >&2; exit 2 ;;
  esac
  echo "casetrail: first start: simulating a caseload (${size[*]}, two years from $start) into $data"
  rm -rf "$data.loading"
  # Into a side directory, moved in place only when complete: an interrupted first start
  # simulates again next time instead of serving half a caseload.
  build/casetrail simulate --data "$data.loading" "${size[@]}" --years 2 --start "$start" --seed 1
  rm -rf "$data"
  mv "$data.loading" "$data"
fi
exec build/casetrail serve --demo --data "$data" "$@"

#!/usr/bin/env bash
# Replay and projection rebuild over a *simulated* log of at least 10 million events (issue 6's
# workload): `casetrail simulate` writes the log through the real command pipeline (every event
# decided by the workflows), then case_bench --log rebuilds the five projections over it, scans
# it bare, and runs PostgreSQL's ordered scan of the same events in the same run. The results
# replace the "sim-replay-results" block of docs/benchmarks.md.
#
#   scripts/bench-sim-replay.sh                 simulate (or reuse) and measure, rewrite the docs
#   SIM_CHILDREN=720000 SIM_DIR=... scripts/bench-sim-replay.sh     a fifth of England, quicker
#
# The default is the simulator's England preset: 4,080,000 children over two years, ~60 M
# events, ~430,000 children open on an average day. The log is kept in SIM_DIR (default
# $BUILD_DIR/sim-replay-log, ~12 GB; PostgreSQL's copy needs ~35 GB more while it runs) and
# reused by the next run when its simulation finished (a marker file records the command).
# On the reference machine (2 cores): simulating takes about 35 minutes (58.8 M events at
# ~17,000 commands/s, measured 2026-12-06), measuring about 15 without PostgreSQL (pass
# --no-postgres) and about 40 with it (25 of them copying the events into PostgreSQL).
# SIM_CHILDREN=720000 (~10.4 M events): 11 and 7 minutes. Extra arguments go to case_bench.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=${BUILD_DIR:-build}
children=${SIM_CHILDREN:-4080000}
years=${SIM_YEARS:-2}
seed=${SIM_SEED:-1}
start=${SIM_START:-2022-04-01}
dir=${SIM_DIR:-$build/sim-replay-log}

scripts/install-deps.sh
if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCASETRAIL_TESTS=ON -DCASETRAIL_BENCH=ON >/dev/null
fi
cmake --build "$build" --target casetrail case_bench -j2 >/dev/null

sim_cmd="casetrail simulate --data DIR --children $children --years $years --seed $seed --start $start"
marker=$dir/SIMULATED
if [[ -f $marker ]] && [[ $(sed -n 1p "$marker") == "$sim_cmd" ]]; then
  echo "bench-sim-replay.sh: reusing the simulated log in $dir" >&2
else
  rm -rf "$dir" "$dir.loading"
  echo "bench-sim-replay.sh: $sim_cmd" >&2
  "$build/casetrail" simulate --data "$dir.loading" --children "$children" --years "$years" --seed "$seed" \
    --start "$start" >"$build/sim-replay-summary.txt"
  mv "$dir.loading" "$dir"
  { echo "$sim_cmd"; cat "$build/sim-replay-summary.txt"; } >"$marker"
fi
summary=$(sed -n '2,$p' "$marker" | grep -E '^ +(children|commands|events|elapsed)' | sed 's/^ *//; s/  */ /g' | paste -sd ';' - | sed 's/;/; /g')
note="written by \`$sim_cmd\` (through \`CaseService\`, every event decided by the workflows; bulk, non-durable): $summary"

out=$build/sim-replay.md
"$build/tests/bench/case_bench" --log "$dir" --log-note "$note" --out "$out" "$@"
source "$root/scripts/docs-block.sh"
replace_docs_block docs/benchmarks.md sim-replay-results "$out"
echo "bench-sim-replay.sh: results written to docs/benchmarks.md (Replay over a simulated log)" >&2

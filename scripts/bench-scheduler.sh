#!/usr/bin/env bash
# The scheduler over a Birmingham-sized simulated caseload (issue 21): the time to find and write
# a day's due events (breaches, reminders, birthdays; durable), and command latency with and
# without the scheduler in the same run. The results replace the "scheduler-results" block of
# docs/benchmarks.md.
#
#   scripts/bench-scheduler.sh            simulate (or reuse) and measure, rewrite the docs
#
# The caseload is the simulator's Birmingham preset (102,000 children over two years, ~14,000
# open at the end), kept in SCHED_DIR (default $BUILD_DIR/scheduler-bench, ~1 GB) and reused by
# the next run; each run measures a fresh copy of it. On the reference machine (2 cores):
# about 90 s to simulate, under a minute to measure. Extra arguments go to scheduler_bench.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=${BUILD_DIR:-build}
dir=${SCHED_DIR:-$build/scheduler-bench}

scripts/install-deps.sh
if [[ ! -f $build/CMakeCache.txt ]]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCASETRAIL_TESTS=ON -DCASETRAIL_BENCH=ON >/dev/null
fi
cmake --build "$build" --target scheduler_bench -j2 >/dev/null

out=$build/scheduler-bench.md
"$build/tests/bench/scheduler_bench" --dir "$dir" --out "$out" "$@"
source "$root/scripts/docs-block.sh"
replace_docs_block docs/benchmarks.md scheduler-results "$out"
echo "bench-scheduler.sh: results written to docs/benchmarks.md (The scheduler)" >&2

#!/usr/bin/env bash
# Every benchmark of the project in one go. Each suite rewrites its generated block of
# docs/benchmarks.md with the machine, the command, every figure as the median (min-max) of
# repeated runs and the peer measured in the same run:
#   1. the event store against PostgreSQL and SQLite (durable and bulk appends at 1, 8 and 64
#      writers, stream reads, full replay; the disk's raw fsync rate)  scripts/bench-event-store.sh
#   2. the workflows (one action, a 1,000-event rebuild; printed: that section is by hand)
#                                                                          workflow_bench
#   3. the case service: commands through the pipeline at 64 clients against PostgreSQL, the
#      projections rebuilt over a 10-million-event caseload, as-of queries scripts/bench-case.sh
#   4. the HTTP API: reads and durable writes with wrk, SSE fan-out to 100 subscribers
#                                                                          scripts/bench-http.sh
#   5. replay and the projections rebuilt over a simulated log of 10+ million events (720,000
#      children through `casetrail simulate`), against PostgreSQL's ordered scan
#                                                                          scripts/bench-sim-replay.sh
#
#   scripts/bench-all.sh            the full suite (about 30 minutes with the simulated log of step 5
#                                   kept from a previous run, 55 without; takes both cores; run by hand,
#                                   commit docs/benchmarks.md)
#   scripts/bench-all.sh --smoke    every benchmark tiny, in about two minutes (what CI runs as
#                                   the ctest label "bench"); changes no docs
#
# Environment: BUILD_DIR (default build/).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=${BUILD_DIR:-build}
export BUILD_DIR=$build

scripts/install-deps.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCASETRAIL_TESTS=ON -DCASETRAIL_BENCH=ON >/dev/null
cmake --build "$build" -j2 >/dev/null

if [[ ${1:-} == --smoke ]]; then
  cd "$build"
  exec ctest -L bench --output-on-failure
fi

start=$(date +%s)
step() { echo; echo "== $* ($(( $(date +%s) - start )) s so far)"; }
step "1/5 event store"
scripts/bench-event-store.sh
step "2/5 workflows"
"$build/tests/bench/workflow_bench"
step "3/5 case service, projections and replay"
scripts/bench-case.sh
step "4/5 HTTP API and subscriptions"
scripts/bench-http.sh --repeat 3 --seconds 15 --update-docs
step "5/5 replay over a simulated log"
scripts/bench-sim-replay.sh --rebuild-repeat 3   # the one-pass rebuild three times: median (min-max)
step "done: docs/benchmarks.md rewritten"

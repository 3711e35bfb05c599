#!/usr/bin/env bash
# Builds event_store_bench and runs it: casetrail's event log against PostgreSQL and SQLite on
# this machine (see docs/benchmarks.md).
#
#   scripts/bench-event-store.sh                  full run (--repeat 3, ~5-10 min, takes all cores);
#                                                 the results replace the generated block of the
#                                                 "Event store" section of docs/benchmarks.md
#   scripts/bench-event-store.sh ARGS...          run with event_store_bench ARGS (e.g. --smoke,
#                                                 --systems casetrail --replay-events 10000000);
#                                                 prints the report, leaves the docs alone
#   scripts/bench-event-store.sh --update-docs ARGS...   run with ARGS and update the docs too
#
# Environment: BUILD_DIR (default build/), JOBS (default 2).
# Needs libpq-dev, libsqlite3-dev and the postgresql server package (initdb, pg_ctl).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD_DIR:-build}
jobs=${JOBS:-2}
cd "$root"

update_docs=0
if [[ $# -eq 0 ]]; then
  update_docs=1
  set -- --repeat 3
elif [[ $1 == --update-docs ]]; then
  update_docs=1
  shift
fi

# Configure when the build dir does not know the target yet (the benchmark lives under tests/).
if [[ ! -f $build/CMakeCache.txt ]] ||
   ! cmake --build "$build" --target help 2>/dev/null | grep -q 'event_store_bench'; then
  cmake -S . -B "$build" -DCASETRAIL_TESTS=ON -DCASETRAIL_BENCH=ON
fi
cmake --build "$build" --target event_store_bench -j "$jobs"

bin=$build/tests/bench/event_store_bench
if [[ $update_docs -eq 0 ]]; then
  exec "$bin" "$@"
fi

out=$build/event-store-bench.md
"$bin" "$@" --out "$out"

source "$root/scripts/docs-block.sh"
replace_docs_block docs/benchmarks.md event-store-results "$out"
doc=docs/benchmarks.md
echo "bench-event-store.sh: results written to $doc (Event store section)" >&2

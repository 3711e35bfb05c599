#!/usr/bin/env bash
# Builds case_bench and runs it: the case service, projections and replay against PostgreSQL on
# this machine (see docs/benchmarks.md, "Case service, projections and replay").
#
#   scripts/bench-case.sh                  full run (--repeat 3: the pipeline at 64 clients, a
#                                          10-million-event caseload generated and rebuilt, as-of
#                                          queries; ~15-25 min, takes all cores); the results
#                                          replace the generated block of that section of
#                                          docs/benchmarks.md
#   scripts/bench-case.sh ARGS...          run with case_bench ARGS (e.g. --smoke, or
#                                          --phases pipeline); prints the report, leaves the docs
#                                          alone
#   scripts/bench-case.sh --update-docs ARGS...   run with ARGS and update the docs too
#
# Environment: BUILD_DIR (default build/), JOBS (default 2).
# Needs libpq-dev and the postgresql server package (initdb, pg_ctl).
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
   ! cmake --build "$build" --target help 2>/dev/null | grep -q 'case_bench'; then
  cmake -S . -B "$build" -DCASETRAIL_TESTS=ON -DCASETRAIL_BENCH=ON
fi
cmake --build "$build" --target case_bench -j "$jobs"

bin=$build/tests/bench/case_bench
if [[ $update_docs -eq 0 ]]; then
  exec "$bin" "$@"
fi

out=$build/case-bench.md
"$bin" "$@" --out "$out"

source "$root/scripts/docs-block.sh"
replace_docs_block docs/benchmarks.md case-results "$out"
doc=docs/benchmarks.md
echo "bench-case.sh: results written to $doc (Case service, projections and replay section)" >&2

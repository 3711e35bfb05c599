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
cd "$root"
source scripts/bench-run.sh
run_bench case_bench case-results "Case service, projections and replay section" "$@"

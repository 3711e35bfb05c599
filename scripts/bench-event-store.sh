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
cd "$root"
source scripts/bench-run.sh
run_bench event_store_bench event-store-results "Event store section" "$@"

#!/usr/bin/env bash
# The main job: install what is missing, build, then serve the HTTP API (docs/api.md) on
# 127.0.0.1:8080 over the event log in ./casetrail-data, loading the demo caseload and writing
# demo tokens (printed once) the first time. Stop it with Ctrl-C: in-flight requests drain.
# Arguments are passed to `casetrail serve` (e.g. --listen 0.0.0.0:9000).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/casetrail serve --demo --data "${CASETRAIL_DATA:-casetrail-data}" "$@"

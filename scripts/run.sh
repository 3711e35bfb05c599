#!/usr/bin/env bash
# The main job: install what is missing, build, then start casetrail on ./casetrail-data
# (loading the demo history the first time). Arguments are passed to `casetrail shell`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/casetrail shell --data "${CASETRAIL_DATA:-casetrail-data}" "$@"

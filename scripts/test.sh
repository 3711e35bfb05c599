#!/usr/bin/env bash
# The whole test suite: install what is missing, build with warnings as errors, run every ctest
# test (labels: unit, fault, bench, browser: the web UI in Debian's chromium). Extra arguments go to
# ctest, e.g. -L unit.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh -DCASETRAIL_WERROR=ON -DCASETRAIL_TESTS=ON
cd build
ctest --output-on-failure "$@"

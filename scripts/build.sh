#!/usr/bin/env bash
# Configures and builds casetrail into ./build (Release, -O2), and the web UI's files into
# ./build/ui (scripts/build-ui.sh; casetrail serve finds them there). Extra arguments go to cmake.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j2
scripts/build-ui.sh build/ui

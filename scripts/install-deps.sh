#!/usr/bin/env bash
# Installs the Debian 12 packages casetrail builds, tests and benchmarks with. Nothing is
# vendored or downloaded from anywhere else. Safe to re-run: installs only what is missing.
set -euo pipefail

PACKAGES=(
  g++ make cmake pkg-config
  libboost1.81-dev          # Asio, Beast, MSM (NOT libboost-dev: that is 1.74 and conflicts)
  librocksdb-dev            # the event log
  nlohmann-json3-dev
  libcli11-dev              # CLI11 2.1 (header-only): the casetrail command line's parsing
  catch2                    # v2, tests
  librdkafka-dev            # Kafka relay
  libssl-dev                # SHA-256 hash chains, TLS
  zlib1g-dev                # gzip for the web UI's files
  libtcmalloc-minimal4      # tcmalloc for the server and benchmarks (CASETRAIL_TCMALLOC)
  libpq-dev postgresql      # PostgreSQL peer in the event-store benchmark
  libsqlite3-dev            # SQLite peer in the event-store benchmark
  wrk curl                  # HTTP benchmark (scripts/bench-http.sh)
  clang                     # clang 14: the fuzz build (scripts/fuzz.sh)
  libclang-rt-14-dev        # libFuzzer, ASan and UBSan runtimes (only Recommended by clang-14)
  llvm-14                   # llvm-symbolizer: file:line in fuzz crash reports
  chromium                  # the web UI's browser tests (web/tests: Playwright drives it)
)
# Node and npm for the web UI's build and browser tests (scripts/build-ui.sh, web/): Debian's
# (Node 18) only when there is no node at all. A machine with nodesource's nodejs (Node 20, as on
# CI) keeps it: Debian's npm cannot be installed next to it (STACK-NOTES).
if ! command -v node >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "casetrail: installing Debian packages: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"

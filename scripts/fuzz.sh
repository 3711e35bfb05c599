#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) into ./build-fuzz and runs each for SECONDS
# (default 30) from its seed corpus in tests/fuzz/corpus/<target>/. New inputs go to
# build-fuzz/corpus/<target>/ (the seeds in git are never written to). A crash, a leak, a timeout
# or a broken invariant fails loudly: the script prints the reproducer and how to replay it.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     TARGET: command, http (default: both)
#
# Extra libFuzzer flags can be given in FUZZ_FLAGS (e.g. FUZZ_FLAGS="-jobs=2 -workers=2").
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-30}"
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then TARGETS=(command http); fi

cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER=clang++ -DCASETRAIL_FUZZ=ON \
  -DCASETRAIL_TESTS=OFF -DCASETRAIL_BENCH=OFF >/dev/null
cmake --build build-fuzz -j2 --target "${TARGETS[@]/#/fuzz_}"

# Symbolized stack traces (llvm-14, installed by scripts/install-deps.sh).
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ] && [ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]; then
  export ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
fi

passed=0
failed=0
for t in "${TARGETS[@]}"; do
  bin="build-fuzz/tests/fuzz/fuzz_$t"
  work="build-fuzz/corpus/$t"
  artifacts="build-fuzz/artifacts/$t"
  rm -rf "$artifacts"
  mkdir -p "$work" "$artifacts"
  echo "fuzz_$t: ${SECONDS_PER_TARGET}s from tests/fuzz/corpus/$t"
  log="build-fuzz/fuzz_$t.log"
  # fuzz_http keeps a log and views across inputs (it grows on purpose), so libFuzzer's per-input
  # leak check would run LSan on almost every input (4x slower); leaks are still checked at exit.
  per_target=()
  if [ "$t" = http ]; then per_target=(-detect_leaks=0); fi
  # -max_len: a request over 8 KiB only meets the header limit; -timeout: the slowest inputs (a
  # verify, or a read of 1000 events, under ASan) take ~60 ms, so 10 s is a hang; -rss_limit_mb:
  # the machine is shared (a run peaks near 600 MB).
  # shellcheck disable=SC2086
  if ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}" \
      "$bin" "$work" "tests/fuzz/corpus/$t" \
      -dict="tests/fuzz/$t.dict" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
      -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 \
      -artifact_prefix="$artifacts/" "${per_target[@]}" ${FUZZ_FLAGS:-} >"$log" 2>&1; then
    grep -E '^(Done|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' "$log" | \
      sed "s/^/fuzz_$t: /" || true
    grep -E 'cov: [0-9]+' "$log" | tail -1 | sed "s/^/fuzz_$t: /" || true
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "=================================================================="
    echo "fuzz_$t FAILED. The end of its log ($log):"
    tail -n 60 "$log"
    echo "------------------------------------------------------------------"
    for f in "$artifacts"/*; do
      [ -e "$f" ] || continue
      echo "reproducer: $f"
      echo "  replay:   $bin $f"
      echo "  base64:   $(base64 -w0 "$f")"
      echo "  (recreate it with: echo '<base64>' | base64 -d > crash; then replay as above)"
    done
    echo "=================================================================="
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

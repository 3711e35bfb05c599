# Sourced by bench-case.sh and bench-event-store.sh (from the repository root):
# run_bench TARGET BLOCK SECTION [ARGS...] builds the benchmark TARGET (tests/bench; configures
# BUILD_DIR with the benchmarks when it does not know the target yet) and runs it:
#   no ARGS                       --repeat 3; the results replace the generated block BLOCK of
#                                 docs/benchmarks.md (SECTION names it in the closing message)
#   ARGS...                       TARGET ARGS; prints the report, leaves the docs alone
#   --update-docs ARGS...         TARGET ARGS, and the docs too
# Environment: BUILD_DIR (default build/), JOBS (default 2).
run_bench() {
  local target=$1 block=$2 section=$3
  shift 3
  local script build=${BUILD_DIR:-build} jobs=${JOBS:-2}
  script=$(basename "$0")

  local update_docs=0
  if [[ $# -eq 0 ]]; then
    update_docs=1
    set -- --repeat 3
  elif [[ $1 == --update-docs ]]; then
    update_docs=1
    shift
  fi

  # Configure when the build dir does not know the target yet (the benchmark lives under tests/).
  if [[ ! -f $build/CMakeCache.txt ]] ||
     ! cmake --build "$build" --target help 2>/dev/null | grep -q "$target"; then
    cmake -S . -B "$build" -DCASETRAIL_TESTS=ON -DCASETRAIL_BENCH=ON
  fi
  cmake --build "$build" --target "$target" -j "$jobs"

  local bin=$build/tests/bench/$target
  if [[ $update_docs -eq 0 ]]; then
    exec "$bin" "$@"
  fi

  local out=$build/${target//_/-}.md
  "$bin" "$@" --out "$out"

  source scripts/docs-block.sh
  replace_docs_block docs/benchmarks.md "$block" "$out"
  local doc=docs/benchmarks.md
  echo "$script: results written to $doc ($section)" >&2
}

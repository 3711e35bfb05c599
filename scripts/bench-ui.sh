#!/usr/bin/env bash
# The web UI's speed (docs/benchmarks.md, "The web UI"): the PLO board and a child's page over a
# caseload's log, rendered in Debian's chromium (web/bench/ui-bench.mjs): the median time from
# the start of the navigation until the page's data is on it, next to the peer measured in the
# same run, the API call the page is built from.
#
#   scripts/bench-ui.sh DATA_DIR [--runs N] [--update-docs]
#       DATA_DIR: a log, e.g. the Birmingham-sized one scripts/run.sh simulates (casetrail-data;
#       stop its server first: one process opens a log). Default --runs 7. --update-docs replaces
#       the generated block of docs/benchmarks.md (also written to BUILD_DIR/ui-bench.md).
#       Screenshots of the pages as measured: BUILD_DIR/ui-bench/NAME.png.
#
# Environment: BUILD_DIR (default build/). The server is started with a token of its own (a case
# progression officer, who sees every child) in a temporary tokens file.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=${BUILD_DIR:-build}
[[ $# -ge 1 && -d $1 ]] || { echo "usage: scripts/bench-ui.sh DATA_DIR [--runs N] [--update-docs]" >&2; exit 2; }
data=$1
shift
runs=7
update_docs=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --update-docs) update_docs=1; shift ;;
    *) echo "bench-ui.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
bin=$build/casetrail
[[ -x $bin && -f $build/ui/index.html ]] || { echo "bench-ui.sh: build first (scripts/build.sh)" >&2; exit 1; }

work=$(mktemp -d /tmp/casetrail-bench-ui.XXXXXX)
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

out=$("$bin" token --user bench.cpo --role case_progression_officer --team legal)
sed -n '3p' <<<"$out" >"$work/tokens"
token=$(sed -n '1s/.*: //p' <<<"$out")

port=$((20000 + RANDOM % 2000))
"$bin" serve --data "$data" --listen "127.0.0.1:$port" --tokens "$work/tokens" --ui "$build/ui" --tick-seconds 0 \
  >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log"; echo "bench-ui.sh: the server stopped" >&2; exit 1; }
  sleep 0.5
done
events=$(curl -sf "http://127.0.0.1:$port/health" | sed -n 's/.*"head_position":\([0-9]*\).*/\1/p')
# The views catch up with the log before the first answer: ask once before measuring.
curl -sf -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/plo"

mkdir -p "$build/ui-bench"
shots=$(cd "$build/ui-bench" && pwd)
results=$(cd web && BASE_URL="http://127.0.0.1:$port" TOKEN=$token RUNS=$runs SCREENSHOTS="$shots" \
  node bench/ui-bench.mjs)
kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""

md=$build/ui-bench.md
{
  echo "Measured $(date -u +%F) on $(nproc) cores ($(chromium --version 2>/dev/null | head -1)), over a log of ${events:-?} events"
  echo "(\`$data\`), median of $runs page loads after one to warm up, with \`scripts/bench-ui.sh $data --runs $runs\`:"
  echo
  echo "| page | rendered (median) | slowest | DOMContentLoaded | peer: its API call alone |"
  echo "|---|---|---|---|---|"
  while read -r line; do
    json=${line#RESULT }
    node -e '
      const r = JSON.parse(process.argv[1]);
      console.log(`| ${r.page} | ${r.rendered_ms} ms | ${r.rendered_max_ms} ms | ${r.dom_content_loaded_ms} ms | ${r.api_ms} ms (\`GET ${r.api_route}\`) |`);
    ' "$json"
  done < <(grep '^RESULT' <<<"$results")
} >"$md"
cat "$md"
if [[ $update_docs == 1 ]]; then
  source scripts/docs-block.sh
  replace_docs_block docs/benchmarks.md ui-results "$md"
fi

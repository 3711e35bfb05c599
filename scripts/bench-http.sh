#!/usr/bin/env bash
# HTTP benchmarks (docs/benchmarks.md, "HTTP API and subscriptions"), all on loopback, in one run:
#   * child-summary reads: wrk, 64 connections, against `casetrail serve`; peer: the same request
#     through Api::Handle in-process (no HTTP), 2 threads;
#   * durable writes: wrk, 64 connections, each request a contact on a new child through the
#     whole pipeline; peer: the same command through Api::Handle in-process, 64 threads;
#   * subscription fan-out: http_bench, 100 SSE subscribers at 5,000 durable events/s, end-to-end
#     latency; peer: one subscriber at the same rate.
#
#   scripts/bench-http.sh [--repeat N] [--seconds S] [--update-docs]
#       default: --repeat 3 --seconds 15 (about 5 minutes); --update-docs replaces the generated
#       block of docs/benchmarks.md with the results (also written to BUILD_DIR/http-bench.md).
#
# Environment: BUILD_DIR (default build/). Needs wrk (scripts/install-deps.sh installs it).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build=${BUILD_DIR:-build}
repeat=3
seconds=15
update_docs=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --repeat) repeat=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --update-docs) update_docs=1; shift ;;
    *) echo "bench-http.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

scripts/install-deps.sh
if [[ ! -f $build/CMakeCache.txt ]] || ! cmake --build "$build" --target help 2>/dev/null | grep -q 'http_bench'; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCASETRAIL_TESTS=ON -DCASETRAIL_BENCH=ON >/dev/null
fi
cmake --build "$build" --target casetrail http_bench -j2 >/dev/null
bin=$build/casetrail
hb=$build/tests/bench/http_bench

work=$(mktemp -d /tmp/casetrail-bench-http.XXXXXX)
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Tokens for the two workloads (a social worker reads her team's child; a CASS worker records contacts).
make_token() {  # user role team -> prints the token, appends the hash line to the tokens file
  local out
  out=$("$bin" token --user "$1" --role "$2" --team "$3")
  sed -n '3p' <<<"$out" >>"$work/tokens"
  sed -n '1s/.*: //p' <<<"$out"
}
sw_token=$(make_token sw.jones social_worker north-1)
cass_token=$(make_token cass.adams cass_worker north-1)

port=$((18000 + RANDOM % 2000))
"$bin" serve --data "$work/data" --listen "127.0.0.1:$port" --tokens "$work/tokens" --demo >"$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -sf "http://127.0.0.1:$port/health" >/dev/null || { cat "$work/serve.log"; echo "the server did not start" >&2; exit 1; }
url="http://127.0.0.1:$port"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $sw_token" "$url/v1/children/1001")
[[ $code == 200 ]] || { echo "reading the demo child answered $code" >&2; exit 1; }

# wrk output -> "rate p99_ms errors"
parse_wrk() {
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec:/ { rate = $2 }
    /^ +99%/ { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { errors += $NF }
    /Socket errors:/ { errors += 1 }
    /^NON201/ { errors += $2 }
    END { printf "%.0f %.2f %d\n", rate, p99, errors }'
}

declare -a read_rate read_p99 write_rate write_p99 ip_read ip_read_p99 ip_write ip_write_p99
declare -a fan_p99 fan_p50 fan_max fan_lost fan_over one_p99
errors=0
for i in $(seq 1 "$repeat"); do
  echo "run $i/$repeat: wrk reads" >&2
  sync  # each measurement starts with no dirty pages of the last one to write back (fsync stalls)
  read -r r p e < <(wrk -t2 -c64 -d"${seconds}s" --latency -H "Authorization: Bearer $sw_token" "$url/v1/children/1001" | parse_wrk)
  read_rate+=("$r"); read_p99+=("$p"); errors=$((errors + e))
  echo "run $i/$repeat: wrk writes" >&2
  sync
  read -r r p e < <(wrk -t2 -c64 -d"${seconds}s" --latency -s scripts/wrk/commands.lua "$url" -- "r$i$RANDOM" "$cass_token" | parse_wrk)
  write_rate+=("$r"); write_p99+=("$p"); errors=$((errors + e))
done
kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
# http_bench, its RESULT line on stdout; a failure prints what it said and stops the script.
# Each run gets a fresh data directory (a log left by the previous run compacts meanwhile).
hb_run() {
  local out rc=0 dir=$work/hb
  rm -rf "$dir"
  sync
  out=$("$hb" "$@" --dir "$dir" 2>"$work/hb.err") || rc=$?
  rm -rf "$dir"
  if [[ $rc -ne 0 ]]; then
    { echo "bench-http.sh: http_bench $* failed (exit $rc):"; echo "$out"; cat "$work/hb.err"; } >&2
    exit 1
  fi
  grep '^RESULT' <<<"$out"
}
for i in $(seq 1 "$repeat"); do
  echo "run $i/$repeat: in-process peers, fan-out" >&2
  line=$(hb_run inprocess --mode reads --threads 2 --seconds "$seconds")
  ip_read+=("$(field rate <<<"$line")"); ip_read_p99+=("$(field p99_ms <<<"$line")")
  line=$(hb_run inprocess --mode writes --threads 64 --seconds "$seconds")
  ip_write+=("$(field rate <<<"$line")"); ip_write_p99+=("$(field p99_ms <<<"$line")")
  line=$(hb_run fanout --subscribers 100 --rate 5000 --seconds 10)
  fan_p50+=("$(field p50_ms <<<"$line")"); fan_p99+=("$(field p99_ms <<<"$line")")
  fan_max+=("$(field max_ms <<<"$line")"); fan_lost+=("$(field lost <<<"$line")")
  fan_over+=("$(field overflows <<<"$line")")
  line=$(hb_run fanout --subscribers 1 --rate 5000 --seconds 10)
  one_p99+=("$(field p99_ms <<<"$line")")
done

# "median (min-max)" of the arguments
stat() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%s|%s|%s\n", m, v[1], v[NR] }'; }
med() { stat "$@" | cut -d'|' -f1; }
fmt() { local s; s=$(stat "$@"); IFS='|' read -r m lo hi <<<"$s"; printf "%s (%s-%s)" "$m" "$lo" "$hi"; }
verdict() { awk -v v="$1" -v t="$2" -v dir="$3" 'BEGIN { ok = (dir == "min") ? v >= t : v <= t; print ok ? "PASS" : "MISS" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
out=$build/http-bench.md
{
  echo "Run $(date -u +%Y-%m-%dT%H:%MZ) on revision \`$rev\`: $(nproc) cores ($cpu), $(free -g | awk '/Mem:/ {print $2}') GiB."
  echo "Command: \`scripts/bench-http.sh --repeat $repeat --seconds $seconds\`. Each figure is the median (min-max) of $repeat runs;"
  echo "wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}') with 2 threads and 64 connections shares the 2 cores with the server."
  echo
  echo "| Measure | casetrail over HTTP | Peer in the same run | Ratio | Target | Result |"
  echo "|---|---:|---:|---:|---|---|"
  echo "| Child summary reads, requests/s | $(fmt "${read_rate[@]}") | $(fmt "${ip_read[@]}") (Api::Handle in-process, 2 threads) | $(ratio "$(med "${read_rate[@]}")" "$(med "${ip_read[@]}")") | >= 20,000 | $(verdict "$(med "${read_rate[@]}")" 20000 min) |"
  echo "| Child summary reads, p99 ms | $(fmt "${read_p99[@]}") | $(fmt "${ip_read_p99[@]}") | | < 10 | $(verdict "$(med "${read_p99[@]}")" 10 max) |"
  echo "| Durable commands, 64 connections, commands/s | $(fmt "${write_rate[@]}") | $(fmt "${ip_write[@]}") (Api::Handle in-process, 64 threads) | $(ratio "$(med "${write_rate[@]}")" "$(med "${ip_write[@]}")") | >= 15,000 | $(verdict "$(med "${write_rate[@]}")" 15000 min) |"
  echo "| Durable commands, p99 ms | $(fmt "${write_p99[@]}") | $(fmt "${ip_write_p99[@]}") | | | |"
  echo "| Fan-out to 100 subscribers at 5,000 events/s, end-to-end p99 ms | $(fmt "${fan_p99[@]}") | $(fmt "${one_p99[@]}") (1 subscriber) | | < 50 | $(verdict "$(med "${fan_p99[@]}")" 50 max) |"
  echo "| Fan-out, p50 / max ms | $(med "${fan_p50[@]}") / $(fmt "${fan_max[@]}") | | | | |"
  echo "| Fan-out, events lost or out of order | $(printf '%s\n' "${fan_lost[@]}" | awk '{ s += $1 } END { print s }') | | | 0 | |"
  echo "| Fan-out, subscribers cut off for falling 4 MiB behind (each resumed from the position given) | $(printf '%s\n' "${fan_over[@]}" | awk '{ s += $1 } END { print s }') in all runs | | | | |"
  echo
  echo "Non-2xx answers during the wrk runs: $errors."
} >"$out"
cat "$out"
if [[ $errors -ne 0 ]]; then echo "bench-http.sh: $errors requests failed" >&2; exit 1; fi

if [[ $update_docs -eq 1 ]]; then
  source scripts/docs-block.sh
  replace_docs_block docs/benchmarks.md http-results "$out"
  doc=docs/benchmarks.md
  echo "updated $doc" >&2
fi

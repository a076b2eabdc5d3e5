#!/usr/bin/env bash
# Instructions per request of the gateway, counted by callgrind: unlike wall
# time, the count does not move with a shared machine's load, so two builds
# can be compared honestly (bench/README.md, "Where the time goes").
# The full pipeline as in bench/run.sh's "full" target (access log, inference
# record), static key, one request in flight, instrumentation switched on
# after a warm-up. Prints the count; with TOP=N also the N costliest functions
# (inclusive). Usage: bench/instructions.sh [STRATA_BIN] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/release/src/cli/strata}
seconds=${2:-10}
loadgen=${LOADGEN:-build/release/bench/loadgen/strata-loadgen}
mock_port=${MOCK_PORT:-4491}
gateway_port=${GATEWAY_PORT:-4492}
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 1; }
dir=$(mktemp -d)
. bench/static_key_config.sh
static_key_config "$dir/strata.yaml" "$gateway_port" "$mock_port" true
"$bin" mock-llm --port "$mock_port" --workers 1 --log-level warn &
mock=$!
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$dir/callgrind.out" \
  "$bin" serve --config "$dir/strata.yaml" --data-dir "$dir/data" >"$dir/serve.log" 2>&1 &
gateway=$!
trap 'kill $mock $gateway 2>/dev/null; wait $mock $gateway 2>/dev/null; rm -rf "$dir"' EXIT
url="http://127.0.0.1:$gateway_port/v1/chat/completions"
for _ in $(seq 300); do curl -sf -o /dev/null "http://127.0.0.1:$gateway_port/healthz" && break; sleep 0.2; done
body='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello"}]}'
for _ in $(seq 20); do curl -sf -o /dev/null "$url" -H 'authorization: Bearer bench-key' -d "$body"; done  # warm-up
callgrind_control -i on "$gateway" >/dev/null 2>&1
"$loadgen" --url "$url" -H 'authorization: Bearer bench-key' --rate 0 --concurrency 1 --duration "$seconds" --json \
  >"$dir/load.json"
callgrind_control -d "$gateway" >/dev/null 2>&1
sleep 1
requests=$(jq '.requests' "$dir/load.json")
dump=$(ls -t "$dir"/callgrind.out.* | head -1)  # the dump taken above, not the file written at exit
total=$(callgrind_annotate "$dump" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
echo "requests $requests, instructions $total, per request $((total / requests)) (all threads: io worker and store writer)"
if [ -n "${TOP:-}" ]; then
  callgrind_annotate --inclusive=yes "$dump" 2>/dev/null | grep -E '^ *[0-9,]+ ' | head -n "$TOP" | cut -c1-200
fi

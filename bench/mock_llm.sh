#!/usr/bin/env bash
# Measures `strata mock-llm` throughput with wrk on loopback: non-streaming chat
# completions, closed loop, at several connection counts. Prints numbers only;
# nothing is asserted. Usage: bench/mock_llm.sh [STRATA_BIN] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/release/src/cli/strata}
seconds=${2:-10}
port=${PORT:-4391}
"$bin" mock-llm --port "$port" --log-level warn &
mock=$!
trap 'kill $mock 2>/dev/null; wait $mock 2>/dev/null' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/v1/models" >/dev/null && break; sleep 0.1; done
echo "mock-llm on $(nproc) cores, wrk 1 thread, ${seconds}s per run"
printf '%-12s %14s %12s %12s\n' connections requests/s p50 p99
for connections in 1 16 64 256; do
  out=$(wrk -t1 -c"$connections" -d"${seconds}s" --latency -s bench/chat_post.lua "http://127.0.0.1:$port/v1/chat/completions")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  printf '%-12s %14s %12s %12s\n' "$connections" "$rps" "$p50" "$p99"
done

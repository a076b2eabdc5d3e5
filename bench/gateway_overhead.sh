#!/usr/bin/env bash
# Added latency and throughput of the gateway over a direct call, in one run:
# wrk against `strata mock-llm` directly, then through `strata serve` in front
# of the same mock (full pipeline as configured: static key check, routing,
# cost, inference record through the write-behind queue). Numbers are
# printed, never asserted. Usage: bench/gateway_overhead.sh [STRATA_BIN] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/release/src/cli/strata}
seconds=${2:-10}
mock_port=${MOCK_PORT:-4381}
gateway_port=${GATEWAY_PORT:-4382}
dir=$(mktemp -d)
cat > "$dir/strata.yaml" <<YAML
server: {port: $gateway_port, workers: 1}
log: {level: warn, access_log: false}
auth: {api_keys: [bench-key]}
models:
  - name: gpt-4o-mini
    deployments:
      - {provider: openai-compatible, base_url: "http://127.0.0.1:$mock_port/v1", model: gpt-4o-mini}
YAML
"$bin" mock-llm --port "$mock_port" --workers 1 --log-level warn &
mock=$!
"$bin" serve --config "$dir/strata.yaml" --data-dir "$dir/data" 2>"$dir/serve.log" &
gateway=$!
trap 'kill $mock $gateway 2>/dev/null; wait $mock $gateway 2>/dev/null; rm -rf "$dir"' EXIT
for port in "$mock_port" "$gateway_port"; do
  for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/v1/models" -H 'authorization: Bearer bench-key' && break; sleep 0.1; done
done

run() {  # url connections -> "requests/s p50 p99" (latencies in µs)
  wrk -t1 -c"$2" -d"${seconds}s" --latency -s bench/chat_post.lua -H 'authorization: Bearer bench-key' "$1" |
    awk 'function us(v) { if (v ~ /us$/) return v+0; if (v ~ /ms$/) return v*1000; return v*1000000 }
         /Requests\/sec/ {rps=$2} $1=="50%" {p50=us($2)} $1=="99%" {p99=us($2)}
         END {printf "%.0f %.0f %.0f", rps, p50, p99}'
}

echo "gateway overhead: $(nproc) cores, mock and gateway 1 worker each, wrk 1 thread, ${seconds}s per run"
printf '%-12s %-9s %12s %10s %10s\n' connections target requests/s p50_us p99_us
for connections in 1 16 64; do
  read -r d_rps d_p50 d_p99 <<<"$(run "http://127.0.0.1:$mock_port/v1/chat/completions" "$connections")"
  read -r g_rps g_p50 g_p99 <<<"$(run "http://127.0.0.1:$gateway_port/v1/chat/completions" "$connections")"
  printf '%-12s %-9s %12s %10s %10s\n' "$connections" direct "$d_rps" "$d_p50" "$d_p99"
  printf '%-12s %-9s %12s %10s %10s\n' "$connections" gateway "$g_rps" "$g_p50" "$g_p99"
  awk -v dr="$d_rps" -v gr="$g_rps" -v d50="$d_p50" -v g50="$g_p50" -v d99="$d_p99" -v g99="$g_p99" -v c="$connections" \
    'BEGIN {printf "%-12s %-9s %11.0f%% %+10.0f %+10.0f\n", c, "added", 100*gr/dr, g50-d50, g99-d99}'
done

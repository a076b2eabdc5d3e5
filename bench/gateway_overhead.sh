#!/usr/bin/env bash
# Added latency and throughput of the gateway over a direct call, in one run:
# wrk against `strata mock-llm` directly, then through `strata serve` in front
# of the same mock twice: with a static key ("gateway": key check, routing,
# cost, inference record through the write-behind queue), and with a tenant's
# virtual key under a rate limit, a token limit, a concurrency cap and a
# budget, none of them reached ("governed": adds the snapshot lookup and one
# admission + settlement in the in-process limits backend). Numbers are
# printed, never asserted. Usage: bench/gateway_overhead.sh [STRATA_BIN] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/release/src/cli/strata}
seconds=${2:-10}
mock_port=${MOCK_PORT:-4381}
gateway_port=${GATEWAY_PORT:-4382}
dir=$(mktemp -d)
. bench/static_key_config.sh
static_key_config "$dir/strata.yaml" "$gateway_port" "$mock_port" false
"$bin" mock-llm --port "$mock_port" --workers 1 --log-level warn &
mock=$!
"$bin" serve --config "$dir/strata.yaml" --data-dir "$dir/data" 2>"$dir/serve.log" &
gateway=$!
trap 'kill $mock $gateway 2>/dev/null; wait $mock $gateway 2>/dev/null; rm -rf "$dir"' EXIT
for port in "$mock_port" "$gateway_port"; do
  for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/v1/models" -H 'authorization: Bearer bench-key' && break; sleep 0.1; done
done

# A tenant whose key is governed by limits that are never reached.
admin_key=$("$bin" keys create --platform --role admin --name bench --data-dir "$dir/data" 2>/dev/null)
admin() { curl -sf -X "$1" "http://127.0.0.1:$gateway_port$2" -H "authorization: Bearer $admin_key" \
  -H 'content-type: application/json' -d "$3"; }
for _ in $(seq 50); do admin GET /admin/v1/tenants '' >/dev/null && break; sleep 0.1; done  # the next snapshot refresh
tenant=$(admin POST /admin/v1/tenants '{"name":"bench"}' | sed 's/.*"id":"\([^"]*\)".*/\1/')
tenant_key=$(admin POST "/admin/v1/tenants/$tenant/keys" '{"name":"wrk"}' | sed 's/.*"secret":"\([^"]*\)".*/\1/')
admin PUT "/admin/v1/tenants/$tenant/rate-limits" \
  '{"scope_type":"tenant","requests_per_minute":1000000000,"tokens_per_minute":1000000000,"max_concurrent":100000}' >/dev/null
admin PUT "/admin/v1/tenants/$tenant/budgets" '{"scope_type":"tenant","period":"month","limit_usd":1000000000}' >/dev/null

run() {  # url connections key -> "requests/s p50 p99" (latencies in µs)
  wrk -t1 -c"$2" -d"${seconds}s" --latency -s bench/chat_post.lua -H "authorization: Bearer $3" "$1" |
    awk 'function us(v) { if (v ~ /us$/) return v+0; if (v ~ /ms$/) return v*1000; return v*1000000 }
         /Requests\/sec/ {rps=$2} $1=="50%" {p50=us($2)} $1=="99%" {p99=us($2)}
         END {printf "%.0f %.0f %.0f", rps, p50, p99}'
}

echo "gateway overhead: $(nproc) cores, mock and gateway 1 worker each, wrk 1 thread, ${seconds}s per run"
printf '%-12s %-9s %12s %10s %10s\n' connections target requests/s p50_us p99_us
added() {  # label connections base_rps base_p50 base_p99 rps p50 p99
  awk -v l="$1" -v c="$2" -v dr="$3" -v d50="$4" -v d99="$5" -v gr="$6" -v g50="$7" -v g99="$8" \
    'BEGIN {printf "%-12s %-9s %11.0f%% %+10.0f %+10.0f\n", c, l, 100*gr/dr, g50-d50, g99-d99}'
}
for connections in 1 16 64; do
  read -r d_rps d_p50 d_p99 <<<"$(run "http://127.0.0.1:$mock_port/v1/chat/completions" "$connections" bench-key)"
  read -r g_rps g_p50 g_p99 <<<"$(run "http://127.0.0.1:$gateway_port/v1/chat/completions" "$connections" bench-key)"
  read -r v_rps v_p50 v_p99 <<<"$(run "http://127.0.0.1:$gateway_port/v1/chat/completions" "$connections" "$tenant_key")"
  printf '%-12s %-9s %12s %10s %10s\n' "$connections" direct "$d_rps" "$d_p50" "$d_p99"
  printf '%-12s %-9s %12s %10s %10s\n' "$connections" gateway "$g_rps" "$g_p50" "$g_p99"
  printf '%-12s %-9s %12s %10s %10s\n' "$connections" governed "$v_rps" "$v_p50" "$v_p99"
  added "+gateway" "$connections" "$d_rps" "$d_p50" "$d_p99" "$g_rps" "$g_p50" "$g_p99"
  added "+auth+lim" "$connections" "$g_rps" "$g_p50" "$g_p99" "$v_rps" "$v_p50" "$v_p99"
done

#!/usr/bin/env bash
# `make bench`: the gateway measured the way the field measures it, against a
# floor and a ceiling from the same run, on loopback. Targets, each in front of
# (or being) the same `strata mock-llm`:
#   direct       the mock itself (the floor)
#   nginx        Debian's nginx proxy_pass with keep-alive (the ceiling of a plain proxy)
#   passthrough  Strata with no keys and no access log
#   full         Strata with a tenant's virtual key, a rate limit, a token limit, a
#                concurrency cap and a budget (never reached), the access log, and
#                the inference record with its spend (guardrails join when they exist)
# Runs: closed loop (wrk, 1/16/64 connections), fixed rate (strata-loadgen,
# 1 000 and 5 000 requests/s, latency from each request's scheduled time), and
# one in flight. Every server gets 1 worker; the load generator 1 thread.
# Prints a Markdown table and writes it, with a JSON file, to $BENCH_OUT
# (default bench/out). Numbers are printed, never asserted.
# Usage: bench/run.sh [SECONDS]   (make bench builds Release first)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-${BENCH_SECONDS:-10}}
bin=build/release/src/cli/strata
loadgen=build/release/bench/loadgen/strata-loadgen
out=${BENCH_OUT:-bench/out}
mkdir -p "$out"
dir=$(mktemp -d)
declare -A port=([direct]=4381 [nginx]=4383 [passthrough]=4384 [full]=4385)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT

wait_for() { for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/healthz" && return; sleep 0.1; done; echo "port $1 did not open" >&2; exit 1; }

"$bin" mock-llm --port "${port[direct]}" --workers 1 --log-level warn & pids+=($!)
sed -e "s|@PORT@|${port[nginx]}|" -e "s|@UPSTREAM_PORT@|${port[direct]}|" -e "s|@PREFIX@|$dir|" bench/nginx.conf.in >"$dir/nginx.conf"
nginx -c "$dir/nginx.conf" -g 'daemon off;' 2>"$dir/nginx.err" & pids+=($!)
for target in passthrough full; do
  access=$([ "$target" = full ] && echo true || echo false)
  cat >"$dir/$target.yaml" <<YAML
server: {port: ${port[$target]}, workers: 1}
log: {level: warn, access_log: $access}
models:
  - name: gpt-4o-mini
    deployments:
      - {provider: openai-compatible, base_url: "http://127.0.0.1:${port[direct]}/v1", model: gpt-4o-mini}
YAML
  "$bin" serve --config "$dir/$target.yaml" --data-dir "$dir/$target-data" 2>/dev/null >/dev/null & pids+=($!)
done
for target in direct passthrough full; do wait_for "${port[$target]}"; done
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:${port[nginx]}/healthz" && break; sleep 0.1; done

# The full pipeline's tenant: limits and a budget it never reaches.
admin_key=$("$bin" keys create --platform --role admin --name bench --data-dir "$dir/full-data" 2>/dev/null)
admin() { curl -sf -X "$1" "http://127.0.0.1:${port[full]}$2" -H "authorization: Bearer $admin_key" \
  -H 'content-type: application/json' ${3:+-d "$3"}; }
for _ in $(seq 50); do admin GET /admin/v1/tenants >/dev/null && break; sleep 0.1; done
tenant=$(admin POST /admin/v1/tenants '{"name":"bench"}' | jq -r .id)
key=$(admin POST "/admin/v1/tenants/$tenant/keys" '{"name":"load"}' | jq -r .secret)
admin PUT "/admin/v1/tenants/$tenant/rate-limits" \
  '{"scope_type":"tenant","requests_per_minute":1000000000,"tokens_per_minute":1000000000,"max_concurrent":100000}' >/dev/null
admin PUT "/admin/v1/tenants/$tenant/budgets" '{"scope_type":"tenant","period":"month","limit_usd":1000000000}' >/dev/null

url() { echo "http://127.0.0.1:${port[$1]}/v1/chat/completions"; }
auth() { [ "$1" = full ] && echo "authorization: Bearer $key" || echo "authorization: Bearer none"; }
body='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello in five words."}]}'

results="$dir/results.tsv"  # target run rps p50 p90 p99 p999 (µs)
closed() {  # target connections
  wrk -t1 -c"$2" -d"${seconds}s" --latency -s bench/chat_post.lua -H "$(auth "$1")" "$(url "$1")" |
    awk -v t="$1" -v c="$2" 'function us(v) { if (v ~ /us$/) return v+0; if (v ~ /ms$/) return v*1000; return v*1000000 }
      /Requests\/sec/ {rps=$2} $1=="50%" {p50=us($2)} $1=="90%" {p90=us($2)} $1=="99%" {p99=us($2)}
      END {printf "%s\tclosed c=%s\t%.0f\t%.0f\t%.0f\t%.0f\t-\n", t, c, rps, p50, p90, p99}' >>"$results"
}
open_loop() {  # target rate|0
  local args=(--url "$(url "$1")" --body "$body" -H "$(auth "$1")" -H 'content-type: application/json'
              --duration "$seconds" --warmup 2 --json)
  if [ "$2" = 0 ]; then args+=(--rate 0 --concurrency 1); label="1 in flight"; else args+=(--rate "$2" -c 16); label="rate $2/s"; fi
  "$loadgen" "${args[@]}" | jq -r --arg t "$1" --arg l "$label" \
    '[$t, $l, (.achieved_rps|round), (.latency_us.p50|round), (.latency_us.p90|round), (.latency_us.p99|round), (.latency_us.p99_9|round)] | @tsv' >>"$results"
}

for target in direct nginx passthrough full; do
  for c in 1 16 64; do closed "$target" "$c"; done
  open_loop "$target" 0
  for rate in 1000 5000; do open_loop "$target" "$rate"; done
  echo "measured $target" >&2
done

stamp=$(date -u +%Y-%m-%dT%H:%MZ)
{
  echo "# Benchmark run $stamp"
  echo
  echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')); each server 1 worker;" \
       "load generator 1 thread; ${seconds} s per run; loopback. Latencies in µs; fixed-rate latencies count from each" \
       "request's scheduled time. \"vs floor\" / \"vs nginx\": throughput ratio (closed loop) or added latency at p50/p99 (fixed rate)."
  echo
  echo "| target | run | req/s | p50 | p90 | p99 | p99.9 | vs floor | vs nginx |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |"
  awk -F'\t' '
    { key = $2; row[NR] = $0; if ($1 == "direct") floor[key] = $0; if ($1 == "nginx") ceil[key] = $0 }
    function cmp(a, b,   x, y) {
      split(a, x, "\t"); split(b, y, "\t")
      if (x[2] ~ /^closed/) return sprintf("%.0f%%", 100 * x[3] / y[3])
      return sprintf("%+d / %+d", x[4] - y[4], x[6] - y[6])
    }
    END { for (i = 1; i <= NR; i++) { split(row[i], f, "\t")
      printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", f[1], f[2], f[3], f[4], f[5], f[6], f[7],
        (f[1] == "direct" ? "-" : cmp(row[i], floor[f[2]])), (f[1] == "nginx" || f[1] == "direct" ? "-" : cmp(row[i], ceil[f[2]])) } }
  ' "$results"
} | tee "$out/results.md"
jq -R -s --arg stamp "$stamp" --argjson cores "$(nproc)" --argjson seconds "$seconds" '
  {date: $stamp, cores: $cores, seconds_per_run: $seconds,
   runs: [split("\n")[] | select(length > 0) | split("\t") |
          {target: .[0], run: .[1], rps: (.[2]|tonumber), p50_us: (.[3]|tonumber), p90_us: (.[4]|tonumber),
           p99_us: (.[5]|tonumber), p999_us: (if .[6] == "-" then null else (.[6]|tonumber) end)}]}' "$results" >"$out/results.json"
echo "written: $out/results.md, $out/results.json" >&2

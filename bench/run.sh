#!/usr/bin/env bash
# `make bench`: the gateway measured the way the field measures it, against a
# floor and a ceiling from the same run, on loopback. Targets, each in front of
# (or being) the same `strata mock-llm`:
#   direct       the mock itself (the floor)
#   nginx        Debian's nginx proxy_pass with keep-alive (the ceiling of a plain proxy)
#   passthrough  Strata with no keys and no access log
#   full         Strata with a tenant's virtual key, a rate limit, a token limit, a
#                concurrency cap and a budget (never reached), the access log, and
#                the inference record with its spend, and the default policy (every
#                request and answer scanned, content logged redacted and sealed)
# Sections (bench/README.md says how to read each):
#   requests  closed loop (wrk, 1/16/64 connections), fixed rate (strata-loadgen,
#             1 000 and 5 000 requests/s, latency from each request's scheduled
#             time), and one in flight; every target
#   streams   N concurrent SSE streams (100, 1 000, 10 000), a chunk every 500 ms,
#             direct to a mock and through a full-pipeline Strata: time to first
#             token and gap between chunks added, the gateway's RSS per stream
#   memory    strata serve's RSS idle and during the 5 000 requests/s run
#   soak      SOAK_SECONDS (600; 0 skips) at SOAK_RATE (2 000/s) through the full
#             pipeline, RSS sampled every 10 s: start, end, max, slope, flat or growing
# Every server gets 1 worker; the load generator 1 thread. Prints Markdown and
# writes it, with a JSON file, to $BENCH_OUT (default bench/out). Numbers are
# printed, never asserted.
# Usage: bench/run.sh [SECONDS]   (make bench builds Release first)
# Environment: BENCH_SECONDS (10), BENCH_QUICK=1 (short runs, a smoke test),
#   BUILD_DIR (build/release), BENCH_SECTIONS ("requests streams soak"),
#   BENCH_STREAMS ("100 1000 10000"), STREAM_CHUNK_MS (500), STREAM_RAMP_RATE (1000 starts/s),
#   STREAM_PIPELINE (full, or passthrough),
#   SOAK_SECONDS (600; 20 with BENCH_QUICK), SOAK_RATE (2000).
set -euo pipefail
cd "$(dirname "$0")/.."
quick=${BENCH_QUICK:-0}
if [ "$quick" = 1 ]; then
  seconds=${1:-${BENCH_SECONDS:-2}} warmup=1 stream_hold=3 soak_seconds=${SOAK_SECONDS:-20}
else
  seconds=${1:-${BENCH_SECONDS:-10}} warmup=2 stream_hold=10 soak_seconds=${SOAK_SECONDS:-600}
fi
build=${BUILD_DIR:-build/release}
bin=$build/src/cli/strata
loadgen=$build/bench/loadgen/strata-loadgen
sections=" ${BENCH_SECTIONS:-requests streams soak} "
stream_counts=${BENCH_STREAMS:-100 1000 10000}
chunk_ms=${STREAM_CHUNK_MS:-500}
ramp_rate=${STREAM_RAMP_RATE:-1000}
stream_pipeline=${STREAM_PIPELINE:-full}  # or passthrough
soak_rate=${SOAK_RATE:-2000}
out=${BENCH_OUT:-bench/out}
mkdir -p "$out"
dir=$(mktemp -d)
declare -A port=([direct]=4381 [nginx]=4383 [passthrough]=4384 [full]=4385 [stream_mock]=4386 [stream]=4387 [stream_upstream]=4388)
declare -A pid=()
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
has() { [[ $sections == *" $1 "* ]]; }
note() { echo "$*" >&2; echo "$*" >>"$dir/notes.txt"; }
touch "$dir/notes.txt"

# Open files: a stream through the gateway holds two sockets there (client and
# upstream), one in the mock and one in the load generator. Children inherit
# the soft limit, raised here to the hard one; fewer streams run if that is short.
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=$(cat /proc/sys/fs/nr_open)
ulimit -n "$hard" 2>/dev/null || hard=$(ulimit -Sn)
max_streams=$(((hard - 1000) / 2))  # 1 000 spare: its own files, upstream retries
ephemeral=$(awk '{print $2 - $1 + 1}' /proc/sys/net/ipv4/ip_local_port_range)

wait_for() { for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$1/healthz" && return; sleep 0.1; done; echo "port $1 did not open" >&2; exit 1; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
# sample PID FILE: appends "ms-since-start_sampler KiB" to FILE.
sample() { echo "$((($(date +%s%N) - sampler_start) / 1000000)) $(rss_kib "$1")" >>"$2"; }
# start_sampler PID FILE SECONDS: samples every SECONDS in the background; sets $sampler.
start_sampler() {
  sampler_start=$(date +%s%N)
  (while :; do sample "$1" "$2"; sleep "$3"; done) &
  sampler=$!
}
stop_sampler() { kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true; }
max_kib() { awk 'NF == 2 && $2 > m {m = $2} END {print m + 0}' "$1"; }

# serve_config NAME PORT UPSTREAM_PORT ACCESS_LOG [MAX_CONNECTIONS [IDLE_TIMEOUT]]
serve_config() {
  cat >"$dir/$1.yaml" <<YAML
server: {port: $2, workers: 1, max_connections: ${5:-20000}, idle_timeout: ${6:-75s}, shutdown_grace: 1s}
log: {level: warn, access_log: $4}
models:
  - name: gpt-4o-mini
    deployments:
      - {provider: openai-compatible, base_url: "http://127.0.0.1:$3/v1", model: gpt-4o-mini}
YAML
}
start_serve() {  # NAME: strata serve with $dir/NAME.yaml
  "$bin" serve --config "$dir/$1.yaml" --data-dir "$dir/$1-data" 2>/dev/null >/dev/null & pid[$1]=$!; pids+=($!)
}
stop() {  # NAME...: stops what start_serve (or a pid[NAME]=$! line) started, and forgets it
  local name p kept=()
  for name; do kill "${pid[$name]}" 2>/dev/null || true; done
  for name; do wait "${pid[$name]}" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for name; do [ "$p" = "${pid[$name]}" ] && continue 2; done
    kept+=("$p")
  done
  pids=("${kept[@]}")
  for name; do unset "pid[$name]"; done
}
# governed_key NAME: a tenant's virtual key under limits and a budget it never reaches.
governed_key() {
  local admin_key tenant key target_port=${port[$1]}
  admin_key=$("$bin" keys create --platform --role admin --name bench --data-dir "$dir/$1-data" 2>/dev/null)
  admin() { curl -sf -X "$1" "http://127.0.0.1:$target_port$2" -H "authorization: Bearer $admin_key" \
    -H 'content-type: application/json' ${3:+-d "$3"}; }
  for _ in $(seq 50); do admin GET /admin/v1/tenants >/dev/null && break; sleep 0.1; done
  tenant=$(admin POST /admin/v1/tenants '{"name":"bench"}' | jq -r .id)
  key=$(admin POST "/admin/v1/tenants/$tenant/keys" '{"name":"load"}' | jq -r .secret)
  admin PUT "/admin/v1/tenants/$tenant/rate-limits" \
    '{"scope_type":"tenant","requests_per_minute":1000000000,"tokens_per_minute":1000000000,"max_concurrent":100000}' >/dev/null
  admin PUT "/admin/v1/tenants/$tenant/budgets" '{"scope_type":"tenant","period":"month","limit_usd":1000000000}' >/dev/null
  echo "$key"
}

"$bin" mock-llm --port "${port[direct]}" --workers 1 --log-level warn & pids+=($!)
sed -e "s|@PORT@|${port[nginx]}|" -e "s|@UPSTREAM_PORT@|${port[direct]}|" -e "s|@PREFIX@|$dir|" bench/nginx.conf.in >"$dir/nginx.conf"
nginx -c "$dir/nginx.conf" -g 'daemon off;' 2>"$dir/nginx.err" & pids+=($!)
serve_config passthrough "${port[passthrough]}" "${port[direct]}" false
serve_config full "${port[full]}" "${port[direct]}" true
start_serve passthrough
start_serve full
for target in direct passthrough full; do wait_for "${port[$target]}"; done
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:${port[nginx]}/healthz" && break; sleep 0.1; done
key=$(governed_key full)

url() { echo "http://127.0.0.1:${port[$1]}/v1/chat/completions"; }
auth() { [ "$1" = full ] && echo "authorization: Bearer $key" || echo "authorization: Bearer none"; }
body='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Say hello in five words."}]}'

# Memory: idle RSS once the gateways are up and the tenant is set, before any load.
sleep 1
memory="$dir/memory.tsv"  # target state KiB
for target in passthrough full; do printf '%s\tidle\t%s\n' "$target" "$(rss_kib "${pid[$target]}")" >>"$memory"; done

results="$dir/results.tsv"  # target run rps p50 p90 p99 p999 (µs)
touch "$results"
closed() {  # target connections
  wrk -t1 -c"$2" -d"${seconds}s" --latency -s bench/chat_post.lua -H "$(auth "$1")" "$(url "$1")" |
    awk -v t="$1" -v c="$2" 'function us(v) { if (v ~ /us$/) return v+0; if (v ~ /ms$/) return v*1000; return v*1000000 }
      /Requests\/sec/ {rps=$2} $1=="50%" {p50=us($2)} $1=="90%" {p90=us($2)} $1=="99%" {p99=us($2)}
      END {printf "%s\tclosed c=%s\t%.0f\t%.0f\t%.0f\t%.0f\t-\n", t, c, rps, p50, p90, p99}' >>"$results"
}
open_loop() {  # target rate|0
  local args=(--url "$(url "$1")" --body "$body" -H "$(auth "$1")" -H 'content-type: application/json'
              --duration "$seconds" --warmup "$warmup" --json)
  if [ "$2" = 0 ]; then args+=(--rate 0 --concurrency 1); label="1 in flight"; else args+=(--rate "$2" -c 16); label="rate $2/s"; fi
  "$loadgen" "${args[@]}" | jq -r --arg t "$1" --arg l "$label" \
    '[$t, $l, (.achieved_rps|round), (.latency_us.p50|round), (.latency_us.p90|round), (.latency_us.p99|round), (.latency_us.p99_9|round)] | @tsv' >>"$results"
}

if has requests; then
  for target in direct nginx passthrough full; do
    for c in 1 16 64; do closed "$target" "$c"; done
    open_loop "$target" 0
    open_loop "$target" 1000
    if [ -n "${pid[$target]:-}" ]; then start_sampler "${pid[$target]}" "$dir/rss-$target-5000" 0.5; fi
    open_loop "$target" 5000
    if [ -n "${pid[$target]:-}" ]; then
      stop_sampler
      printf '%s\tat 5000/s\t%s\n' "$target" "$(max_kib "$dir/rss-$target-5000")" >>"$memory"
    fi
    echo "measured $target" >&2
  done
fi

# Streams: their own mock, whose answers last longer than a stream is held
# (a chunk every $chunk_ms ms), and their own gateway ($stream_pipeline pipeline),
# fresh, so that its idle RSS is the baseline of every N.
streams="$dir/streams.jsonl"
touch "$streams"
if has streams; then
  largest=0 opened=0 lingered=""
  for n in $stream_counts; do ((n > largest)) && largest=$n; done
  # Starts are spread at $ramp_rate/s (the gateway accepts and connects upstream
  # for each), and every stream is held for the ramp plus $stream_hold s, so all
  # N are open together for $stream_hold s. The mock's answers outlast that.
  ramp_of() { awk -v n="$1" -v r="$ramp_rate" 'BEGIN {r = n / r; print (r < 0.5 ? 0.5 : r)}'; }
  chunks=$(((stream_hold + $(ramp_of "$largest" | cut -d. -f1) + 6) * 1000 / chunk_ms + 2))
  content=$(printf 'lorem ipsum dolor sit amet %.0s' $(seq $((chunks / 20 + 2))))
  stream_body="{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"$content\"}]}"
  # Two such mocks: one the load generator calls directly, one behind the
  # gateway, so that neither holds more than one run's sockets (10 000 streams
  # are 20 000 descriptors on one mock, this machine's hard limit).
  for name in stream_mock stream_upstream; do
    "$bin" mock-llm --port "${port[$name]}" --workers 1 --log-level warn \
      --chunk-delay-ms "$chunk_ms" --chunks "$chunks" & pid[$name]=$!; pids+=($!)
  done
  # The default idle timeout (75 s): a client that leaves mid-stream must have
  # its socket closed at once, and the note below says if one lingers.
  serve_config stream "${port[stream]}" "${port[stream_upstream]}" "$([ "$stream_pipeline" = full ] && echo true || echo false)" \
    $((largest + 1000))
  start_serve stream
  for name in stream_mock stream_upstream stream; do wait_for "${port[$name]}"; done
  stream_key=none
  [ "$stream_pipeline" = full ] && stream_key=$(governed_key stream)
  # One stream first, so the idle baseline includes what the first request allocates once.
  "$loadgen" --url "$(url stream)" --body "$stream_body" -H "authorization: Bearer $stream_key" \
    --streams 1 --stream-duration 1 --ramp 0 --json >/dev/null || true
  sleep 1
  fds() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
  # drain NAME: waits (up to 90 s) until NAME holds no more than 20 descriptors
  # over its idle count; prints how many seconds that took.
  drain() {
    local tenths=0
    while (($(fds "${pid[$1]}") > idle_fds[$1] + 20 && tenths < 900)); do sleep 0.1; tenths=$((tenths + 1)); done
    awk -v t="$tenths" 'BEGIN {print t / 10}'
  }
  declare -A idle_fds=([stream]=$(fds "${pid[stream]}") [stream_mock]=$(fds "${pid[stream_mock]}"))
  drain stream >/dev/null
  stream_idle=$(rss_kib "${pid[stream]}")
  printf 'stream\tidle\t%s\n' "$stream_idle" >>"$memory"
  for asked in $stream_counts; do
    n=$asked
    if ((n > max_streams)); then
      n=$((max_streams / 100 * 100))
      note "note: $asked streams need $((2 * asked + 1000)) open files in the gateway (a client and an upstream" \
           "socket per stream, plus its own and spares) but \`ulimit -Hn\` is $hard: running $n streams instead." \
           "Raise the hard limit (limits.conf, or a root shell's \`ulimit -Hn\`) to run $asked."
    fi
    opened=$((opened + n))
    if ((opened > ephemeral)); then
      note "note: the stream runs up to $n have opened $opened connections to one server port, more than the" \
           "$ephemeral ports of the ephemeral range, and closed sockets hold theirs for a minute: connects may fail."
    fi
    ramp=$(ramp_of "$n")
    hold=$(awk -v r="$ramp" -v h="$stream_hold" 'BEGIN {print r + h}')
    for target in stream_mock stream; do
      args=(--url "$(url "$target")" --body "$stream_body" --streams "$n" --stream-duration "$hold"
            --ramp "$ramp" --json)
      if [ "$target" = stream ]; then args+=(-H "authorization: Bearer $stream_key" --rss-pid "${pid[stream]}"); fi
      result=$("$loadgen" "${args[@]}") || true
      [ -n "$result" ] || result='{}'
      # Every stream was ended by its client: how long until the gateway lets go of them?
      left=$(fds "${pid[$target]}") drained=null
      [ "$target" = stream ] && drained=$(drain stream)
      if [ "$target" = stream ] && ((left > idle_fds[stream] + 20)) && awk -v d="$drained" 'BEGIN {exit !(d > 2)}'; then
        lingered+="${lingered:+, }$((left - idle_fds[stream])) of $n for ${drained} s"
      fi
      jq -c --arg t "$([ "$target" = stream ] && echo strata || echo direct)" --argjson asked "$asked" \
        --argjson n "$n" --argjson chunk_ms "$chunk_ms" --argjson idle "$stream_idle" --arg pipeline "$stream_pipeline" \
        --argjson left "$((left - idle_fds[$target]))" --argjson drained "$drained" \
        '{target: $t, pipeline: $pipeline, streams_asked: $asked, streams: $n, chunk_every_ms: $chunk_ms,
          gateway_idle_rss_kib: $idle, fds_over_idle_after: $left, drained_after_s: $drained, loadgen: .}' \
        <<<"$result" >>"$streams"
    done
    echo "measured $n streams" >&2
  done
  if [ -n "$lingered" ]; then
    note "note: streams closed by their clients left their sockets open in the gateway (CLOSE-WAIT, counted against" \
         "server.max_connections) for a while: $lingered" \
         "(descriptors over idle once the load generator was done, and how long until they were closed)."
  fi
  stop stream stream_mock stream_upstream
fi

# Soak: one fixed-rate run through the full pipeline, its RSS sampled as it goes.
soak="$dir/soak.json"
echo null >"$soak"
if has soak && ((soak_seconds > 0)); then
  interval=$((soak_seconds >= 120 ? 10 : (soak_seconds >= 24 ? soak_seconds / 12 : 2)))
  echo "soak: ${soak_seconds} s at ${soak_rate}/s through the full pipeline, RSS every ${interval} s" >&2
  "$loadgen" --url "$(url full)" --body "$body" -H "$(auth full)" --rate "$soak_rate" -c 16 \
    --duration "$soak_seconds" --json >"$dir/soak-load.json" & load=$!
  start_sampler "${pid[full]}" "$dir/soak-rss" "$interval"
  wait "$load" || true
  stop_sampler
  sample "${pid[full]}" "$dir/soak-rss"  # after the soak
  # Least-squares slope of RSS over the second half of the samples, MiB per minute;
  # "growing" when it adds more than max(1 MiB, 2 % of the start) over that half.
  jq -R -s --slurpfile load "$dir/soak-load.json" --argjson seconds "$soak_seconds" --argjson rate "$soak_rate" \
     --argjson interval "$interval" '
    [split("\n")[] | select(length > 0) | split(" ") | {t: (.[0]|tonumber / 1000), kib: (.[1]|tonumber)}] as $s
    | ($s | map(select(.t >= $seconds / 2))) as $h
    | ($h | length) as $n
    | (if $n >= 2 then
         ($h | map(.t) | add / $n) as $mt | ($h | map(.kib) | add / $n) as $mk
         | ($h | map((.t - $mt) * (.kib - $mk)) | add) / ($h | map((.t - $mt) * (.t - $mt)) | add)
       else 0 end) as $kib_per_s
    | ($kib_per_s * 60 / 1024) as $slope
    | {rate: $rate, seconds: $seconds, sample_every_s: $interval,
       start_kib: $s[0].kib, end_kib: $s[-1].kib, max_kib: ($s | map(.kib) | max),
       slope_mib_per_min: (($slope * 1000 | round) / 1000),
       verdict: (if $slope * ($seconds / 2 / 60) > ([1, 0.02 * $s[0].kib / 1024] | max) then "growing" else "flat" end),
       achieved_rps: ($load[0].achieved_rps // null), p99_us: ($load[0].latency_us.p99 // null),
       errors: (if $load[0] then $load[0].non_2xx + $load[0].transport_errors + $load[0].unfinished else null end),
       samples: $s}' "$dir/soak-rss" >"$soak"
fi

stamp=$(date -u +%Y-%m-%dT%H:%MZ)
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
{
  echo "# Benchmark run $stamp"
  echo
  echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')); each server 1 worker;" \
       "load generator 1 thread; ${seconds} s per run; loopback. Latencies in µs."
  if [ -s "$results" ]; then
    echo
    echo "## Requests"
    echo
    echo "Fixed-rate latencies count from each request's scheduled time. \"vs floor\" / \"vs nginx\": throughput ratio" \
         "(closed loop) or added latency at p50/p99 (fixed rate)."
    echo
    echo "| target | run | req/s | p50 | p90 | p99 | p99.9 | vs floor | vs nginx |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |"
    awk -F'\t' '
      { key = $2; row[NR] = $0; if ($1 == "direct") floor[key] = $0; if ($1 == "nginx") ceil[key] = $0 }
      function cmp(a, b,   x, y) {
        if (b == "") return "-"
        split(a, x, "\t"); split(b, y, "\t")
        if (x[2] ~ /^closed/) return sprintf("%.0f%%", 100 * x[3] / y[3])
        return sprintf("%+d / %+d", x[4] - y[4], x[6] - y[6])
      }
      END { for (i = 1; i <= NR; i++) { split(row[i], f, "\t")
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", f[1], f[2], f[3], f[4], f[5], f[6], f[7],
          (f[1] == "direct" ? "-" : cmp(row[i], floor[f[2]])), (f[1] == "nginx" || f[1] == "direct" ? "-" : cmp(row[i], ceil[f[2]])) } }
    ' "$results"
  fi
  if [ -s "$streams" ]; then
    echo
    echo "## Streams"
    echo
    echo "N concurrent SSE streams, a chunk every ${chunk_ms} ms, started at ${ramp_rate}/s and all open together for ${stream_hold} s, direct to a mock and then" \
         "through a $stream_pipeline-pipeline Strata (1 worker) in front of it. TTFT: request sent → first event. Added: through" \
         "Strata minus direct, at the same percentile, in this run. Gap: between consecutive events of a stream." \
         "RSS/stream: (gateway peak RSS − its idle RSS) / streams open at the peak."
    echo
    echo "| streams | open direct / Strata | failed direct / Strata | TTFT direct p50 / p99 | TTFT added p50 / p99 | gap direct p50 / p99 | gap added p50 / p99 | gateway RSS idle → peak (MiB) | KiB per stream |"
    echo "| ---: | --- | --- | --- | --- | --- | --- | --- | ---: |"
    jq -r -s '
      def r: if . == null then "-" else round | tostring end;
      def mib: if . == null then "-" else (. / 102.4 | round / 10 | tostring) end;
      def added($a; $b): if $a == null or $b == null then "-"
        else ($a - $b | round) as $x | if $x >= 0 then "+\($x)" else "\($x)" end end;
      group_by(.streams_asked)[] | (map(select(.target == "direct"))[0].loadgen // {}) as $d
      | (map(select(.target == "strata"))[0] // {}) as $row | ($row.loadgen // {}) as $g
      | "| \($row.streams)\(if $row.streams != $row.streams_asked then " (of \($row.streams_asked))" else "" end)"
        + " | \($d.peak_concurrent | r) / \($g.peak_concurrent | r)"
        + " | \($d.failed | r) / \($g.failed | r)"
        + " | \($d.first_event_us.p50 | r) / \($d.first_event_us.p99 | r)"
        + " | \(added($g.first_event_us.p50; $d.first_event_us.p50)) / \(added($g.first_event_us.p99; $d.first_event_us.p99))"
        + " | \($d.gap_us.p50 | r) / \($d.gap_us.p99 | r)"
        + " | \(added($g.gap_us.p50; $d.gap_us.p50)) / \(added($g.gap_us.p99; $d.gap_us.p99))"
        + " | \($row.gateway_idle_rss_kib | mib) → \($g.target_rss_kib.peak | mib)"
        + " | \(if ($g.peak_concurrent // 0) > 0 then (($g.target_rss_kib.peak - $row.gateway_idle_rss_kib) / $g.peak_concurrent * 10 | round / 10 | tostring) else "-" end) |"
    ' "$streams"
  fi
  if [ -s "$memory" ] || [ "$(cat "$soak")" != null ]; then
    echo
    echo "## Memory"
    echo
    echo "RSS of \`strata serve\` (Release, the bench config above, 1 worker), in MiB. Idle: up, tenant set, no load" \
         "yet. At 5000/s: the most sampled (every 0.5 s) during that fixed-rate run. After the soak: at its end." \
         "The streams' gateway is in the Streams table."
    echo
    echo "| gateway | idle | at 5000/s | after the soak |"
    echo "| --- | ---: | ---: | ---: |"
    after_soak=$(jq -r 'if . == null then "-" else .end_kib / 102.4 | round / 10 | tostring end' "$soak")
    awk -F'\t' -v soak="$after_soak" '{ v[$1, $2] = sprintf("%.1f", $3 / 1024); seen[$1] = 1 }
      END { split("passthrough full", order, " ")
        for (i = 1; i <= 2; i++) { t = order[i]; if (!(t in seen)) continue
          printf "| %s | %s | %s | %s |\n", t, v[t, "idle"], ((t, "at 5000/s") in v ? v[t, "at 5000/s"] : "-"),
            (t == "full" ? soak : "-") } }' "$memory"
    if [ "$(cat "$soak")" != null ]; then
      echo
      jq -r '
        "Soak: \(.seconds) s at \(.rate) requests/s through the full pipeline (achieved \(.achieved_rps // "-" | tostring) req/s,"
        + " p99 \(.p99_us // "-" | tostring) µs, \(.errors // "-" | tostring) errors), RSS sampled every \(.sample_every_s) s."
        + " Slope: least squares over the second half.\n\n"
        + "| start (MiB) | end (MiB) | max (MiB) | slope, 2nd half (MiB/min) | verdict |\n| ---: | ---: | ---: | ---: | --- |\n"
        + "| \(.start_kib / 102.4 | round / 10) | \(.end_kib / 102.4 | round / 10) | \(.max_kib / 102.4 | round / 10)"
        + " | \(.slope_mib_per_min) | \(.verdict) |"' "$soak"
    fi
  fi
  if [ -s "$dir/notes.txt" ]; then echo; sed 's/^/> /' "$dir/notes.txt"; fi
} | tee "$out/results.md"

jq -n --arg stamp "$stamp" --argjson cores "$(nproc)" --argjson seconds "$seconds" --argjson quick "$([ "$quick" = 1 ] && echo true || echo false)" \
  --rawfile runs "$results" --rawfile memory "$memory" --slurpfile streams "$streams" --slurpfile soak "$soak" \
  --rawfile notes "$dir/notes.txt" --argjson hard "$hard" '
  def rows($text): $text | split("\n") | map(select(length > 0) | split("\t"));
  {date: $stamp, cores: $cores, seconds_per_run: $seconds, quick: $quick, open_files_hard_limit: $hard,
   runs: [rows($runs)[] |
          {target: .[0], run: .[1], rps: (.[2]|tonumber), p50_us: (.[3]|tonumber), p90_us: (.[4]|tonumber),
           p99_us: (.[5]|tonumber), p999_us: (if .[6] == "-" then null else (.[6]|tonumber) end)}],
   memory: [rows($memory)[] | {gateway: (if .[0] == "stream" then "full (streams)" else .[0] end), state: .[1], rss_kib: (.[2]|tonumber)}],
   streams: [$streams[] | . + {
     rss_per_stream_kib: (if (.target == "strata" and (.loadgen.peak_concurrent // 0) > 0)
                          then (.loadgen.target_rss_kib.peak - .gateway_idle_rss_kib) / .loadgen.peak_concurrent else null end)}],
   soak: $soak[0],
   notes: ($notes | split("\n") | map(select(length > 0)))}' >"$out/results.json"
echo "written: $out/results.md, $out/results.json" >&2

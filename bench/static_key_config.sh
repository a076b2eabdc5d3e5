# Sourced by bench/instructions.sh and bench/gateway_overhead.sh: the config of
# a gateway in front of one mock, with the static key `bench-key`.
# Usage: static_key_config FILE GATEWAY_PORT MOCK_PORT ACCESS_LOG(true|false)
static_key_config() {
  cat > "$1" <<YAML
server: {port: $2, workers: 1}
log: {level: warn, access_log: $4}
auth: {api_keys: [bench-key]}
models:
  - name: gpt-4o-mini
    deployments:
      - {provider: openai-compatible, base_url: "http://127.0.0.1:$3/v1", model: gpt-4o-mini}
YAML
}

#!/usr/bin/env bash
# Installs what building and testing Strata needs on Debian 12: the Debian
# packages, then the Node test clients from package-lock.json. Idempotent and
# silent when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.81-dev libssl-dev libsqlite3-dev libspdlog-dev libfmt-dev libyaml-cpp-dev libyaml-dev libcli11-dev
  libgtest-dev libgmock-dev
  clang libclang-rt-14-dev          # libFuzzer for the parser fuzz target
  libsodium-dev                     # argon2id password hashes
  libhyperscan-dev                  # guardrails: PII/secret/injection patterns in one pass
  redis-server                      # shared rate limits and budgets (tests start their own)
  prometheus                        # promtool lints /metrics; tests scrape it with a real server
  openssl ca-certificates curl jq sqlite3
  wrk                               # bench/ load generator
)
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)
# `make bench` also needs the ceiling it compares with.
[ "${1:-}" = --bench ] && packages+=(nginx-light)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine has no package lists yet; refresh them when a package is unknown.
  if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# npm ci only when the lock file changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --silent --no-audit --no-fund --loglevel=error 2>&1 | grep -v 'Unknown user config' || true
  touch node_modules/.package-lock.json
fi

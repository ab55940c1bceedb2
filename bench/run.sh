#!/usr/bin/env bash
# Echain benchmark: starts private PostgreSQL and Redis, the app as a child process, drives it and
# writes bench/results/report.md, report.json and latency.png. Modes: --quick (default, about a
# minute, for development), --full (the committed report, about 10–15 minutes), --smoke (tiny
# numbers; test.sh runs it so the harness keeps working; fails only when something is broken).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/services.sh

mode=--quick
only=()
out=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick|--full|--smoke) mode=$1 ;;
    --only) only=(--only "${2:?--only needs a scenario: resume}"); shift ;;
    --out) out=(--out "${2:?--out needs a directory}"); shift ;;
    *) echo "usage: bench/run.sh [--quick|--full|--smoke] [--only resume] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done

ensure_packages
# The fan-out scenario's Node.js client harness and Socket.IO peer (bench/harness), pinned by its package-lock.json.
command -v npm >/dev/null 2>&1 || ensure_packages nodejs npm
if [ ! -f bench/harness/node_modules/.package-lock.json ] || [ bench/harness/package-lock.json -nt bench/harness/node_modules/.package-lock.json ]; then
  log "installing the fan-out client harness (bench/harness/package-lock.json)"
  (cd bench/harness && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch node_modules/.package-lock.json)
fi
# 5,000 SignalR clients plus their server-side sockets live on this machine: raise the fd limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" -ge 12000 ] || echo "warning: ulimit -n is $(ulimit -n); 5,000 connections need about 11,000 descriptors" >&2

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if [ "${BENCH_NO_BUILD:-0}" != 1 ]; then
  log "building the benchmark (Release)"
  dotnet build bench/Echain.Bench.csproj -c Release -nologo -v quiet  # warnings are errors via Directory.Build.props
fi
log "running the benchmark ($mode)"
exec dotnet bench/bin/Release/net10.0/Echain.Bench.dll "$mode" "${only[@]}" "${out[@]}"

#!/usr/bin/env bash
# Runs the whole test suite. Installs what is missing (PostgreSQL, Redis, Chromium from Debian);
# the tests start their own private PostgreSQL and Redis instances on free ports and remove them.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/services.sh
ensure_packages chromium

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log "building"
dotnet build Echain.sln -c Release -nologo -v quiet  # warnings are errors via Directory.Build.props
log "checking the Bicep templates (errors and warnings fail)"
scripts/build-bicep.sh
log "packaging the Functions custom handler (artifacts/echain-functions.zip, checked by FunctionsPackageTests)"
scripts/publish-functions.sh
log "running tests"
out=$(mktemp)
set +e
dotnet test Echain.sln -c Release --no-build --nologo --logger "console;verbosity=normal" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
set -e
# The benchmark in smoke mode: tiny numbers, checks only that the harness and the app still work
# (it fails on errors or lost messages, never on a timing).
log "benchmark smoke run"
bench_rc=0
BENCH_NO_BUILD=1 bench/run.sh --smoke >/dev/null || bench_rc=$?
[ "$bench_rc" -eq 0 ] && echo "bench smoke: passed" || echo "bench smoke: FAILED ($bench_rc); see bench/results/tmp/smoke and rerun: bench/run.sh --smoke"

# CI shows the log's tail: repeat each failed test with its message there.
if grep -qE '^\s+Failed [A-Za-z]' "$out"; then
  log "failed tests"
  { grep -A15 -E '^\s+Failed [A-Za-z]' "$out" | grep -vE '^\s+Passed ' | head -150; } || true
fi

# One closing line in the plain 'N passed, N failed' form: the test assemblies plus the smoke run.
sum() { { grep -oE "$1: +[0-9]+" "$out" || true; } | awk '{s+=$2} END {print s+0}'; }
passed=$(sum Passed); failed=$(sum Failed)
rm -f "$out"
if [ "$bench_rc" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
echo "tests: ${passed} passed, ${failed} failed"
[ "$rc" -ne 0 ] && exit "$rc"
exit "$bench_rc"

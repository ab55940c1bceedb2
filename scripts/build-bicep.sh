#!/usr/bin/env bash
# Compile and lint infra/main.bicep with the Bicep CLI from NuGet (Azure.Bicep.CommandLine.linux-x64).
# Fails on any error or warning. With BICEP_OUT=<file> the compiled ARM JSON is also written there. The CLI is cached in the NuGet global packages folder,
# so a second run makes no download.
set -euo pipefail

BICEP_VERSION="${BICEP_VERSION:-0.49.2}"
PKG_ID="Azure.Bicep.CommandLine.linux-x64"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MAIN="${1:-$ROOT/infra/main.bicep}"

# Where NuGet keeps packages (honours NUGET_PACKAGES like dotnet itself does).
PKG_ROOT="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
PKG_DIR="$PKG_ROOT/$(echo "$PKG_ID" | tr '[:upper:]' '[:lower:]')/$BICEP_VERSION"

find_bicep() {
  find "$PKG_DIR" -type f -name bicep 2>/dev/null | head -n 1
}

BICEP="$(find_bicep || true)"
if [[ -z "$BICEP" ]]; then
  echo "build-bicep: fetching $PKG_ID $BICEP_VERSION through NuGet (one time)" >&2
  TMP="$(mktemp -d)"
  trap 'rm -rf "$TMP"' EXIT
  # A throw-away project whose only purpose is a PackageDownload; isolated from the repo's
  # Directory.Build.props / Directory.Packages.props by living in a temp dir with its own stubs.
  cat >"$TMP/Directory.Build.props" <<'XML'
<Project />
XML
  cat >"$TMP/Directory.Packages.props" <<'XML'
<Project />
XML
  cat >"$TMP/fetch.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
  </PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="$PKG_ID" Version="[$BICEP_VERSION]" />
  </ItemGroup>
</Project>
XML
  dotnet restore "$TMP/fetch.csproj" --nologo -v quiet >&2
  BICEP="$(find_bicep || true)"
  if [[ -z "$BICEP" ]]; then
    echo "build-bicep: restore finished but no 'bicep' executable under $PKG_DIR" >&2
    exit 1
  fi
fi
chmod +x "$BICEP" 2>/dev/null || true

# No telemetry, no network lookups of its own beyond what the templates need.
export BICEP_TELEMETRY_ENABLED=false
export DOTNET_CLI_TELEMETRY_OPTOUT=1

echo "build-bicep: $("$BICEP" --version)"

status=0
LOG="$(mktemp)"
# check LABEL -- CMD...: run CMD with its stdout dropped (build --stdout prints the ARM JSON there)
# and its diagnostics (stderr) kept; fail on a non-zero exit or on any Warning/Error diagnostic.
check() {
  local label="$1"; shift
  local rc=0
  "$@" >/dev/null 2>"$LOG" || rc=$?
  if [[ -s "$LOG" ]]; then cat "$LOG"; fi
  if [[ $rc -ne 0 ]]; then
    echo "build-bicep: $label exited with $rc" >&2
    status=1
  fi
  # Bicep diagnostics look like: path(line,col) : Warning no-unused-params: ...
  if grep -Eqi '\b(warning|error)\b' "$LOG"; then
    echo "build-bicep: $label reported diagnostics" >&2
    status=1
  fi
}

check "bicep build" "$BICEP" build "$MAIN" --stdout
check "bicep lint" "$BICEP" lint "$MAIN"
rm -f "$LOG"

# BICEP_OUT=<file>: also keep the compiled ARM JSON there (the infra test reads it).
if [[ $status -eq 0 && -n "${BICEP_OUT:-}" ]]; then
  "$BICEP" build "$MAIN" --outfile "$BICEP_OUT"
fi

if [[ $status -eq 0 ]]; then
  echo "build-bicep: OK: $MAIN builds and lints clean"
fi
exit $status

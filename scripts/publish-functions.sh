#!/usr/bin/env bash
# Builds the deployable Azure Functions package for the custom handler:
#   <staging>/Echain.Functions        self-contained linux-x64 executable (exec bit set)
#   <staging>/host.json               from the repo root
#   <staging>/<Function>/function.json written by that executable from its FunctionCatalog
#                                     (Echain.Functions --write-function-metadata <dir>; no database needed)
# and zips it to artifacts/echain-functions.zip with Unix modes preserved.
#
# Usage: scripts/publish-functions.sh            full build (needs the Echain.Functions project)
#        STAGING_ONLY_FROM=<dir> scripts/publish-functions.sh
#                                                skip dotnet publish, package an existing publish dir
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STAGING="${STAGING:-$ROOT/artifacts/functions-staging}"
ZIP="${ZIP:-$ROOT/artifacts/echain-functions.zip}"
EXE=Echain.Functions

rm -rf "$STAGING"
mkdir -p "$STAGING" "$(dirname "$ZIP")"

if [[ -n "${STAGING_ONLY_FROM:-}" ]]; then
  cp -a "$STAGING_ONLY_FROM"/. "$STAGING"/
else
  dotnet publish "$ROOT/Echain.Functions/Echain.Functions.csproj" \
    -c Release -r linux-x64 --self-contained true \
    -p:DebugType=none -p:GenerateDocumentationFile=false \
    -o "$STAGING" --nologo
fi

[[ -f "$STAGING/$EXE" ]] || { echo "publish-functions: $STAGING/$EXE missing" >&2; exit 1; }
chmod 0755 "$STAGING/$EXE"

cp "$ROOT/host.json" "$STAGING/host.json"
# Exactly the catalog's functions: none left over from a copied publish dir.
find "$STAGING" -mindepth 2 -maxdepth 2 -name function.json -delete
if [[ "$(uname -sm)" == "Linux x86_64" ]]; then
  # The executable that ships writes its own metadata, so the package cannot disagree with its handler.
  "$STAGING/$EXE" --write-function-metadata "$STAGING"
else
  # The linux-x64 executable does not run on this machine (macOS, arm64): the same catalog, built for here.
  dotnet run --project "$ROOT/Echain.Functions/Echain.Functions.csproj" -c Release --no-launch-profile \
    -- --write-function-metadata "$STAGING"
fi
compgen -G "$STAGING/*/function.json" >/dev/null || { echo "publish-functions: no function.json written" >&2; exit 1; }
# A local.settings.json never belongs in the package.
rm -f "$STAGING/local.settings.json"

rm -f "$ZIP"
python3 - "$STAGING" "$ZIP" <<'PY'
import os, stat, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(dst, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as z:
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames.sort()
        for fn in sorted(filenames):
            full = os.path.join(dirpath, fn)
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                raise SystemExit(f"publish-functions: symlink not supported in package: {full}")
            rel = os.path.relpath(full, src).replace(os.sep, "/")
            info = zipfile.ZipInfo.from_file(full, rel)
            info.create_system = 3                      # Unix, so external_attr carries the mode
            info.external_attr = (stat.S_IFREG | stat.S_IMODE(st.st_mode)) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(full, "rb") as f:
                z.writestr(info, f.read())
PY

# Verify what matters: the executable is at the root with its exec bit, host.json and functions present.
python3 - "$ZIP" "$EXE" <<'PY'
import sys, zipfile, json
zp, exe = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(zp) as z:
    names = set(z.namelist())
    mode = (z.getinfo(exe).external_attr >> 16) & 0o777
    assert mode & 0o111, f"{exe} lost its exec bit (mode {oct(mode)})"
    assert "host.json" in names, "host.json missing"
    json.loads(z.read("host.json"))
    fns = sorted(n.split("/")[0] for n in names if n.endswith("/function.json"))
    for n in fns:
        json.loads(z.read(n + "/function.json"))
    print(f"publish-functions: {zp}: {len(names)} files, {exe} mode {oct(mode)}, {len(fns)} functions: {', '.join(fns)}")
PY

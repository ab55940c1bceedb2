#!/usr/bin/env bash
# Signs a JSON file exactly as Coinbase CDP (Hook0) does and POSTs it to Echain's webhook: one delivery by hand.
# Needs only bash, openssl and curl. See --help and README.md, "Sending a webhook by hand".
set -euo pipefail

usage() {
  cat <<'EOF'
usage: scripts/send-webhook.sh [options] FILE.json

Signs FILE.json's bytes as Coinbase CDP does (X-Hook0-Signature t, h, v1; the signed headers are content-type,
x-event-id and x-event-type) and POSTs them; prints the HTTP status and the answer. Exits 1 on a non-2xx answer.

  --url URL          webhook URL (default: $ECHAIN_URL/api/webhooks/coinbase, ECHAIN_URL default http://localhost:7071)
  --secret SECRET    signing secret (default: $Coinbase__WebhookSecrets__0, else run.sh's demo-cdp-secret-0-change-me;
                     the app accepts a delivery signed with any of its configured secrets)
  --event-id ID      the X-Event-Id header, the delivery's idempotency id (default: a new random id)
  --event-type TYPE  the X-Event-Type header (default: onchain.activity.detected)
  --set NAME=VALUE   the value of the placeholder {{NAME}} in the file (repeatable)
  --contract ADDR    the same as --set contract=ADDR
  --print            print t, h, the exact signed string and the headers; send nothing

Placeholders: a file may contain {{contract}}, {{txHash}}, {{eventId}}, {{blockNumber}}, {{network}} and
{{timestamp}}; each one present and not given with --set is filled in: contract = ticketContracts[0] of
GET /api/chain, txHash = 32 random bytes, eventId = a new number, blockNumber = the chain's head, network = the
chain's network, timestamp = now. The values used are printed on stderr. A file without placeholders is sent
byte for byte. Such a log is not on the chain: with the reconciler on (./run.sh's default) it is rolled back
within a pass; start with Echain__Chain__Reconcile=false to keep it. Examples: scripts/examples/event-created.json, scripts/examples/event-updated.json.
EOF
}

base=${ECHAIN_URL:-http://localhost:7071}
url="${base%/}/api/webhooks/coinbase"
secret=${Coinbase__WebhookSecrets__0:-demo-cdp-secret-0-change-me}  # run.sh's demo value
event_id=""
event_type=onchain.activity.detected
print_only=0
file=""
declare -A values=()

while [ $# -gt 0 ]; do
  case "$1" in
    --url) url=${2:?--url needs a value}; shift 2 ;;
    --secret) secret=${2:?--secret needs a value}; shift 2 ;;
    --event-id) event_id=${2:?--event-id needs a value}; shift 2 ;;
    --event-type) event_type=${2:?--event-type needs a value}; shift 2 ;;
    --contract) values[contract]=${2:?--contract needs a value}; shift 2 ;;
    --set) [[ "${2:-}" == *=* ]] || { echo "--set needs NAME=VALUE" >&2; exit 2; }
           values[${2%%=*}]=${2#*=}; shift 2 ;;
    --print) print_only=1; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
    *) [ -z "$file" ] || { echo "one FILE.json only" >&2; exit 2; }; file=$1; shift ;;
  esac
done
[ -n "$file" ] || { usage >&2; exit 2; }
[ -f "$file" ] || { echo "$file: no such file" >&2; exit 2; }
[ -n "$event_id" ] || event_id=$(cat /proc/sys/kernel/random/uuid)
api_base=${url%/api/webhooks/coinbase}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
body=$work/body

# GET /api/chain's fields, read with grep (no jq on a fresh Debian).
chain_json=""
chain_field() {
  case "$1" in
    contract) grep -o '"ticketContracts":\["0x[0-9a-fA-F]\{40\}"' <<<"$chain_json" | grep -o '0x[0-9a-fA-F]\{40\}' || true ;;
    network) grep -o '"network":"[^"]*"' <<<"$chain_json" | head -1 | cut -d'"' -f4 ;;
    head) { grep -o '"head":[0-9]\+' <<<"$chain_json" || true; } | head -1 | cut -d: -f2 ;;
  esac
}

# Read the whole file, trailing newlines included (bash cannot hold NUL bytes: a JSON body has none).
IFS= read -r -d '' content <"$file" || true
if [[ "$content" == *'{{'*'}}'* ]]; then
  for name in contract blockNumber network; do  # fetched here once, not in each $(...) subshell below
    if [[ "$content" == *"{{$name}}"* ]] && [ -z "${values[$name]+set}" ] && [ -z "$chain_json" ]; then
      chain_json=$(curl -fsS -m 5 "$api_base/api/chain") \
        || { echo "GET $api_base/api/chain failed: give the value with --set or --contract" >&2; exit 1; }
    fi
  done
  for name in contract txHash eventId blockNumber network timestamp; do
    [[ "$content" == *"{{$name}}"* ]] && [ -z "${values[$name]+set}" ] || continue
    case "$name" in
      contract) values[contract]=$(chain_field contract)
                [ -n "${values[contract]}" ] || { echo "/api/chain lists no ticket contract: pass --contract" >&2; exit 1; } ;;
      txHash) values[txHash]=0x$(openssl rand -hex 32) ;;
      eventId) values[eventId]=$(date +%s)$(printf '%03d' $((RANDOM % 1000))) ;;
      blockNumber) values[blockNumber]=$(chain_field head); values[blockNumber]=${values[blockNumber]:-1} ;;
      network) values[network]=$(chain_field network); values[network]=${values[network]:-base-sepolia} ;;
      timestamp) values[timestamp]=$(date -u +%Y-%m-%dT%H:%M:%SZ) ;;
    esac
  done
  for name in "${!values[@]}"; do
    content=${content//"{{$name}}"/"${values[$name]}"}
    printf '%s=%s\n' "$name" "${values[$name]}" >&2
  done
  [[ "$content" != *'{{'*'}}'* ]] || echo "warning: the body still holds a {{placeholder}} (give it with --set)" >&2
  printf '%s' "$content" >"$body"
else
  cp "$file" "$body"
fi

# The signed string is t.h.<the signed headers' values joined by '.'>.<the raw body bytes> (CoinbaseSignature.cs).
content_type=application/json
t=$(date +%s)
h="content-type x-event-id x-event-type"
prefix="$t.$h.$content_type.$event_id.$event_type."
v1=$({ printf '%s' "$prefix"; cat "$body"; } | openssl dgst -sha256 -hmac "$secret" | awk '{print $NF}')
signature="t=$t,h=$h,v1=$v1"

if [ "$print_only" = 1 ]; then
  printf 't: %s\nh: %s\n' "$t" "$h"
  printf 'Content-Type: %s\nX-Event-Id: %s\nX-Event-Type: %s\nX-Hook0-Signature: %s\n' \
    "$content_type" "$event_id" "$event_type" "$signature"
  printf -- '--- signed string (HMAC-SHA256 with the secret; the bytes between these lines) ---\n'
  printf '%s' "$prefix"; cat "$body"; printf '\n--- end ---\n'
  exit 0
fi

status=$(curl -sS -m 30 -o "$work/answer" -w '%{http_code}' -X POST "$url" \
  -H "Content-Type: $content_type" -H "X-Event-Id: $event_id" -H "X-Event-Type: $event_type" \
  -H "X-Hook0-Signature: $signature" --data-binary @"$body") \
  || { echo "POST $url failed (is the app running?)" >&2; exit 1; }
echo "HTTP $status"
cat "$work/answer"; echo
case "$status" in
  2??) [ -n "${values[eventId]:-}" ] && echo "page: $api_base/events/${values[eventId]}" >&2; exit 0 ;;
  *) exit 1 ;;
esac

#!/usr/bin/env bash
# Runs Echain standalone on a local chain: PostgreSQL, Redis and anvil (installed and started here when
# needed, data kept in .data/), the Echain contracts deployed on first start, the app on
# http://localhost:7071, the CDP webhook emulator delivering the chain's logs to it, and the demo's
# transactions with a console view of what a connected client receives.
#   ./run.sh --no-demo   everything but the demo's transactions (the emulator still runs)
#   ./run.sh status      what is running, with pid and port (from any terminal)
#   ./run.sh stop        stops what ./run.sh started: the app, demo, emulator, anvil, PostgreSQL and Redis
# Ctrl-C stops the app, demo, emulator and anvil; PostgreSQL and Redis stay up for the next start.
# Given Echain__Chain__RpcUrls__0 in the environment (e.g. Base Sepolia), no local chain, emulator or
# demo is started: a real CDP subscription delivers to this app instead (see README).
# For tests and side-by-side copies: ECHAIN_DATA_DIR (default .data), ECHAIN_NO_BUILD=1 (use the built binaries),
# ECHAIN_PG_PORT, ECHAIN_REDIS_PORT, ECHAIN_CHAIN_PORT, ECHAIN_URL, ECHAIN_METADATA_BASE_URI (the demo's tokenURI
# base, default $ECHAIN_URL/api/tickets/); a setting in the environment always wins.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/services.sh
source scripts/run-parts.sh
source scripts/app-log.sh

usage="usage: ./run.sh [--no-demo] | ./run.sh stop | ./run.sh status"
demo=1 command=start
for arg in "$@"; do
  case "$arg" in
    --no-demo) demo=0 ;;
    stop|status) command=$arg ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done

DATA=${ECHAIN_DATA_DIR:-.data}
RUN_DIR=$DATA/run
PG_PORT=${ECHAIN_PG_PORT:-54329}
REDIS_PORT=${ECHAIN_REDIS_PORT:-63799}
CHAIN_PORT=${ECHAIN_CHAIN_PORT:-8545}
URL=${ECHAIN_URL:-http://localhost:7071}
METADATA_BASE_URI=${ECHAIN_METADATA_BASE_URI:-${URL%/}/api/tickets/}

case "$command" in
  status) status_parts; exit 0 ;;
  stop) for part in demo emulator app anvil redis postgres; do stop_parts "$part"; done  # each before what it uses
        log "stopped what ./run.sh started"; exit 0 ;;
esac

local_chain=1; [ -n "${Echain__Chain__RpcUrls__0:-}" ] && local_chain=0
RPC=${Echain__Chain__RpcUrls__0:-http://127.0.0.1:$CHAIN_PORT}

# Demo defaults; each can be overridden in ASP.NET Core's convention (Section__Key__Index).
export ConnectionStrings__Postgres=${ConnectionStrings__Postgres:-"Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=echain;Maximum Pool Size=50"}
export ConnectionStrings__Redis=${ConnectionStrings__Redis:-"127.0.0.1:$REDIS_PORT"}
export Echain__Chain__RpcUrls__0=$RPC
export Echain__Chain__Network=${Echain__Chain__Network:-base-sepolia}
if [ "$local_chain" = 1 ]; then
  # The local node mines a block a second and never reorgs by itself: items are final after 3 blocks, and the
  # reconciler compares every 5 s (the defaults, 30 confirmations and 15 s, suit Base).
  export Echain__Chain__Confirmations=${Echain__Chain__Confirmations:-3}
  export Echain__Chain__ReconcileInterval=${Echain__Chain__ReconcileInterval:-00:00:05}
fi
export Echain__Auth__SigningKey=${Echain__Auth__SigningKey:-local-development-signing-key-0123456789abcdef}  # demo value
export Echain__Auth__EnableDevTokens=${Echain__Auth__EnableDevTokens:-true}
# Turns on the admin routes (dead letters, delivery log) for callers sending X-Echain-Admin-Key.
demo_admin_key=demo-admin-key-change-me  # demo value
export Echain__Admin__Key=${Echain__Admin__Key:-$demo_admin_key}
# Wallet sign-in accepts messages for the page this script serves (open it at exactly this origin).
export Echain__Auth__AllowedOrigins__0=${Echain__Auth__AllowedOrigins__0:-$(printf '%s' "$URL" | sed -E 's#^([a-z]+://[^/]+).*#\1#')}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# CDP needs one subscription per contract and event filter, each with its own secret: the emulator
# gets the same six, and the app accepts each (demo values; a secret given in the environment wins). The app
# checks a delivery against every configured secret, so any one of them (scripts/send-webhook.sh uses secret 0)
# is accepted for any event; CDP's one-secret-per-subscription matters only for rotating or revoking one.
# Index i signs TICKET_EVENTS[i] of the ticket contract (0 EventCreated, 1 EventUpdated, 2 TicketPurchased,
# 3 Transfer, 4 TicketUsed); 5 signs the payment token's Transfer.
TICKET_EVENTS=(EventCreated EventUpdated TicketPurchased Transfer TicketUsed)
if [ "$local_chain" = 1 ]; then
  for i in $(seq 0 "${#TICKET_EVENTS[@]}"); do  # one per ticket event, and the payment token's Transfer
    var=Coinbase__WebhookSecrets__$i
    export "$var=${!var:-demo-cdp-secret-$i-change-me}"  # demo values
  done
fi

ensure_packages
mkdir -p "$DATA"
start_postgres "$DATA/postgres" "$PG_PORT"
# A server this run found running is recorded only if an earlier ./run.sh had recorded it: stop leaves others alone.
if [ "$PG_STARTED" = 1 ] || part_running postgres; then
  record_part postgres "pid=$(head -1 "$PG_DIR/postmaster.pid")" "port=$PG_PORT" "dir=$PG_DIR"
fi
start_redis "$DATA/redis" "$REDIS_PORT"
if [ "$REDIS_STARTED" = 1 ] || part_running redis; then
  record_part redis "pid=$(cat "$DATA/redis/redis.pid")" "port=$REDIS_PORT"
fi
# What this process started and stops when it ends (Ctrl-C, an error, the app exiting): not PostgreSQL and Redis.
started=()
# Parts run in their own sessions (setsid), so a Ctrl-C reaches this script alone and it stops them in order: each
# one before what it talks to (demo, emulator, app, anvil), rather than all at once (a demo whose node vanished
# mid-request dies with a stack trace).
stop_started() {
  local part
  for part in demo emulator app anvil; do
    if [[ " ${started[*]} " == *" $part "* ]]; then stop_parts "$part"; fi
  done
  started=()
}
trap stop_started EXIT
trap 'stop_started; exit 130' INT TERM
if [ "$local_chain" = 1 ]; then
  ensure_chain_tools
  # A chain started over (its state removed) has none of the blocks the emulator's checkpoint counts.
  [ -f "$DATA/anvil/state.json" ] || rm -f "$DATA/cdp-emulator.checkpoint"
  start_anvil "$DATA/anvil" "$CHAIN_PORT"
  if [ -n "$ANVIL_PID" ]; then record_part anvil "pid=$ANVIL_PID" "port=$CHAIN_PORT"; started=(anvil "${started[@]}"); fi
fi

demo_dll=Echain.Demo/bin/Release/net10.0/Echain.Demo.dll
app_dll=Echain.Functions/bin/Release/net10.0/Echain.Functions.dll
if [ "${ECHAIN_NO_BUILD:-0}" = 1 ]; then
  for dll in "$demo_dll" "$app_dll"; do [ -f "$dll" ] || { echo "ECHAIN_NO_BUILD=1 but $dll is missing: build first" >&2; exit 1; }; done
else
  log "building"
  dotnet build Echain.sln -c Release -nologo -v quiet
fi

if [ "$local_chain" = 1 ] && [ -z "${Echain__TicketContracts__0:-}" ]; then
  log "deploying the Echain contracts unless they are on the chain already"
  eval "$(dotnet "$demo_dll" deploy --rpc "$RPC" | grep -E '^ECHAIN_(TICKET_CONTRACT|PAYMENT_TOKEN)=0x[0-9a-f]{40}$')"
  export Echain__TicketContracts__0=$ECHAIN_TICKET_CONTRACT
  export Echain__PaymentTokens__0=${Echain__PaymentTokens__0:-$ECHAIN_PAYMENT_TOKEN}
fi
: "${Echain__TicketContracts__0:?set Echain__TicketContracts__0 (and Echain__PaymentTokens__0) for a chain that is not the local one}"
log "ticket contract $Echain__TicketContracts__0, payment token ${Echain__PaymentTokens__0:-none}"

log "starting Echain on $URL (log: $DATA/echain.log, appended; rotated over 50 MB)"
open_app_log "$DATA/echain.log" Echain
setsid dotnet "$app_dll" --urls "$URL" >>"$DATA/echain.log" 2>&1 &
app=$!
record_part app "pid=$app" "port=$(url_port "$URL")" "url=$URL"
started=(app "${started[@]}")
for _ in $(seq 100); do
  curl -fsS "$URL/api/health" >/dev/null 2>&1 && break
  kill -0 $app 2>/dev/null || { echo "Echain exited; last log lines:" >&2; tail -20 "$DATA/echain.log" >&2; exit 1; }
  sleep 0.2
done
curl -fsS "$URL/api/health" >/dev/null || { echo "Echain is not healthy: $(curl -sS "$URL/api/health")" >&2; exit 1; }
log "Echain is up: $URL  (health: $URL/api/health, chain: $URL/api/chain, events: $URL/api/events)"
log "Echain page: $URL/  (events list; /events/<id> and /wallets/<address> follow live)"
log "chain: $(curl -fsS "$URL/api/chain" || echo unavailable)"
if [ "$Echain__Admin__Key" = "$demo_admin_key" ]; then admin_key_text="$demo_admin_key (demo value)"; else admin_key_text="your Echain__Admin__Key"; fi
log "admin routes: $URL/api/admin/dead-letters, $URL/api/admin/deliveries  (header X-Echain-Admin-Key: $admin_key_text)"
log "operator page: $URL/admin  (enter the admin key: $admin_key_text; KPIs against their alert thresholds)"
if [ "${Echain__Telemetry__Prometheus:-true}" != "false" ]; then metrics_text="$URL/metrics (Prometheus; dashboard infra/grafana/echain.json)"; else metrics_text="Prometheus off (Echain__Telemetry__Prometheus=false)"; fi
log "metrics: $metrics_text${OTEL_EXPORTER_OTLP_ENDPOINT:+; OTLP export on}; logs: $DATA/echain.log"
log "send a signed webhook by hand: scripts/send-webhook.sh scripts/examples/event-created.json; ./run.sh status, ./run.sh stop"

if [ "$local_chain" = 0 ]; then
  log "using the chain at Echain__Chain__RpcUrls__0; deliveries come from your CDP subscriptions. Ctrl-C stops"
  wait $app; exit
fi

# The emulator reads from its checkpoint; on a chain it has never followed, from the first block.
subscriptions=()
for i in "${!TICKET_EVENTS[@]}"; do
  var=Coinbase__WebhookSecrets__$i
  subscriptions+=(--subscription "contract=$Echain__TicketContracts__0,event=${TICKET_EVENTS[$i]},secret=${!var}")
done
subscriptions+=(--subscription "contract=$Echain__PaymentTokens__0,event=Transfer,secret=$Coinbase__WebhookSecrets__5")
from=(); [ -f "$DATA/cdp-emulator.checkpoint" ] || from=(--from-block 0)
log "starting the CDP webhook emulator (log: $DATA/cdp-emulator.log, appended)"
open_app_log "$DATA/cdp-emulator.log" "CDP webhook emulator"
# shellcheck disable=SC2086 # ECHAIN_EMULATOR_ARGS is a list of extra flags, e.g. "--duplicate-rate 0.1 --shuffle-window 8"
setsid dotnet "$demo_dll" emulate --rpc "$RPC" --webhook "$URL/api/webhooks/coinbase" --network "$Echain__Chain__Network" \
  "${subscriptions[@]}" --checkpoint "$DATA/cdp-emulator.checkpoint" "${from[@]}" ${ECHAIN_EMULATOR_ARGS:-} \
  >>"$DATA/cdp-emulator.log" 2>&1 &
record_part emulator "pid=$!" "target=$URL/api/webhooks/coinbase"
started=(emulator "${started[@]}")

if [ "$demo" = 1 ]; then
  log "starting the demo's transactions (Ctrl-C stops everything but PostgreSQL and Redis)"
  # In the background so that its pid is known (./run.sh stop); its output still comes to this terminal.
  setsid dotnet "$demo_dll" feed --api "$URL" --rpc "$RPC" \
    --ticket-contract "$Echain__TicketContracts__0" --usdc "$Echain__PaymentTokens__0" --metadata-base-uri "$METADATA_BASE_URI" &
  demo_pid=$!
  record_part demo "pid=$demo_pid" "target=$URL"
  started=(demo "${started[@]}")
  wait "$demo_pid"
else
  log "running without the demo's transactions; the emulator delivers whatever happens on $RPC. Ctrl-C stops"
  wait $app
fi

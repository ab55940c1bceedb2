#!/usr/bin/env bash
# Runs Echain standalone on a local chain: PostgreSQL, Redis and anvil (installed and started here when
# needed, data kept in .data/), the Echain contracts deployed on first start, the app on
# http://localhost:7071, the CDP webhook emulator delivering the chain's logs to it, and the demo's
# transactions with a console view of what a connected client receives.
#   ./run.sh --no-demo   everything but the demo's transactions (the emulator still runs)
# Given Echain__Chain__RpcUrls__0 in the environment (e.g. Base Sepolia), no local chain, emulator or
# demo is started: a real CDP subscription delivers to this app instead (see README).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/services.sh

demo=1
for arg in "$@"; do
  case "$arg" in
    --no-demo) demo=0 ;;
    *) echo "usage: ./run.sh [--no-demo]" >&2; exit 2 ;;
  esac
done

PG_PORT=${ECHAIN_PG_PORT:-54329}
REDIS_PORT=${ECHAIN_REDIS_PORT:-63799}
CHAIN_PORT=${ECHAIN_CHAIN_PORT:-8545}
URL=${ECHAIN_URL:-http://localhost:7071}
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
# Wallet sign-in accepts messages for the page this script serves (open it at exactly this origin).
export Echain__Auth__AllowedOrigins__0=${Echain__Auth__AllowedOrigins__0:-$(printf '%s' "$URL" | sed -E 's#^([a-z]+://[^/]+).*#\1#')}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# CDP needs one subscription per contract and event filter, each with its own secret: the emulator
# gets the same six, and the app accepts each (demo values; a secret given in the environment wins).
TICKET_EVENTS=(EventCreated EventUpdated TicketPurchased Transfer TicketUsed)
if [ "$local_chain" = 1 ]; then
  for i in $(seq 0 "${#TICKET_EVENTS[@]}"); do  # one per ticket event, and the payment token's Transfer
    var=Coinbase__WebhookSecrets__$i
    export "$var=${!var:-demo-cdp-secret-$i-change-me}"  # demo values
  done
fi

ensure_packages
start_postgres .data/postgres "$PG_PORT"
start_redis .data/redis "$REDIS_PORT"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null' EXIT INT TERM
if [ "$local_chain" = 1 ]; then
  ensure_chain_tools
  # A chain started over (its state removed) has none of the blocks the emulator's checkpoint counts.
  [ -f .data/anvil/state.json ] || rm -f .data/cdp-emulator.checkpoint
  start_anvil .data/anvil "$CHAIN_PORT"
  [ -n "$ANVIL_PID" ] && pids+=("$ANVIL_PID")
fi

log "building"
dotnet build Echain.sln -c Release -nologo -v quiet
demo_dll=Echain.Demo/bin/Release/net10.0/Echain.Demo.dll

if [ "$local_chain" = 1 ] && [ -z "${Echain__TicketContracts__0:-}" ]; then
  log "deploying the Echain contracts unless they are on the chain already"
  eval "$(dotnet "$demo_dll" deploy --rpc "$RPC" | grep -E '^ECHAIN_(TICKET_CONTRACT|PAYMENT_TOKEN)=0x[0-9a-f]{40}$')"
  export Echain__TicketContracts__0=$ECHAIN_TICKET_CONTRACT
  export Echain__PaymentTokens__0=${Echain__PaymentTokens__0:-$ECHAIN_PAYMENT_TOKEN}
fi
: "${Echain__TicketContracts__0:?set Echain__TicketContracts__0 (and Echain__PaymentTokens__0) for a chain that is not the local one}"
log "ticket contract $Echain__TicketContracts__0, payment token ${Echain__PaymentTokens__0:-none}"

log "starting Echain on $URL (log: .data/echain.log)"
dotnet Echain.Functions/bin/Release/net10.0/Echain.Functions.dll --urls "$URL" >.data/echain.log 2>&1 &
app=$!
pids+=("$app")
for _ in $(seq 100); do
  curl -fsS "$URL/api/health" >/dev/null 2>&1 && break
  kill -0 $app 2>/dev/null || { echo "Echain exited; last log lines:" >&2; tail -20 .data/echain.log >&2; exit 1; }
  sleep 0.2
done
curl -fsS "$URL/api/health" >/dev/null || { echo "Echain is not healthy: $(curl -sS "$URL/api/health")" >&2; exit 1; }
log "Echain is up: $URL  (health: $URL/api/health, chain: $URL/api/chain, events: $URL/api/events)"
log "Echain page: $URL/  (events list; /events/<id> and /wallets/<address> follow live)"
log "chain: $(curl -fsS "$URL/api/chain" || echo unavailable)"

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
from=(); [ -f .data/cdp-emulator.checkpoint ] || from=(--from-block 0)
log "starting the CDP webhook emulator (log: .data/cdp-emulator.log)"
# shellcheck disable=SC2086 # ECHAIN_EMULATOR_ARGS is a list of extra flags, e.g. "--duplicate-rate 0.1 --shuffle-window 8"
dotnet "$demo_dll" emulate --rpc "$RPC" --webhook "$URL/api/webhooks/coinbase" --network "$Echain__Chain__Network" \
  "${subscriptions[@]}" --checkpoint .data/cdp-emulator.checkpoint "${from[@]}" ${ECHAIN_EMULATOR_ARGS:-} \
  >.data/cdp-emulator.log 2>&1 &
pids+=($!)

if [ "$demo" = 1 ]; then
  log "starting the demo's transactions (Ctrl-C stops everything)"
  dotnet "$demo_dll" feed --api "$URL" --rpc "$RPC" \
    --ticket-contract "$Echain__TicketContracts__0" --usdc "$Echain__PaymentTokens__0"
else
  log "running without the demo's transactions; the emulator delivers whatever happens on $RPC. Ctrl-C stops"
  wait $app
fi

#!/usr/bin/env bash
# Runs Echain standalone: local PostgreSQL and Redis (installed and started here when needed, data
# kept in .data/), the app on http://localhost:7071, and a demo feed of signed Coinbase webhooks with
# a console view of what a connected client receives. `./run.sh --no-demo` starts without the feed.
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
URL=${ECHAIN_URL:-http://localhost:7071}

# Demo defaults; each can be overridden in ASP.NET Core's convention (Section__Key__Index).
export ConnectionStrings__Postgres=${ConnectionStrings__Postgres:-"Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=echain;Maximum Pool Size=50"}
export ConnectionStrings__Redis=${ConnectionStrings__Redis:-"127.0.0.1:$REDIS_PORT"}
export Coinbase__WebhookSecrets__0=${Coinbase__WebhookSecrets__0:-demo-webhook-secret-change-me}
export Echain__TicketContracts__0=${Echain__TicketContracts__0:-0x5fbdb2315678afecb367f032d93f642f64180aa3}
export Echain__PaymentTokens__0=${Echain__PaymentTokens__0:-0x833589fcd6edb6e08f4c7c32d4f71b54bda02913}
export Echain__Auth__SigningKey=${Echain__Auth__SigningKey:-local-development-signing-key-0123456789abcdef}
export Echain__Auth__EnableDevTokens=${Echain__Auth__EnableDevTokens:-true}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

ensure_packages
start_postgres .data/postgres "$PG_PORT"
start_redis .data/redis "$REDIS_PORT"

log "building"
dotnet build Echain.sln -c Release -nologo -v quiet

log "starting Echain on $URL (log: .data/echain.log)"
dotnet Echain.Functions/bin/Release/net10.0/Echain.Functions.dll --urls "$URL" >.data/echain.log 2>&1 &
app=$!
trap 'kill $app 2>/dev/null; wait $app 2>/dev/null' EXIT INT TERM
for _ in $(seq 100); do
  curl -fsS "$URL/api/health" >/dev/null 2>&1 && break
  kill -0 $app 2>/dev/null || { echo "Echain exited; last log lines:" >&2; tail -20 .data/echain.log >&2; exit 1; }
  sleep 0.2
done
curl -fsS "$URL/api/health" >/dev/null || { echo "Echain is not healthy: $(curl -sS "$URL/api/health")" >&2; exit 1; }
log "Echain is up: $URL  (health: $URL/api/health, events: $URL/api/events)"
log "Echain page: $URL/  (events list; /events/<id> and /wallets/<address> follow live)"

if [ "$demo" = 1 ]; then
  log "starting the demo feed (Ctrl-C stops everything)"
  dotnet Echain.Demo/bin/Release/net10.0/Echain.Demo.dll --api "$URL" \
    --secret "$Coinbase__WebhookSecrets__0" --ticket-contract "$Echain__TicketContracts__0" --usdc "$Echain__PaymentTokens__0"
else
  log "running without the demo feed; Ctrl-C stops"
  wait $app
fi

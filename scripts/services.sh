# Sourced by run.sh and test.sh: installs and starts the local PostgreSQL 15 and Redis 7 that the
# app needs, from Debian's packages. Nothing here depends on a service started by hand.
PG_BIN=/usr/lib/postgresql/15/bin

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }

# apt-get only when something is missing, so a warm machine starts in seconds.
ensure_packages() {
  local missing=()
  [ -x "$PG_BIN/initdb" ] || missing+=(postgresql-15)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  # The benchmark's baselines: pgbench ships in postgresql-15 beside initdb; redis-benchmark and redis-cli in redis-tools.
  [ -x "$PG_BIN/pgbench" ] || missing+=(postgresql-15)
  command -v redis-benchmark >/dev/null 2>&1 || missing+=(redis-tools)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)  # scripts/send-webhook.sh signs with it
  for p in "$@"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]} (Debian packages)"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# initdb/pg_ctl refuse to run as root: run them as the postgres user when we are root.
as_pg() {
  # From / so that a working directory postgres cannot read (a private home) is not in the way.
  if [ "$(id -u)" -eq 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# start_postgres DATA_DIR PORT: a private cluster kept in DATA_DIR (survives restarts). Sets PG_STARTED=1 when
# it started the server (0: it was running already) and PG_DIR to the cluster's real directory.
start_postgres() {
  local dir=$1 port=$2
  PG_STARTED=0
  mkdir -p "$(dirname "$dir")"
  if [ "$(id -u)" -eq 0 ] && [ ! -L "$dir" ] && [ ! -f "$dir/PG_VERSION" ] \
     && ! runuser -u postgres -- test -x "$(cd "$(dirname "$dir")" && pwd)"; then
    # The checkout sits below a directory the postgres user cannot enter (e.g. /root, mode 700), and
    # PostgreSQL refuses to run as root: keep the cluster where postgres can reach it, linked from here.
    local home
    home=/var/lib/echain/postgres-$(printf '%s' "$(cd "$(dirname "$dir")" && pwd)" | md5sum | cut -c1-12)
    log "the postgres user cannot enter $(dirname "$dir"); keeping the cluster in $home (linked from $dir)"
    mkdir -p "$home"
    ln -sfn "$home" "$dir"
  fi
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd -P)
  PG_DIR=$dir
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir" && chmod 700 "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    log "initialising PostgreSQL cluster in $dir"
    as_pg "$PG_BIN/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 >/dev/null
  fi
  if as_pg "$PG_BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    log "PostgreSQL already running on port $port"
  else
    log "starting PostgreSQL on 127.0.0.1:$port"
    as_pg "$PG_BIN/pg_ctl" -D "$dir" -w -l "$dir/server.log" \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null
    PG_STARTED=1
  fi
  as_pg psql -h 127.0.0.1 -p "$port" -U postgres -tAc "select 1 from pg_database where datname='echain'" | grep -q 1 \
    || as_pg psql -h 127.0.0.1 -p "$port" -U postgres -qc "create database echain" >/dev/null
}

# as_pg runs from /, so the data directory must be absolute. A cluster that is not running is fine;
# one that is running and will not stop is reported.
stop_postgres() {
  local dir
  dir=$(cd "$1" 2>/dev/null && pwd -P) || return 0
  as_pg "$PG_BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1 || return 0
  as_pg "$PG_BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
}

# start_redis DATA_DIR PORT: append-only file in DATA_DIR so queued events survive a restart. Sets REDIS_STARTED=1
# when it started the server (its pid in DATA_DIR/redis.pid), 0 when one answered on PORT already.
start_redis() {
  local dir=$1 port=$2
  REDIS_STARTED=0
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if redis-cli -p "$port" ping >/dev/null 2>&1; then
    log "Redis already running on port $port"; return 0
  fi
  log "starting Redis on 127.0.0.1:$port"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --appendonly yes \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --save ""
  REDIS_STARTED=1
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "Redis did not start; see $dir/redis.log" >&2; return 1
}

stop_redis() { redis-cli -p "$1" shutdown nosave >/dev/null 2>&1 || true; }

# The local chain's tools (anvil, solc-js) from npm, pinned by contracts/package-lock.json. Scripts stay
# off: anvil's postinstall would download, its binary arrives in the platform package instead.
ensure_chain_tools() {
  command -v npm >/dev/null 2>&1 || ensure_packages nodejs npm
  if [ ! -f contracts/node_modules/.package-lock.json ] || [ contracts/package-lock.json -nt contracts/node_modules/.package-lock.json ]; then
    log "installing the local chain's tools (contracts/package-lock.json)"
    (cd contracts && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error && touch node_modules/.package-lock.json)
  fi
  case "$(uname -m)" in aarch64|arm64) ANVIL_PLATFORM=linux-arm64 ;; *) ANVIL_PLATFORM=linux-amd64 ;; esac
  ANVIL=${ANVIL:-$PWD/contracts/node_modules/@foundry-rs/anvil-$ANVIL_PLATFORM/bin/anvil}
}

chain_answers() {
  curl -fsS -m 2 -H 'content-type: application/json' \
    -d '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "http://127.0.0.1:$1" >/dev/null 2>&1
}

# start_anvil DATA_DIR PORT: the local chain (Base Sepolia's id 84532, one block per second so block
# times are the clock), its state kept in DATA_DIR across restarts. Sets ANVIL_PID when started here
# (run.sh stops it on exit; anvil writes its state then, and every 5 s while it runs).
start_anvil() {
  local dir=$1 port=$2
  ANVIL_PID=""
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  if chain_answers "$port"; then
    log "a chain node already answers on port $port; using it"; return 0
  fi
  log "starting anvil (chain id 84532, one block per second) on 127.0.0.1:$port, state in $dir"
  # In its own session: a terminal's Ctrl-C reaches only run.sh, which stops the demo before the node it talks to.
  setsid "$ANVIL" --host 127.0.0.1 --port "$port" --chain-id 84532 --block-time 1 \
    --state "$dir/state.json" --state-interval 5 --silent >"$dir/anvil.log" 2>&1 &
  ANVIL_PID=$!
  for _ in $(seq 100); do chain_answers "$port" && return 0; sleep 0.1; done
  echo "anvil did not start; see $dir/anvil.log" >&2; return 1
}

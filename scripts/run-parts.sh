# Sourced by run.sh: what it started, recorded in $RUN_DIR (one file per part, key=value lines: pid, port, url, dir),
# so that `./run.sh stop` and `./run.sh status` work from another terminal, and after the first one was killed.
# Only what is recorded is ever stopped, and only while its pid is still the program that was started (a pid
# the system gave to another program since is left alone).

# The parts in the order status lists them; each with the word its command line must contain.
RUN_PARTS=(app postgres redis anvil emulator demo)
declare -A RUN_PART_PROGRAM=([app]=Echain.Functions.dll [postgres]=postgres [redis]=redis-server [anvil]=anvil
  [emulator]=emulate [demo]=feed)

# record_part PART key=value…: remember a part this run started.
record_part() {
  mkdir -p "$RUN_DIR"
  # Written aside, then renamed: a ./run.sh status in another terminal never reads a half-written record
  # (it read the pid as empty, then the part as running, and said "up" with no pid).
  printf '%s\n' "${@:2}" >"$RUN_DIR/.$1.tmp"
  mv -f "$RUN_DIR/.$1.tmp" "$RUN_DIR/$1"
}

# part_field PART KEY: a recorded value, empty when the part or the key is not recorded.
part_field() {
  local file=$RUN_DIR/$1 key value
  [ -f "$file" ] || return 0
  while IFS='=' read -r key value; do
    [ "$key" = "$2" ] && { printf '%s' "$value"; return 0; }
  done <"$file"
  return 0
}

# pid_runs PID PROGRAM: PID is alive (not a zombie nobody reaped yet) and its command line names PROGRAM.
pid_runs() {
  local pid=$1 program=$2 state
  [[ "$pid" =~ ^[0-9]+$ ]] && [ -r "/proc/$pid/stat" ] || return 1
  state=$(sed -E 's/^[0-9]+ \(.*\) (.).*/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
  [ "$state" != Z ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$program"
}

part_running() { pid_runs "$(part_field "$1" pid)" "${RUN_PART_PROGRAM[$1]}"; }

port_open() { (exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1") 2>/dev/null; }

# stop_parts PART…: TERM to each recorded, still-running process part (all first, so they stop together), then
# waits up to 15 s for each before KILL, and forgets the records. PostgreSQL and Redis are stopped by their own
# tools (a clean shutdown that keeps the data).
stop_parts() {
  local part pid waiting=() dir port
  for part in "$@"; do
    pid=$(part_field "$part" pid)
    case "$part" in
      postgres)
        dir=$(part_field postgres dir)
        if [ -n "$dir" ] && part_running postgres; then
          log "stopping PostgreSQL (pid $pid, port $(part_field postgres port))"; stop_postgres "$dir"
        fi
        rm -f "$RUN_DIR/postgres" ;;
      redis)
        port=$(part_field redis port)
        if part_running redis; then
          log "stopping Redis (pid $pid, port $port)"; stop_redis "$port"; waiting+=("$part:$pid")
        else
          rm -f "$RUN_DIR/redis"
        fi ;;
      *)
        if part_running "$part"; then
          log "stopping $part (pid $pid)"; kill -TERM "$pid" 2>/dev/null || true; waiting+=("$part:$pid")
        else
          rm -f "$RUN_DIR/$part"
        fi ;;
    esac
  done
  local entry
  for entry in "${waiting[@]}"; do
    part=${entry%%:*} pid=${entry#*:}
    for _ in $(seq 150); do pid_runs "$pid" "${RUN_PART_PROGRAM[$part]}" || break; sleep 0.1; done
    if pid_runs "$pid" "${RUN_PART_PROGRAM[$part]}"; then
      log "$part (pid $pid) did not stop within 15 s; killing it"; kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$RUN_DIR/$part"
  done
}

# status_parts: one line per part: up/down, pid and port (what a part without a record would use, from the
# settings). A port that answers without a recorded process is someone else's, and said so.
status_parts() {
  local part pid port extra state host
  for part in "${RUN_PARTS[@]}"; do
    pid=$(part_field "$part" pid) port=$(part_field "$part" port) extra="" host=127.0.0.1
    case "$part" in
      app) port=${port:-$(url_port "$URL")}; host=$(url_host "$(part_field app url)"); host=${host:-$(url_host "$URL")}
           extra="$(part_field app url)" ;;
      postgres) port=${port:-$PG_PORT}; extra=$(part_field postgres dir) ;;
      redis) port=${port:-$REDIS_PORT} ;;
      anvil) port=${port:-$CHAIN_PORT} ;;
      emulator|demo) port=- ; extra=$(part_field "$part" target) ;;
    esac
    if part_running "$part"; then
      state=up
      [ "$port" = - ] || port_open "$port" "$host" || state=starting
    else
      state=down pid=""
      [ "$port" != - ] && port_open "$port" "$host" && extra="port in use by a process ./run.sh did not start"
    fi
    printf '%-9s %-8s pid %-8s port %-6s %s\n' "$part" "$state" "${pid:--}" "$port" "$extra"
  done
}

url_port() {
  local rest=${1#*://}; rest=${rest%%/*}
  if [[ "$rest" == *:* ]]; then printf '%s' "${rest##*:}"; elif [[ "$1" == https:* ]]; then printf 443; else printf 80; fi
}

url_host() { local rest=${1#*://}; rest=${rest%%/*}; printf '%s' "${rest%:*}"; }

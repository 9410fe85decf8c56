#!/usr/bin/env bash
# Private, dev-only PostgreSQL server for the Shopstream repository.
#
#   scripts/postgres.sh start        start (installing/initialising if needed); prints the Npgsql connection string
#   scripts/postgres.sh stop         stop the server (fast mode) if it is running
#   scripts/postgres.sh status       report on stderr whether it runs; exit 0 if running, 1 if not
#   scripts/postgres.sh url          print the connection string if running, else exit 1
#   scripts/postgres.sh psql [args]  run psql against the server (default database: shopstream)
#
# Layout (the "area", git-ignored):  <repo>/.pgdata/
#   data/         the cluster (PGDATA)
#   run/          unix socket directory
#   port          the TCP port chosen on first start (reused afterwards)
#   server.log    server log
#
# The server listens on 127.0.0.1 only and trusts every local connection: never use it for anything but dev/test.
# When run as root the cluster is owned by, and the server runs as, the `postgres` system user (PostgreSQL
# refuses to run as root). Only stdout output of `start`/`url` is the connection string; everything else goes
# to stderr.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO="$(cd "$SCRIPT_DIR/.." && pwd -P)"

DB_NAME="shopstream"
DB_USER="postgres"
FIRST_PORT=55432
LAST_PORT=55631
MAX_CONNECTIONS=200

log() { printf 'postgres.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
    sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
}

IS_ROOT=0
if [[ "$(id -u)" -eq 0 ]]; then
    IS_ROOT=1
fi

# ---------------------------------------------------------------------------------------------------------------
# Locations
# ---------------------------------------------------------------------------------------------------------------

path_hash() { printf '%s' "$1" | cksum | cut -d' ' -f1; }

# Run a command as the user that owns the cluster (postgres when we are root, ourselves otherwise).
# The working directory is / so that root's cwd (possibly unreadable for postgres) does not matter.
as_pg() {
    if (( IS_ROOT )); then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

choose_base() {
    BASE="$REPO/.pgdata"
    BASE_NOTE=""
    if (( IS_ROOT )) && id -u postgres >/dev/null 2>&1; then
        # The postgres user must be able to reach the data dir through every parent directory.
        if ! (cd / && runuser -u postgres -- test -x "$REPO") 2>/dev/null; then
            BASE="/var/tmp/shopstream-pgdata-$(path_hash "$REPO")"
            BASE_NOTE="user 'postgres' cannot traverse $REPO; using $BASE as the data-dir area instead"
        fi
    fi
    DATA="$BASE/data"
    SOCK_DIR="$BASE/run"
    PORT_FILE="$BASE/port"
    LOG_FILE="$BASE/server.log"
    LOCK_FILE="$BASE/.lock"
    # Unix socket paths are limited to ~107 bytes; fall back to /tmp for very long repository paths.
    if (( ${#SOCK_DIR} + 20 > 100 )); then
        SOCK_DIR="/tmp/shopstream-pg-$(path_hash "$REPO")"
    fi
}

# ---------------------------------------------------------------------------------------------------------------
# Binaries
# ---------------------------------------------------------------------------------------------------------------

# Echo the newest /usr/lib/postgresql/<ver>/bin that has the server tools (or the one matching an existing
# cluster's PG_VERSION), else the directory of initdb on PATH. Returns 1 when nothing is found.
find_bindir() {
    local want="" dir ver
    if [[ -f "$DATA/PG_VERSION" ]]; then
        want="$(cat "$DATA/PG_VERSION" 2>/dev/null || true)"
        if [[ -n "$want" && -x "/usr/lib/postgresql/$want/bin/pg_ctl" && -x "/usr/lib/postgresql/$want/bin/initdb" ]]; then
            echo "/usr/lib/postgresql/$want/bin"
            return 0
        fi
    fi
    if [[ -d /usr/lib/postgresql ]]; then
        while IFS= read -r ver; do
            dir="/usr/lib/postgresql/$ver/bin"
            if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/postgres" ]]; then
                echo "$dir"
                return 0
            fi
        done < <(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -V -r)
    fi
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dir="$(dirname "$(readlink -f "$(command -v pg_ctl)")")"
        echo "$dir"
        return 0
    fi
    return 1
}

install_postgres() {
    log "PostgreSQL server binaries not found; installing the Debian 'postgresql' package"
    local -a SUDO=()
    if (( ! IS_ROOT )); then
        command -v sudo >/dev/null 2>&1 || die "not root and sudo is unavailable; install PostgreSQL (apt-get install -y postgresql) first"
        SUDO=(sudo)
    fi
    command -v apt-get >/dev/null 2>&1 || die "apt-get not available; install PostgreSQL manually"
    { "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update \
        && "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; } >&2 \
        || die "apt-get install postgresql failed"
}

resolve_bins() {
    local bindir
    if ! bindir="$(find_bindir)"; then
        install_postgres
        bindir="$(find_bindir)" || die "PostgreSQL installed but initdb/pg_ctl still not found"
    fi
    BINDIR="$bindir"
    INITDB="$BINDIR/initdb"
    PG_CTL="$BINDIR/pg_ctl"
    PSQL="$BINDIR/psql"
    [[ -x "$PSQL" ]] || PSQL="$(command -v psql || true)"
    [[ -n "$PSQL" ]] || die "psql not found"
}

# Bins only if already present (for stop/url/psql: never install).
resolve_bins_noinstall() {
    local bindir
    bindir="$(find_bindir)" || return 1
    BINDIR="$bindir"
    PG_CTL="$BINDIR/pg_ctl"
    PSQL="$BINDIR/psql"
    [[ -x "$PSQL" ]] || PSQL="$(command -v psql || true)"
    return 0
}

# ---------------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------------

ensure_pg_user() {
    if (( IS_ROOT )) && ! id -u postgres >/dev/null 2>&1; then
        log "creating system user 'postgres'"
        useradd --system --user-group --home-dir /var/lib/postgresql --shell /bin/bash postgres >&2
    fi
}

# Create the area (owned by postgres when root).
ensure_base() {
    if [[ -n "$BASE_NOTE" ]]; then
        log "note: $BASE_NOTE"
    fi
    mkdir -p "$BASE"
    if (( IS_ROOT )); then
        if [[ "$(stat -c %U "$BASE")" != "postgres" ]]; then
            chown -R postgres:postgres "$BASE"
        fi
    fi
    chmod 0700 "$BASE"
    if [[ ! -d "$SOCK_DIR" ]]; then
        mkdir -p "$SOCK_DIR"
        if (( IS_ROOT )); then
            chown postgres:postgres "$SOCK_DIR"
        fi
    fi
    chmod 0700 "$SOCK_DIR"
}

# 0 when the cluster in $DATA has a live postmaster.
is_running() {
    [[ -f "$DATA/PG_VERSION" ]] || return 1
    [[ -n "${PG_CTL:-}" ]] || return 1
    as_pg "$PG_CTL" -D "$DATA" status >/dev/null 2>&1
}

# Port of the running server (line 4 of postmaster.pid), else the recorded one.
running_port() {
    local p=""
    if [[ -f "$DATA/postmaster.pid" ]]; then
        p="$(sed -n '4p' "$DATA/postmaster.pid" 2>/dev/null | tr -d '[:space:]' || true)"
    fi
    if [[ -z "$p" && -f "$PORT_FILE" ]]; then
        p="$(tr -d '[:space:]' < "$PORT_FILE")"
    fi
    [[ "$p" =~ ^[0-9]+$ ]] || return 1
    echo "$p"
}

conn_string() { printf 'Host=127.0.0.1;Port=%s;Username=%s;Database=%s\n' "$1" "$DB_USER" "$DB_NAME"; }

# 0 when nothing can connect to / is bound on 127.0.0.1:$1 (i.e. we could listen there).
port_is_free() {
    local port="$1"
    if command -v python3 >/dev/null 2>&1; then
        python3 - "$port" <<'PY' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
# Like the postmaster: ignore TIME_WAIT leftovers, but still fail when something listens.
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
sys.exit(0)
PY
        return $?
    fi
    # Fallback: something accepting connections means busy.
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        return 1
    fi
    return 0
}

pick_port() {
    local p
    if [[ -f "$PORT_FILE" ]]; then
        p="$(tr -d '[:space:]' < "$PORT_FILE")"
        if [[ "$p" =~ ^[0-9]+$ ]]; then
            if port_is_free "$p"; then
                echo "$p"
                return 0
            fi
            log "warning: recorded port $p is in use by something else; choosing a new port"
        fi
    fi
    for ((p = FIRST_PORT; p <= LAST_PORT; p++)); do
        if port_is_free "$p"; then
            echo "$p"
            return 0
        fi
    done
    die "no free TCP port in $FIRST_PORT..$LAST_PORT"
}

sql_quote() { printf "'%s'" "${1//\'/\'\'}"; }

init_cluster() {
    if [[ -f "$DATA/PG_VERSION" ]]; then
        return 0
    fi
    if [[ -d "$DATA" ]] && [[ -n "$(ls -A "$DATA" 2>/dev/null)" ]]; then
        die "$DATA exists, is not empty and holds no cluster; remove it and retry"
    fi
    log "initialising cluster in $DATA ($("$PG_CTL" --version 2>/dev/null || echo "$BINDIR"))"
    as_pg "$INITDB" -D "$DATA" -U "$DB_USER" --auth=trust -E UTF8 --locale=C >&2 \
        || die "initdb failed"
    # Our settings live in an include file that `start` rewrites each time.
    printf "\n# Added by scripts/postgres.sh\ninclude_if_exists = 'shopstream.conf'\n" \
        | as_pg tee -a "$DATA/postgresql.conf" >/dev/null
}

write_settings() {
    local port="$1"
    {
        echo "# Managed by scripts/postgres.sh -- rewritten on every start."
        echo "listen_addresses = '127.0.0.1'"
        echo "port = $port"
        echo "unix_socket_directories = $(sql_quote "$SOCK_DIR")"
        echo "max_connections = $MAX_CONNECTIONS"
        echo "logging_collector = off"
    } | as_pg tee "$DATA/shopstream.conf" >/dev/null
}

wait_ready() {
    local port="$1" i
    for ((i = 0; i < 60; i++)); do
        if PGCONNECT_TIMEOUT=2 "$PSQL" -X -q -h 127.0.0.1 -p "$port" -U "$DB_USER" -d postgres -tAc 'select 1' >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.5
    done
    return 1
}

ensure_database() {
    local port="$1" exists
    exists="$("$PSQL" -X -q -h 127.0.0.1 -p "$port" -U "$DB_USER" -d postgres -tAc \
        "select 1 from pg_database where datname = $(sql_quote "$DB_NAME")")" \
        || die "cannot query the server on port $port"
    if [[ "$exists" != "1" ]]; then
        log "creating database $DB_NAME"
        "$PSQL" -X -q -h 127.0.0.1 -p "$port" -U "$DB_USER" -d postgres -v ON_ERROR_STOP=1 \
            -c "create database \"$DB_NAME\"" >&2 \
            || die "create database $DB_NAME failed"
    fi
}

# ---------------------------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------------------------

# pg_ctl start, without leaking our open file descriptors (the start lock, caller pipes) into the postmaster.
start_daemon() {
    (
        local fd
        for fd in "/proc/$BASHPID/fd/"*; do
            fd="${fd##*/}"
            if [[ "$fd" =~ ^[0-9]+$ ]] && (( fd > 2 )); then
                eval "exec $fd>&-" 2>/dev/null || true
            fi
        done
        as_pg "$PG_CTL" -D "$DATA" -l "$LOG_FILE" -w -t 60 start
    )
}

cmd_start() {
    choose_base
    resolve_bins          # may install PostgreSQL (which also creates the postgres user)
    ensure_pg_user
    choose_base           # again: the traversal check needs the postgres user
    ensure_base
    exec 9>"$LOCK_FILE"
    flock -w 120 9 || die "timed out waiting for the lock $LOCK_FILE"

    init_cluster

    local port
    if is_running; then
        port="$(running_port)" || die "server is running but its port is unknown"
        log "server already running (data dir $DATA, port $port)"
    else
        port="$(pick_port)"
        write_settings "$port"
        printf '%s\n' "$port" > "$PORT_FILE"
        if (( IS_ROOT )); then
            chown postgres:postgres "$PORT_FILE"
        fi
        log "starting server on 127.0.0.1:$port (data dir $DATA, log $LOG_FILE)"
        if ! start_daemon >&2; then
            log "server failed to start; last log lines:"
            tail -n 20 "$LOG_FILE" >&2 2>/dev/null || true
            exit 1
        fi
    fi
    printf '%s\n' "$port" > "$PORT_FILE"

    wait_ready "$port" || die "server on port $port does not accept connections (see $LOG_FILE)"
    ensure_database "$port"
    conn_string "$port"
}

cmd_stop() {
    choose_base
    if ! resolve_bins_noinstall || ! is_running; then
        log "server not running"
        return 0
    fi
    if [[ -d "$BASE" ]]; then
        exec 9>"$LOCK_FILE"
        flock -w 120 9 || die "timed out waiting for the lock $LOCK_FILE"
    fi
    log "stopping server (data dir $DATA)"
    as_pg "$PG_CTL" -D "$DATA" -m fast -w -t 60 stop >&2
}

cmd_status() {
    choose_base
    if resolve_bins_noinstall && is_running; then
        log "running: $(conn_string "$(running_port)")"
        return 0
    fi
    log "not running"
    return 1
}

cmd_url() {
    choose_base
    if resolve_bins_noinstall && is_running; then
        local port
        port="$(running_port)" || exit 1
        conn_string "$port"
        return 0
    fi
    log "server not running (use: scripts/postgres.sh start)"
    exit 1
}

cmd_psql() {
    choose_base
    if ! resolve_bins_noinstall || ! is_running; then
        die "server not running (use: scripts/postgres.sh start)"
    fi
    local port
    port="$(running_port)" || die "cannot determine the server port"
    # Environment defaults so that explicit psql arguments (e.g. -d other) still win.
    PGHOST=127.0.0.1 PGPORT="$port" PGUSER="$DB_USER" PGDATABASE="$DB_NAME" exec "$PSQL" "$@"
}

main() {
    local cmd="${1:-}"
    [[ $# -gt 0 ]] && shift
    case "$cmd" in
        start)  cmd_start ;;
        stop)   cmd_stop ;;
        status) cmd_status ;;
        url)    cmd_url ;;
        psql)   cmd_psql "$@" ;;
        -h|--help|help) usage ;;
        *) usage; exit 2 ;;
    esac
}

main "$@"

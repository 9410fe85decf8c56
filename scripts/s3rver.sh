#!/usr/bin/env bash
# Private, test-only S3-compatible server (s3rver, from npm) for the lake's S3 mode.
#
#   scripts/s3rver.sh start     start it (installing s3rver with `npm ci` when missing); prints its endpoint URL
#   scripts/s3rver.sh stop      stop it if it runs
#   scripts/s3rver.sh url       print the endpoint URL if it runs, else exit 1
#
# Layout (git-ignored): <repo>/.s3rver/ with data/, port, pid and server.log. It listens on 127.0.0.1 only and accepts
# the fixed credentials S3RVER / S3RVER: never use it for anything but tests. Only `start`/`url` print to stdout.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
BASE="$REPO/.s3rver"
BIN="$REPO/node_modules/.bin/s3rver"
FIRST_PORT=54568
LAST_PORT=54767

log() { printf 's3rver.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

running() { [[ -f "$BASE/pid" ]] && kill -0 "$(cat "$BASE/pid")" 2>/dev/null; }
url() { printf 'http://127.0.0.1:%s\n' "$(cat "$BASE/port")"; }
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

install() {
    if [[ -x "$BIN" ]]; then return; fi
    if ! command -v npm >/dev/null 2>&1; then
        log "installing nodejs and npm (Debian packages)"
        if [[ $(id -u) -eq 0 ]]; then SUDO=""; else SUDO="sudo"; fi
        $SUDO apt-get update -q >&2
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q nodejs npm >&2
    fi
    log "installing s3rver (npm ci)"
    (cd "$REPO" && npm ci --no-audit --no-fund >&2)
}

start() {
    if running; then url; return; fi
    install
    mkdir -p "$BASE/data"
    local port
    port="$(cat "$BASE/port" 2>/dev/null || true)"
    if [[ -z "$port" ]] || answers "$port"; then
        port=""
        for ((p = FIRST_PORT; p <= LAST_PORT; p++)); do
            if ! answers "$p"; then port=$p; break; fi
        done
        [[ -n "$port" ]] || die "no free port in $FIRST_PORT-$LAST_PORT"
        echo "$port" > "$BASE/port"
    fi
    log "starting on 127.0.0.1:$port (data $BASE/data, log $BASE/server.log)"
    nohup "$BIN" -d "$BASE/data" -a 127.0.0.1 -p "$port" --no-vhost-buckets > "$BASE/server.log" 2>&1 &
    echo $! > "$BASE/pid"
    for _ in $(seq 100); do
        if answers "$port"; then url; return; fi
        running || die "s3rver exited; see $BASE/server.log"
        sleep 0.1
    done
    die "s3rver did not answer on port $port within 10 s; see $BASE/server.log"
}

stop() {
    if running; then kill "$(cat "$BASE/pid")"; log "stopped"; fi
    rm -f "$BASE/pid"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) running && url || exit 1 ;;
    *) sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac

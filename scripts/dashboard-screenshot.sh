#!/usr/bin/env bash
# Headless Chromium screenshot of a silo's Orleans dashboard: an embedded broker process and one silo process
# on loopback ports, the bundled snapshot ingested, then `chromium --headless` saves .run/dashboard.png and dumps
# the DOM. Exits non-zero when the page title is not the Orleans dashboard's or the PNG is missing or empty.
# Installs Debian's `chromium` when missing. PostgreSQL: $SHOPSTREAM_POSTGRES, else scripts/postgres.sh start.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$HERE"
APP="$HERE/src/Cli/bin/Release/net10.0/shopstream.dll"
RUN="$HERE/.run/dashboard-screenshot"
PNG="$HERE/.run/dashboard.png"
TITLE="Orleans Dashboard"
DB="shopstream_screenshot"
log() { echo "dashboard-screenshot: $*" >&2; }

scripts/chromium.sh >/dev/null

rm -rf "$RUN" "$PNG" && mkdir -p "$RUN"
dotnet build src/Cli/Cli.csproj -c Release -nologo -v q -clp:ErrorsOnly >&2

PG="${SHOPSTREAM_POSTGRES:-$(scripts/postgres.sh start)}"
# The Npgsql connection string as a psql URL (on database $2), and with its database replaced by $2.
pg_url() {
  python3 - "$1" "$2" <<'PY'
import sys, urllib.parse
kv = {k.strip().lower(): v for k, v in (p.split("=", 1) for p in sys.argv[1].split(";") if "=" in p)}
user = kv.get("username") or kv.get("user id") or kv.get("userid") or kv.get("user") or "postgres"
auth = urllib.parse.quote(user) + (":" + urllib.parse.quote(kv["password"]) if kv.get("password") else "")
print(f"postgresql://{auth}@{kv.get('host', '127.0.0.1')}:{kv.get('port', '5432')}/{sys.argv[2]}")
PY
}
with_database() {
  python3 - "$1" "$2" <<'PY'
import sys
parts = [p for p in sys.argv[1].split(";") if p and p.split("=", 1)[0].strip().lower() != "database"]
print(";".join(parts + ["Database=" + sys.argv[2]]))
PY
}
ADMIN_URL="$(pg_url "$PG" postgres)"
export PGOPTIONS="-c client_min_messages=warning"
psql "$ADMIN_URL" -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >&2
CONN="$(with_database "$PG" "$DB")"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

pids=()
PROFILE="$(mktemp -d)"
cleanup() {
  local status=$?
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 150); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  rm -rf "$PROFILE"
  psql "$ADMIN_URL" -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  exit "$status"
}
trap cleanup EXIT

dotnet "$APP" broker --partitions 4 >"$RUN/broker.out" 2>"$RUN/broker.err" &
pids+=($!)
for _ in $(seq 100); do [[ -s "$RUN/broker.out" ]] && break; sleep 0.1; done
KAFKA="$(head -1 "$RUN/broker.out")"
[[ -n "$KAFKA" ]] || { log "FAILED: the broker printed no bootstrap address"; cat "$RUN/broker.err" >&2; exit 1; }

HTTP=$(free_port)
dotnet "$APP" silo --postgres "$CONN" --kafka "$KAFKA" --silo-port "$(free_port)" --gateway-port "$(free_port)" --http-port "$HTTP" >"$RUN/silo.log" 2>&1 &
pids+=($!)
for _ in $(seq 240); do curl -fs "http://127.0.0.1:$HTTP/health/ready" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "http://127.0.0.1:$HTTP/health/ready" >/dev/null || { log "FAILED: the silo never became ready"; tail -30 "$RUN/silo.log" >&2; exit 1; }
dotnet "$APP" ingest --kafka "$KAFKA" >"$RUN/ingest.log" 2>&1
dotnet "$APP" wait --kafka "$KAFKA" --timeout 120 2>>"$RUN/ingest.log"
log "silo ready on http://127.0.0.1:$HTTP/dashboard/, snapshot applied"

URL="http://127.0.0.1:$HTTP/dashboard/"
CHROMIUM=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
  --disable-component-update --disable-sync --user-data-dir="$PROFILE" --window-size=1400,900 --hide-scrollbars
  --virtual-time-budget=10000)
timeout 120 "${CHROMIUM[@]}" --screenshot="$PNG" "$URL" >"$RUN/chromium.log" 2>&1 || { log "FAILED: chromium --screenshot"; tail -20 "$RUN/chromium.log" >&2; exit 1; }
timeout 120 "${CHROMIUM[@]}" --dump-dom "$URL" >"$RUN/dashboard.html" 2>>"$RUN/chromium.log" || { log "FAILED: chromium --dump-dom"; tail -20 "$RUN/chromium.log" >&2; exit 1; }

got="$(grep -o '<title>[^<]*</title>' "$RUN/dashboard.html" | head -1 | sed -E 's#</?title>##g')"
if [[ "$got" != "$TITLE" ]]; then
  log "FAILED: page title '$got', expected '$TITLE' (DOM in $RUN/dashboard.html)"
  exit 1
fi
if [[ ! -s "$PNG" ]] || [[ "$(head -c 8 "$PNG" | od -An -tx1 | tr -d ' \n')" != "89504e470d0a1a0a" ]]; then
  log "FAILED: $PNG is missing, empty or not a PNG"
  exit 1
fi
log "passed: '$got', screenshot $PNG ($(stat -c %s "$PNG") bytes)"

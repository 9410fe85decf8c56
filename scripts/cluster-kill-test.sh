#!/usr/bin/env bash
# Process-level cluster test: an embedded broker process, two silo processes (membership in PostgreSQL),
# an ingest; one silo is killed with SIGKILL midway; `wait` must still see everything committed, and the
# tables must equal the expected ones (nothing lost, nothing applied twice). Exit 0 on success.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$HERE"
APP="$HERE/src/Silo/bin/Release/net10.0/shopstream.dll"
RUN="$HERE/.run/cluster-kill-test"
rm -rf "$RUN" && mkdir -p "$RUN"
dotnet build src/Silo/Silo.csproj -c Release -nologo -v q -clp:ErrorsOnly >&2

PG="${SHOPSTREAM_POSTGRES:-$(scripts/postgres.sh start)}"
DB="shopstream_killtest"
ADMIN="$PG"
scripts/postgres.sh psql -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null 2>&1 || {
  psql "postgresql://postgres@127.0.0.1:$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$ADMIN")/postgres" -q -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"; }
CONN="$(sed -E "s/Database=[^;]*/Database=$DB/" <<<"$PG")"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

dotnet "$APP" broker --partitions 8 >"$RUN/broker.out" 2>"$RUN/broker.err" &
pids+=($!)
for _ in $(seq 100); do [[ -s "$RUN/broker.out" ]] && break; sleep 0.1; done
KAFKA="$(head -1 "$RUN/broker.out")"
echo "cluster-kill-test: broker $KAFKA, database $DB" >&2

start_silo() {
  dotnet "$APP" silo --postgres "$CONN" --kafka "$KAFKA" --silo-port "$(free_port)" --gateway-port "$(free_port)" --http-port "$1" >"$RUN/silo-$1.log" 2>&1 &
  pids+=($!)
  echo $!
}
HTTP1=$(free_port); HTTP2=$(free_port)
S1=$(start_silo "$HTTP1"); S2=$(start_silo "$HTTP2")
pids+=("$S1" "$S2")   # start_silo runs in a subshell: record its processes here for the cleanup trap
for port in "$HTTP1" "$HTTP2"; do
  for _ in $(seq 120); do curl -fs "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && break; sleep 0.5; done
done
echo "cluster-kill-test: silos $S1 and $S2 ready" >&2

# A larger input than the samples: the samples, then the samples with every FakeStore and DummyJSON
# price changed, so that the second pass is in flight when the silo dies.
DATA2="$RUN/data2"
mkdir -p "$DATA2"
cp -r samples/apis/* "$DATA2/"
python3 - "$DATA2" <<'PY'
import json, sys, os
root = sys.argv[1]
for src in ("fakestore", "dummyjson"):
    p = os.path.join(root, src, "products.json")
    items = json.load(open(p))
    for it in items:
        it["price"] = round(float(it["price"]) + 1, 2)
    json.dump(items, open(p, "w"))
PY
dotnet "$APP" ingest --kafka "$KAFKA" >"$RUN/ingest1.log" 2>&1
dotnet "$APP" ingest --kafka "$KAFKA" --data "$DATA2" >"$RUN/ingest2.log" 2>&1 &
INGEST=$!
sleep 0.3
kill -9 "$S2"
echo "cluster-kill-test: killed silo $S2 (SIGKILL) during the second ingest" >&2
wait "$INGEST"
dotnet "$APP" wait --kafka "$KAFKA" --timeout 180 >&2

check() {
  local got; got="$(scripts/postgres.sh psql -d "$DB" -tAc "$1")"
  if [[ "$got" != "$2" ]]; then echo "cluster-kill-test: FAILED: $1 -> '$got', expected '$2'" >&2; exit 1; fi
}
EXPECTED_SUM="$(python3 -c "
import json
t=0
for s in ('fakestore','dummyjson'):
    t+=sum(round(float(p['price']),2) for p in json.load(open('$DATA2/'+s+'/products.json')))
print(f'{t:.2f}')")"
check "SELECT count(*) FROM products" 214
check "SELECT sum(price)::numeric(14,2) FROM products" "$EXPECTED_SUM"
check "SELECT count(*) FROM users" 218
check "SELECT count(*) FROM carts" 215
check "SELECT sum(quantity) FROM cart_items" "$(python3 -c "
import json
print(sum(sum(l['quantity'] for l in c['products']) for s in ('fakestore','dummyjson') for c in json.load(open('samples/apis/'+s+'/carts.json'))))")"
check "SELECT count(*) FROM rejected_records" 0
echo "cluster-kill-test: passed: 214 products with the second pass's prices, 218 users, 215 carts; nothing lost after SIGKILL of a silo" >&2

#!/usr/bin/env bash
# Process-level cluster test, part of ./shopstream test: an embedded broker process, two silo processes (membership
# in PostgreSQL), two ingests. Pass 1 (the samples) is applied and committed. Pass 2 changes every product's price and
# adds BAND new products, each of which gets this one version only. One silo is killed with SIGKILL as soon as its
# /api/stats show it mid-stream: just after a commit of records of pass 2, with more still uncommitted. Then every record of pass 2
# must be in the tables with its exact content (a lost one is a missing row or an old price: nothing later hides it),
# and the audit trigger of the chaos databases (src/Cli/Chaos/ChaosAudit.sql) must have seen no record version
# written twice. Exit 0 on success.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$HERE"
APP="$HERE/src/Cli/bin/Release/net10.0/shopstream.dll"
RUN="$HERE/.run/cluster-kill-test"
BAND=3000
rm -rf "$RUN" && mkdir -p "$RUN"
dotnet build src/Cli/Cli.csproj -c Release -nologo -v q -clp:ErrorsOnly >&2

fail() { echo "cluster-kill-test: FAILED: $*" >&2; exit 1; }
PG="${SHOPSTREAM_POSTGRES:-$(scripts/postgres.sh start)}"
DB="shopstream_killtest"
scripts/postgres.sh psql -q -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" >/dev/null
CONN="$(sed -E "s/Database=[^;]*/Database=$DB/" <<<"$PG")"
sql() { scripts/postgres.sh psql -d "$DB" -v ON_ERROR_STOP=1 -tA "$@"; }
free_port() { python3 -c 'import random, socket
for _ in range(200):
    p = random.randint(20000, 31999); s = socket.socket()
    try: s.bind(("127.0.0.1", p)); print(p); break
    except OSError: pass
    finally: s.close()'; }  # below the ephemeral range: an outgoing connection cannot take it

pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

dotnet "$APP" broker --partitions 8 >"$RUN/broker.out" 2>"$RUN/broker.err" &
pids+=($!)
for _ in $(seq 300); do [[ -s "$RUN/broker.out" ]] && break; sleep 0.1; done
[[ -s "$RUN/broker.out" ]] || fail "the broker printed no bootstrap address within 30 s: $(tail -5 "$RUN/broker.err")"
KAFKA="$(head -1 "$RUN/broker.out")"
echo "cluster-kill-test: broker $KAFKA, database $DB" >&2

start_silo() {
  # A small in-flight bound spreads pass 2 over many reads and commits, so that the victim can be caught between two.
  Shopstream__MaxInFlight=64 dotnet "$APP" silo --postgres "$CONN" --kafka "$KAFKA" --silo-port "$(free_port)" --gateway-port "$(free_port)" --http-port "$1" >"$RUN/silo-$1.log" 2>&1 &
  echo $!
}
HTTP1=$(free_port); HTTP2=$(free_port)
S1=$(start_silo "$HTTP1"); S2=$(start_silo "$HTTP2")
pids+=("$S1" "$S2")   # start_silo runs in a subshell: record its processes here for the cleanup trap
wait_ready() {
  for _ in $(seq 240); do curl -fs "http://127.0.0.1:$1/health/ready" >/dev/null 2>&1 && return 0; sleep 0.5; done
  fail "the silo on port $1 was not ready within 120 s: $(tail -20 "$RUN/silo-$1.log")"
}
wait_ready "$HTTP1"; wait_ready "$HTTP2"
echo "cluster-kill-test: silos $S1 and $S2 ready" >&2
# The silos applied the schema on start-up; the audit goes on top.
sql -q -f src/Cli/Chaos/ChaosAudit.sql >/dev/null

# Pass 2: the samples with every FakeStore and DummyJSON price raised by 1, plus BAND new FakeStore products.
DATA2="$RUN/data2"
mkdir -p "$DATA2"
cp -r samples/apis/* "$DATA2/"
python3 - "$DATA2" "$BAND" "$RUN/expected.txt" <<'PY'
import json, sys, os
root, band, expected = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = []
for src in ("fakestore", "dummyjson"):
    p = os.path.join(root, src, "products.json")
    items = json.load(open(p))
    for it in items:
        it["price"] = round(float(it["price"]) + 1, 2)
        rows.append((src, int(it["id"]), f'{it["price"]:.2f}', None))
    if src == "fakestore":
        for i in range(10001, 10001 + band):
            price = round(1 + (i % 997) / 4, 2)
            items.append({"id": i, "title": f"band {i}", "price": price, "description": "single version", "category": "band",
                          "image": "https://example.com/b.png", "rating": {"rate": 4.0, "count": 1}})
            rows.append((src, i, f"{price:.2f}", f"band {i}"))
    json.dump(items, open(p, "w"))
with open(expected, "w") as f:
    for src, i, price, title in sorted(rows):
        f.write(f"{src}|{i}|{price}|{title or ''}\n")
PY

dotnet "$APP" ingest --kafka "$KAFKA" >"$RUN/ingest1.log" 2>&1
dotnet "$APP" wait --kafka "$KAFKA" --timeout 180 >"$RUN/wait1.log" 2>&1 || fail "pass 1 was not committed within 180 s: $(tail -5 "$RUN/wait1.log")"

# The victim must read partitions, so that killing it takes records of pass 2 with it.
stats() { curl -fs "http://127.0.0.1:$HTTP2/api/stats"; }
owned() { python3 -c 'import json, sys; s = json.load(sys.stdin); o = [p for p in s["partitions"] if p["owner"] is not None]
print(s["consumed"], len(o), sum(max(0, p["committedOffset"]) for p in o))'; }
read -r CONSUMED OWNED COMMITTED < <(stats | owned) || fail "no /api/stats from silo $S2 on port $HTTP2"
[[ "$OWNED" -gt 0 ]] || fail "silo $S2 reads no partition: nothing of pass 2 would be in flight when it dies"

dotnet "$APP" ingest --kafka "$KAFKA" --data "$DATA2" >"$RUN/ingest2.log" 2>&1 &
INGEST=$!
pids+=("$INGEST")
# Kill in the same process that sees the moment: mid-stream, just after the victim committed records of pass 2 that it
# had read, with more still uncommitted (a commit that ran ahead of delivery would lose some of those).
python3 - "$HTTP2" "$S2" "$CONSUMED" "$COMMITTED" >"$RUN/kill.txt" <<'PY' || fail "$(cat "$RUN/kill.txt")"
import json, os, signal, sys, time, urllib.request
port, pid, consumed, committed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
deadline = time.time() + 60
last_done, last_held = 0, 0
while time.time() < deadline:
    try:
        s = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/stats", timeout=5))
    except OSError:
        time.sleep(0.01)
        continue
    owned = [p for p in s["partitions"] if p["owner"] is not None]
    lag = sum(p["lag"] or 0 for p in owned)
    done = sum(max(0, p["committedOffset"]) for p in owned) - committed
    held = s["consumed"] - consumed - done
    # Right after a commit that followed reads not yet committed, with more of pass 2 still to come.
    if done > last_done and last_held > 0 and lag > 0:
        os.kill(pid, signal.SIGKILL)
        print(f"read {s['consumed'] - consumed} records of pass 2, committed {done}, {held} read but uncommitted, {lag} uncommitted in all")
        sys.exit(0)
    last_done, last_held = done, held
    time.sleep(0.01)
print(f"silo {pid} was never seen committing part of pass 2 with more to come within 60 s")
sys.exit(1)
PY
echo "cluster-kill-test: killed silo $S2 (SIGKILL) mid-stream: $(cat "$RUN/kill.txt")" >&2
wait "$INGEST" || fail "the second ingest failed: $(tail -5 "$RUN/ingest2.log")"
dotnet "$APP" wait --kafka "$KAFKA" --timeout 180 >&2 || fail "pass 2 was not committed within 180 s of the kill"

check() {
  local got; got="$(sql -c "$1")"
  if [[ "$got" != "$2" ]]; then fail "$1 -> '$got', expected '$2'"; fi
}
# Every product with its pass-2 price; the band's products with their titles too.
sql -c "SELECT source || '|' || id || '|' || price || '|' || CASE WHEN id > 10000 THEN title ELSE '' END FROM products ORDER BY source, id" >"$RUN/actual.txt"
diff -q <(LC_ALL=C sort "$RUN/expected.txt") <(LC_ALL=C sort "$RUN/actual.txt") >/dev/null \
  || fail "products differ from pass 2 (< expected, > actual): $(diff <(LC_ALL=C sort "$RUN/expected.txt") <(LC_ALL=C sort "$RUN/actual.txt") | head -10)"
check "SELECT count(*) FROM products" "$((214 + BAND))"
check "SELECT count(*) FROM users" 218
check "SELECT count(*) FROM carts" 215
check "SELECT sum(quantity) FROM cart_items" "$(python3 -c "
import json
print(sum(sum(l['quantity'] for l in c['products']) for s in ('fakestore','dummyjson') for c in json.load(open('samples/apis/'+s+'/carts.json'))))")"
check "SELECT count(*) FROM rejected_records" 0
# Each record version written once: pass 1 wrote 214 products and 218 users, pass 2 the 214 new prices and the band.
check "SELECT count(*) FROM (SELECT 1 FROM chaos_audit GROUP BY tbl, source, id, version HAVING count(*) > 1) d" 0
check "SELECT count(*) FROM chaos_audit" "$((214 + 218 + 214 + BAND))"
echo "cluster-kill-test: passed: SIGKILL of a silo holding uncommitted records; all $((214 + BAND)) products of pass 2 exact ($BAND of them single-version), 218 users, 215 carts; no record version written twice" >&2

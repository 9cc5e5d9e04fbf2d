#!/usr/bin/env bash
# Soak (issue 11): 200 connections × 60 s of mixed calls — deletion.status (80), records.deleteContact (40),
# deletion.intakeEmail (40), outbox.claim (40), each at 20 calls/s per connection — while acc_large of the
# bench store is erased and a backup is taken. Passes with 0 errors; prints deletiond's resident memory
# at the start, every 10 s, and at the end.
#   Benchmarks/run-soak.sh [seconds, default 60] [large-scale, default 0.3]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
scale=${2:-0.3}
port=17741

swift build -c release --product deletiond >&2
swift build -c release --package-path Benchmarks --product rpc-bench >&2
deletiond=$(swift build -c release --show-bin-path)/deletiond
rpcbench=$(swift build -c release --package-path Benchmarks --show-bin-path)/rpc-bench

work=$(mktemp -d)
"$deletiond" seed --db "$work/alt.sqlite" --profile bench --accounts 200 --large-scale "$scale" >&2
contact=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT id FROM contacts WHERE account_id = 'acc_000002' LIMIT 1\").fetchone()[0])" "$work/alt.sqlite")
"$deletiond" serve --dev --port "$port" --db "$work/alt.sqlite" --grace-period-days 30 --log-level error > "$work/out" 2> "$work/err" &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q listening "$work/out" && break; sleep 0.1; done
cli() { python3 Tests/Soak/rpc.py "$port" "$@"; }
rss() { awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$server/status"; }

request=$(cli deletion.create '{"accountId":"acc_large","scope":"account","channel":"support"}' | python3 -c "import json,sys; print(json.load(sys.stdin)['requestId'])")
code=$(cli outbox.claim '{"kinds":["identity_code"],"limit":10}' | python3 -c "import json,sys; print(json.load(sys.stdin)['messages'][-1]['payload']['code'])")
cli deletion.verifyIdentity "{\"requestId\":\"$request\",\"code\":\"$code\"}" > /dev/null
start_rss=$(rss)
echo "rss start: ${start_rss} MiB" >&2

load() { # name connections method params
    "$rpcbench" --port "$port" -c "$2" --rate 20 --duration "$seconds" --method "$3" --params "$4" --token dev --json > "$work/$1.json" &
}
load status 80 deletion.status "{\"requestId\":\"$request\"}"
load cascade 40 records.deleteContact "{\"accountId\":\"acc_000002\",\"contactId\":\"$contact\"}"
load intake 40 deletion.intakeEmail '{"from":"soak@example.org","subject":"Delete my ALT account","messageId":"<soak-1@mail>","receivedAt":"2026-11-29T09:00:00Z"}'
load claim 40 outbox.claim '{"kinds":["no_account"],"limit":10}'
sleep 5
cli deletion.execute "{\"requestId\":\"$request\"}" > /dev/null
sleep 5
cli backups.create > /dev/null
samples=("$start_rss")
for _ in $(seq $(( seconds / 10 - 1 ))); do sleep 10; samples+=("$(rss)"); done
wait $(jobs -p | grep -v "^$server$") 2>/dev/null || true
end_rss=$(rss)
state=$(cli deletion.status "{\"requestId\":\"$request\"}" | python3 -c "import json,sys; print(json.load(sys.stdin)['state'])")
python3 - "$work" "$state" "$end_rss" "${samples[@]}" <<'PY'
import json, sys
work, state, end, samples = sys.argv[1], sys.argv[2], int(sys.argv[3]), [int(s) for s in sys.argv[4:]]
total = errors = 0
print("| load | connections | calls | calls/s | p50 ms | p99 ms | max ms | errors |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for name, connections in [("deletion.status", 80), ("records.deleteContact", 40), ("deletion.intakeEmail", 40), ("outbox.claim", 40)]:
    file = {"deletion.status": "status", "records.deleteContact": "cascade", "deletion.intakeEmail": "intake", "outbox.claim": "claim"}[name]
    r = json.load(open(f"{work}/{file}.json"))
    total += r["calls"]; errors += r["errors"]
    print(f"| {name} | {connections} | {r['calls']} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | {r['max_ms']:.2f} | {r['errors']} |")
print()
print(f"calls: {total}, errors: {errors}; erasure of acc_large: {state}; deletiond RSS MiB every 10 s: {samples + [end]}")
sys.exit(1 if errors else 0)
PY

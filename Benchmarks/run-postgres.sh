#!/usr/bin/env bash
# PostgreSQL (issue 13), in one run on a throwaway PostgreSQL 15 (.ci/postgres):
# 1. acc_large's erasure through the service (`deletion.execute` until erased) beside `psql` running the
#    same deletes in one transaction and then the VACUUM the service also runs, each on its own copy of
#    the same seeded database (CREATE DATABASE … TEMPLATE), at each size in SIZES; deletiond's peak RSS.
# 2. `deletion.status` and `records.deleteContact` at 50 connections (rpc-bench, one call in flight
#    each), on PostgreSQL and, in the same run, on SQLite seeded with the same rows.
#   Benchmarks/run-postgres.sh                  (SIZES="0.0135 0.135" by default; 1 ≈ 750k rows)
set -euo pipefail
cd "$(dirname "$0")/.."

swift build -c release --product deletiond >&2
swift build -c release --product rpc-cli >&2
swift build -c release --package-path Benchmarks --product rpc-bench >&2
bin=$(swift build -c release --show-bin-path)
rpcbench=$(swift build -c release --package-path Benchmarks --show-bin-path)/rpc-bench
work=$(mktemp -d)
eval "$(.ci/postgres start)"
cleanup() {
    for job in $(jobs -p); do pkill -P "$job"; kill "$job"; done 2>/dev/null || true
    .ci/postgres stop "$ALT_TEST_POSTGRES_DIR"
    rm -rf "$work"
}
trap cleanup EXIT
base=${ALT_TEST_DATABASE_URL%/*}
port=17811
export ALT_RPC_TOKEN=dev
cli() { "$bin/rpc-cli" call --port "$port" --timeout 600s "$@"; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
sql() { psql "$base/$1" -Atqc "$2"; }
# The dev secrets (sealed tokens, request keys) live beside this file: seed and serve share them.
secrets="$work/alt.sqlite"

source Benchmarks/erase-plan.sh
{
    echo "BEGIN;"
    echo "DELETE FROM search_index WHERE account_id = 'acc_large';"
    for table in $plan_tables; do echo "DELETE FROM $table WHERE account_id = 'acc_large';"; done
    echo "DELETE FROM accounts WHERE id = 'acc_large';"
    echo "COMMIT;"
    echo "VACUUM search_index, accounts, ${plan_tables// /, };"
} > "$work/erase.sql"

serve() {  # serve DATABASE_URL|SQLITE_FILE: deletiond in the background under /usr/bin/time, until it answers
    local store=(--database-url "$1")
    [[ $1 == postgres://* ]] || store=(--db "$1")
    [[ $1 == postgres://* ]] && store+=(--db "$secrets")
    /usr/bin/time -f "%M" -o "$work/rss" "$bin/deletiond" serve --dev --port "$port" "${store[@]}" \
        --grace-period-days 0 --worker-interval 3600 --log-level warning >/dev/null 2>"$work/server.log" &
    server=$!
    until "$bin/rpc-cli" health --port "$port" >/dev/null 2>&1; do sleep 0.2; done
}
stop_server() { pkill -TERM -P "$server"; wait "$server" || true; }  # $server is /usr/bin/time

echo "Erasure of acc_large (same run, same data):"
echo
echo "| acc_large rows | psql: deletes in one transaction + VACUUM | deletion.execute until erased | ratio | rows/s (service) | deletiond peak RSS |"
echo "|---:|---:|---:|---:|---:|---:|"
for scale in ${SIZES:-0.0135 0.135}; do
    sql postgres "DROP DATABASE IF EXISTS bench_src" >/dev/null
    sql postgres "CREATE DATABASE bench_src"
    "$bin/deletiond" seed --database-url "$base/bench_src" --db "$secrets" --profile bench --accounts 1000 --large-scale "$scale" >&2
    count="SELECT 1"
    for table in $plan_tables; do count="$count + (SELECT count(*) FROM $table WHERE account_id = 'acc_large')"; done
    rows=$(sql bench_src "$count")
    for copy in by_psql by_service; do
        sql postgres "DROP DATABASE IF EXISTS $copy" >/dev/null
        sql postgres "CREATE DATABASE $copy TEMPLATE bench_src"
    done

    start=$(date +%s.%N)
    psql "$base/by_psql" -qX -v ON_ERROR_STOP=1 -f "$work/erase.sql" >/dev/null
    psql_seconds=$(echo "$(date +%s.%N) - $start" | bc)
    [ "$(sql by_psql "SELECT count(*) FROM messages WHERE account_id = 'acc_large'")" = 0 ]

    serve "$base/by_service"
    request=$(cli deletion.create accountId=acc_large scope=account channel=support | field '["requestId"]')
    code=$(cli outbox.claim kinds:='["identity_code"]' | field '["messages"][0]["payload"]["code"]')
    cli deletion.verifyIdentity requestId="$request" code="$code" >/dev/null
    start=$(date +%s.%N)
    state=$(cli deletion.execute requestId="$request" | field '["state"]')
    # Polled every 20 ms with rpc-cli alone (no JSON parser to start): the poll costs little of the time.
    while [ "$state" = erasing ]; do
        sleep 0.02
        cli deletion.status requestId="$request" | grep -q '"state":"erasing"' || state=done
    done
    state=$(cli deletion.status requestId="$request" | field '["state"]')
    service_seconds=$(echo "$(date +%s.%N) - $start" | bc)
    [ "$state" = erased ] || { echo "erasure ended in state $state" >&2; exit 1; }
    verdict=$(cli deletion.verifyErasure requestId="$request" | field '["verdict"]')
    [ "$verdict" = clean ] || { echo "verifyErasure: $verdict" >&2; exit 1; }
    stop_server
    printf '| %d | %.2f s | %.2f s | %.2f | %.0f | %d MiB |\n' "$rows" "$psql_seconds" "$service_seconds" \
        "$(echo "$service_seconds / $psql_seconds" | bc -l)" "$(echo "$rows / $service_seconds" | bc -l)" "$(( $(cat "$work/rss") / 1024 ))"
done

# Latency at 50 connections, on the last size, PostgreSQL and SQLite with the same rows.
contacts=$(sql bench_src "SELECT count(*) FROM contacts WHERE account_id = 'acc_large'")
deletes=$(( contacts - 2 < 5000 ? contacts - 2 : 5000 ))
sqlite_deletes=$(( deletes < 50 ? deletes : 50 ))
"$bin/deletiond" seed --db "$work/bench.sqlite" --profile bench --accounts 1000 --large-scale "${scale}" >&2
sql postgres "DROP DATABASE IF EXISTS by_load" >/dev/null
sql postgres "CREATE DATABASE by_load TEMPLATE bench_src"
echo
echo "At 50 connections, one call in flight each (rpc-bench; deletion.status for 10 s; deleteContact of a different contact of"
echo "acc_large each call, con_large_000002 on: ${deletes} on PostgreSQL, ${sqlite_deletes} on SQLite, whose cascades each rewrite the FTS5 index):"
echo
echo "| store | method | calls | calls/s | p50 ms | p90 ms | p99 ms | max ms | errors | deletiond peak RSS |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for store in "$base/by_load" "$work/bench.sqlite"; do
    serve "$store"
    name=$([[ $store == postgres://* ]] && echo PostgreSQL || echo SQLite)
    request=$(cli deletion.create accountId=acc_000001 scope=instagram channel=support | field '["requestId"]')
    "$rpcbench" --port "$port" -c 50 --duration 10 --method deletion.status --params "{\"requestId\":\"$request\"}" --token dev --json > "$work/status.json"
    calls=$([[ $store == postgres://* ]] && echo "$deletes" || echo "$sqlite_deletes")
    "$rpcbench" --port "$port" -c 50 -r "$calls" --method records.deleteContact \
        --params '{"accountId":"acc_large","contactId":"con_large_{seq}"}' --seq-start 2 --seq-digits 6 --token dev --json > "$work/delete.json"
    stop_server
    for file in status delete; do
        python3 - "$work/$file.json" "$name" "$(( $(cat "$work/rss") / 1024 ))" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"| {sys.argv[2]} | {r['method']} | {r['calls']} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p90_ms']:.2f} | {r['p99_ms']:.2f} | {r['max_ms']:.2f} | {r['errors']} | {sys.argv[3]} MiB |")
PY
    done
done

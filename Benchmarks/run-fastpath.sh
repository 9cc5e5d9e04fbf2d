#!/usr/bin/env bash
# Issue 16's table in one run: the wire against redis PING, one connection's latency, the biggest contact's
# cascade, and the bench account's erasure beside the sqlite3 tool, alone and under 50 connections of load.
# The load generator is Benchmarks/rpc-load (C, one thread, epoll), whose own CPU share is printed.
#   Benchmarks/run-fastpath.sh          (BIG=1 also seeds a store 10× larger for the cascade row: ≈12 min more)
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in redis-server:redis-server redis-benchmark:redis-tools sqlite3:sqlite3 bc:bc /usr/bin/time:time; do
    command -v "${tool%%:*}" >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "${tool##*:}"; }
done

swift build -c release --product deletiond >&2
swift build -c release --product rpc-cli >&2
bin=$(swift build -c release --show-bin-path)
mkdir -p .build
cc -O2 -o .build/rpc-load Benchmarks/rpc-load/rpc-load.c
load=.build/rpc-load
work=$(mktemp -d)
port=17820
redis_port=16380
trap 'for job in $(jobs -p); do pkill -P "$job"; kill "$job"; done 2>/dev/null || true; rm -rf "$work"' EXIT
export ALT_RPC_TOKEN=dev
cli() { "$bin/rpc-cli" call --port "$port" --timeout 600s "$@"; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
json() { python3 -c "import json,sys; print(json.loads(sys.argv[1])$2)" "$1"; }
serve() { # db [flags…]
    local db=$1
    shift
    "$bin/deletiond" serve --dev --port "$port" --db "$db" --log-level warning "$@" >/dev/null 2>"$work/server.log" &
    server=$!
    until "$bin/rpc-cli" health --port "$port" >/dev/null 2>&1; do sleep 0.2; done
}
stop() { kill "$server"; wait "$server" || true; }
rows=()
row() { rows+=("| $1 | $2 | $3 |"); }

# 1. The wire, on the demo store, redis measured in the same run.
"$bin/deletiond" seed --db "$work/demo.sqlite" --profile demo >/dev/null
serve "$work/demo.sqlite"
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
redis=$!
sleep 0.5
redis_rps() { redis-benchmark -p "$redis_port" -c 50 -n 200000 -t ping --csv -q 2>/dev/null | awk -F, '/PING_MBULK/ {gsub(/"/, "", $2); print $2}'; }
# redis-benchmark's own CPU share (user + system over wall time), at 50 connections: the yardstick's client cost.
redis_client_share() {
    /usr/bin/time -f '%U %S %e' -o "$work/time" redis-benchmark -p "$redis_port" -c 50 -n 200000 -t ping -q >/dev/null 2>&1
    awk '{printf "%.0f", ($1 + $2) / $3 * 100}' "$work/time"
}
# redis PING on one connection, sequential: its p50 in µs.
redis_p50() { redis-benchmark -p "$redis_port" -c 1 -n 20000 -t ping --csv 2>/dev/null | awk -F, '/PING_MBULK/ {gsub(/"/, "", $5); printf "%.0f", $5 * 1000}'; }
"$load" --port "$port" -c 50 -n 20000 >/dev/null
status=(--method deletion.status --params '{"requestId":"req_demo_ig"}' --token dev)
redis1=$(redis_rps)
health=$("$load" --port "$port" -c 50 -n 200000 --json)
redis2=$(redis_rps)
statusrun=$("$load" --port "$port" -c 50 -n 100000 "${status[@]}" --json)
sequential=$("$load" --port "$port" -c 1 -n 20000 --json)
redis_sequential=$(redis_p50)
redis_share=$(redis_client_share)
rss=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
stop
kill "$redis"
redis=$(echo "($redis1 + $redis2) / 2" | bc -l)
row '`health.check`, 50 connections, vs redis PING' \
    "$(printf '%.2f× (%.0f vs %.0f calls/s), p99 %.2f ms' "$(echo "$(json "$health" '["rps"]') / $redis" | bc -l)" "$(json "$health" '["rps"]')" "$redis" "$(json "$health" '["p99_ms"]')")" \
    "≥ 0.6×, p99 < 3 ms"
row '`deletion.status`, 50 connections, vs redis PING' \
    "$(printf '%.2f× (%.0f calls/s), p99 %.2f ms' "$(echo "$(json "$statusrun" '["rps"]') / $redis" | bc -l)" "$(json "$statusrun" '["rps"]')" "$(json "$statusrun" '["p99_ms"]')")" \
    "≥ 0.4×, p99 < 5 ms"
row 'one connection, sequential, p50' \
    "$(printf '%.0f µs (redis PING, same run: %s µs)' "$(echo "$(json "$sequential" '["p50_ms"]') * 1000" | bc -l)" "$redis_sequential")" "≤ 80 µs"
row 'resident memory, serving at 50 connections' "$((rss / 1024)) MiB" "< 64 MiB"

# 2. The biggest contact's cascade: one call on a fresh copy of the store, timed by the generator (no
# client start-up in it), five copies per store; the median and the five. The copy is synced first,
# or the cascade's fsync would write back the whole copied file.
cascade() { # db; prints the call's milliseconds
    serve "$1"
    # As on a server that has been running: after the retention sweep that starts with it (the seeded logs
    # are all past their 90 days, ten times as many in the 10× store, and its batches hold the writer).
    cli retention.sweep >/dev/null
    sleep 1
    local run
    run=$("$load" --port "$port" -c 1 -n 1 --method records.deleteContact \
        --params '{"accountId":"acc_large","contactId":"con_large_000001"}' --token dev --json)
    stop
    [ "$(json "$run" '["errors"]')" = 0 ] || { echo "the cascade failed: $run" >&2; exit 1; }
    json "$run" '["max_ms"]'
}
cascades() { # store; prints "median ms (a, b, c, d, e)"
    local runs=()
    for _ in 1 2 3 4 5; do
        copy_of "$1" "$work/cascade.sqlite"
        runs+=("$(cascade "$work/cascade.sqlite")")
        rm -f "$work/cascade.sqlite"*
    done
    python3 -c "import sys; r = sorted(map(float, sys.argv[1:])); print('%.0f ms (%s)' % (r[len(r) // 2], ', '.join('%.0f' % x for x in map(float, sys.argv[1:]))))" "${runs[@]}"
}
copy_of() { # from to
    cp "$1" "$2"
    cp "$1.secrets.json" "$2.secrets.json"
    sync
}
copy() { copy_of "$work/bench.sqlite" "$1"; } # to
"$bin/deletiond" seed --db "$work/bench.sqlite" --profile bench >&2
sqlite3 "$work/bench.sqlite" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
contact=$(cascades "$work/bench.sqlite")
if [ -n "${BIG:-}" ]; then
    "$bin/deletiond" seed --db "$work/big.sqlite" --profile bench --accounts 10000 --large-scale 10 >&2
    sqlite3 "$work/big.sqlite" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
    contact="$contact; 10× store: $(cascades "$work/big.sqlite")"
    rm -f "$work/big.sqlite"*
fi
row '`records.deleteContact` of the biggest contact (5,000 messages), bench store' "$contact" "≤ 100 ms, same ±20% in a 10× store"

# 3. The bench account's erasure: the sqlite3 tool (the plan's deletes in one transaction, then in the
# eraser's batches) and the service alone, alternating, ROUNDS times each (the means compared); then the
# service under health.check and under status, each once.
source Benchmarks/erase-plan.sh
write_erase_script "$work/erase.sql" acc_large
write_batched_erase_script "$work/erase-batched.sql" "$work/bench.sqlite" acc_large
cli_erase() { # script; prints the seconds
    copy "$work/cli.sqlite"
    local start
    start=$(date +%s.%N)
    sqlite3 "$work/cli.sqlite" < "$1" >/dev/null
    echo "$(date +%s.%N) - $start" | bc
    rm -f "$work/cli.sqlite"*
}
erase() { # load: none, health or status; prints the seconds
    copy "$work/erase.sqlite"
    serve "$work/erase.sqlite" --grace-period-days 0 --worker-interval 3600
    local request seconds
    request=$(verified_request acc_large)
    local generator=
    case "$1" in
        health) "$load" --port "$port" -c 50 -d "$(echo "$cli_seconds * 0.9" | bc -l)" --json > "$work/load.json" &
                generator=$! ;;
        status) "$load" --port "$port" -c 50 -d "$(echo "$cli_seconds * 0.9" | bc -l)" --method deletion.status \
                    --params "{\"requestId\":\"$request\"}" --token dev --json > "$work/load.json" &
                generator=$! ;;
    esac
    seconds=$(erase_until_done "$request") || exit 1
    [ -z "$generator" ] || wait "$generator" || true
    stop
    rm -f "$work/erase.sqlite"*
    echo "$seconds"
}
cli_runs=() batched_runs=() alone_runs=()
for _ in $(seq "${ROUNDS:-2}"); do
    cli_runs+=("$(cli_erase "$work/erase.sql")")
    batched_runs+=("$(cli_erase "$work/erase-batched.sql")")
    alone_runs+=("$(erase none)")
done
mean() { python3 -c "import sys; v = list(map(float, sys.argv[1:])); print(sum(v) / len(v))" "$@"; }
cli_seconds=$(mean "${cli_runs[@]}")
batched_seconds=$(mean "${batched_runs[@]}")
alone=$(mean "${alone_runs[@]}")
health_loaded=$(erase health)
health_load=$(cat "$work/load.json")
status_loaded=$(erase status)
status_load=$(cat "$work/load.json")
row 'bench account erasure vs `sqlite3` same deletes' \
    "$(printf '%.2f× unloaded (%.1f s vs %.1f s, means of %s: %s vs %s) / %.2f× with 50 connections calling health.check' \
        "$(echo "$alone / $cli_seconds" | bc -l)" "$alone" "$cli_seconds" "${#cli_runs[@]}" "${alone_runs[*]}" "${cli_runs[*]}" \
        "$(echo "$health_loaded / $cli_seconds" | bc -l)")" \
    "≤ 1.2× unloaded, ≤ 1.3× loaded"
row 'the same erasure vs `sqlite3` running the deletes in batches of 4,000 rows, one transaction each' \
    "$(printf '%.2f× unloaded (%.1f s vs %.1f s: %s) / %.2f× loaded; sqlite3 batched vs sqlite3 in one transaction: %.2f×' \
        "$(echo "$alone / $batched_seconds" | bc -l)" "$alone" "$batched_seconds" "${batched_runs[*]}" \
        "$(echo "$health_loaded / $batched_seconds" | bc -l)" "$(echo "$batched_seconds / $cli_seconds" | bc -l)")" \
    "(what the batching itself costs)"
row '`deletion.status` p99 during that erasure, 50 connections saturating' \
    "$(printf '%.1f ms (%.0f calls/s; erasure %.1f s)' "$(json "$status_load" '["p99_ms"]')" "$(json "$status_load" '["rps"]')" "$status_loaded")" "< 20 ms"

# 4. The eraser's write transactions: erase-bench runs the service's Eraser on a copy (batches sized to
# 50 ms) alone, then beside a server answering 50 connections of health.check; the longest and p99.
swift build -c release --package-path Benchmarks --product erase-bench >&2
erase_bench=$(swift build -c release --package-path Benchmarks --show-bin-path)/erase-bench
batches() { # load: none or health
    copy "$work/bench-erase.sqlite"
    local generator= run
    if [ "$1" = health ]; then
        copy "$work/serve.sqlite"
        serve "$work/serve.sqlite"
        "$load" --port "$port" -c 50 -d 30 --json > /dev/null &
        generator=$!
    fi
    run=$("$erase_bench" "$work/bench-erase.sqlite" acc_large)
    if [ -n "$generator" ]; then kill "$generator" 2>/dev/null || true; wait "$generator" || true; stop; fi
    rm -f "$work/bench-erase.sqlite"* "$work/serve.sqlite"*
    printf '%s ms longest, p99 %s ms (%s batches, %s s)' "$(json "$run" '["longest_batch_ms"]')" "$(json "$run" '["p99_batch_ms"]')" \
        "$(json "$run" '["batches"]')" "$(json "$run" '["seconds"]')"
}
row 'eraser write transaction, bench account (erase-bench)' "alone: $(batches none); beside 50 connections of health.check: $(batches health)" "≤ 50 ms"

echo "| measure | now | target |"
echo "|---|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
printf 'rpc-load used %.0f%% of a core (%.0f%% in the kernel) at 50 connections of health.check, %.0f%% of deletion.status; redis-benchmark used %s%% at 50 connections of PING\n' \
    "$(echo "$(json "$health" '["client_cpu_share"]') * 100" | bc -l)" "$(echo "$(json "$health" '["client_kernel_share"]') * 100" | bc -l)" \
    "$(echo "$(json "$statusrun" '["client_cpu_share"]') * 100" | bc -l)" "$redis_share"
echo "health.check during the erasure: $(json "$health_load" '["rps"]') calls/s, p99 $(json "$health_load" '["p99_ms"]') ms"

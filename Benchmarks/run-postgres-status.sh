#!/usr/bin/env bash
# `deletion.status` on PostgreSQL from memory (issue 16; `PostgresChangeFeed`), in one run on a throwaway
# PostgreSQL 15 (.ci/postgres): rpc-load (C, one thread, epoll) at 50 connections, one call in flight each,
# against deletiond on PostgreSQL, on SQLite with the same demo rows, and redis PING as the yardstick.
# BASE_BIN=/path/to/an/older/deletiond adds that binary on PostgreSQL to the same run (before/after).
#   Benchmarks/run-postgres-status.sh
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in redis-server:redis-server redis-benchmark:redis-tools /usr/bin/time:time; do
    command -v "${tool%%:*}" >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "${tool##*:}"; }
done

swift build -c release --product deletiond >&2
swift build -c release --product rpc-cli >&2
bin=$(swift build -c release --show-bin-path)
mkdir -p .build
cc -O2 -o .build/rpc-load Benchmarks/rpc-load/rpc-load.c
load=.build/rpc-load
work=$(mktemp -d)
eval "$(.ci/postgres start)"
cleanup() {
    for job in $(jobs -p); do pkill -P "$job"; kill "$job"; done 2>/dev/null || true
    .ci/postgres stop "$ALT_TEST_POSTGRES_DIR"
    rm -rf "$work"
}
trap cleanup EXIT
port=17812
redis_port=16381
secrets="$work/alt.sqlite"
json() { python3 -c "import json,sys; print(json.loads(sys.argv[1])$2)" "$1"; }
"$bin/deletiond" seed --database-url "$ALT_TEST_DATABASE_URL" --db "$secrets" --profile demo >/dev/null
"$bin/deletiond" seed --db "$work/demo.sqlite" --profile demo >/dev/null

serve() { # binary store-flags…: deletiond in the background under /usr/bin/time, until it answers
    local binary=$1
    shift
    /usr/bin/time -f "%M" -o "$work/rss" "$binary" serve --dev --port "$port" "$@" --worker-interval 3600 --log-level warning \
        >/dev/null 2>"$work/server.log" &
    server=$!
    until "$bin/rpc-cli" health --port "$port" >/dev/null 2>&1; do sleep 0.2; done
    sleep 2 # the change feed listening, the start-up rounds done
}
stop_server() { pkill -TERM -P "$server"; wait "$server" || true; }
status=(--method deletion.status --params '{"requestId":"req_demo_ig"}' --token dev)
rows=()
measure() { # label binary store-flags…
    local label=$1
    shift
    serve "$@"
    "$load" --port "$port" -c 50 -n 20000 "${status[@]}" >/dev/null
    local run
    run=$("$load" --port "$port" -c 50 -n 100000 "${status[@]}" --json)
    stop_server
    rows+=("| $label | $(printf '%.0f | %.2f | %.2f' "$(json "$run" '["rps"]')" "$(json "$run" '["p50_ms"]')" "$(json "$run" '["p99_ms"]')") | $(( $(cat "$work/rss") / 1024 )) MiB | $(printf '%.0f%%' "$(echo "$(json "$run" '["client_cpu_share"]') * 100" | bc -l)") |")
    echo "$run" > "$work/last.json"
}
postgres=(--database-url "$ALT_TEST_DATABASE_URL" --db "$secrets")
[ -z "${BASE_BIN:-}" ] || measure "PostgreSQL, $BASE_BIN" "$BASE_BIN" "${postgres[@]}"
measure "PostgreSQL, this build" "$bin/deletiond" "${postgres[@]}"
postgres_rps=$(json "$(cat "$work/last.json")" '["rps"]')
measure "SQLite, this build" "$bin/deletiond" --db "$work/demo.sqlite"

redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
sleep 0.5
redis=$(redis-benchmark -p "$redis_port" -c 50 -n 200000 -t ping --csv -q 2>/dev/null | awk -F, '/PING_MBULK/ {gsub(/"/, "", $2); print $2}')

echo "| \`deletion.status\`, 50 connections | calls/s | p50 ms | p99 ms | deletiond peak RSS | rpc-load CPU |"
echo "|---|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
echo
printf 'redis PING, 50 connections, same run: %.0f calls/s; PostgreSQL status from this build: %.2f× redis\n' "$redis" "$(echo "$postgres_rps / $redis" | bc -l)"

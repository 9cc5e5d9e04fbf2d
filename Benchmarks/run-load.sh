#!/usr/bin/env bash
# Load benchmark: health.check over loopback at 1, 10 and 50 connections, beside redis-benchmark PING
# measured in the same run on the same machine. Prints a Markdown table for RESULTS.md.
#   Benchmarks/run-load.sh [calls-per-run]
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-200000}
redis_port=16379
server_port=17700

if ! command -v redis-server >/dev/null || ! command -v redis-benchmark >/dev/null; then
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server redis-tools
fi

swift build -c release --product deletiond >&2
swift build -c release --package-path Benchmarks --product rpc-bench >&2
deletiond=$(swift build -c release --show-bin-path)/deletiond
rpcbench=$(swift build -c release --package-path Benchmarks --show-bin-path)/rpc-bench

redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no >/dev/null &
redis_pid=$!
"$deletiond" serve --dev --port "$server_port" --db "$(mktemp -d)/bench.sqlite" --log-level warning >/dev/null &
server_pid=$!
trap 'kill $redis_pid $server_pid 2>/dev/null || true' EXIT
sleep 1

redis_rps() { # connections
    redis-benchmark -p "$redis_port" -c "$1" -n "$calls" -t ping --csv -q 2>/dev/null \
        | awk -F, '/PING_MBULK/ {gsub(/"/, "", $2); print $2}'
}

echo "| connections | redis PING rps | health.check rps | ratio | p50 ms | p90 ms | p99 ms | max ms |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
for c in 1 10 50; do
    # Warm up, then measure redis and deletiond back to back.
    "$rpcbench" --port "$server_port" -c "$c" -r 20000 >/dev/null
    r=$(redis_rps "$c")
    line=$("$rpcbench" --port "$server_port" -c "$c" -r "$calls" --json)
    python3 - "$c" "$r" "$line" <<'PY'
import json, sys
c, redis, line = sys.argv[1], float(sys.argv[2]), json.loads(sys.argv[3])
print(f"| {c} | {redis:,.0f} | {line['rps']:,.0f} | {line['rps']/redis:.2f} | {line['p50_ms']:.3f} | {line['p90_ms']:.3f} | {line['p99_ms']:.3f} | {line['max_ms']:.3f} |")
PY
done
rss=$(awk '/VmHWM/ {print $2}' "/proc/$server_pid/status")
echo
echo "deletiond peak resident memory (VmHWM): $((rss / 1024)) MiB"

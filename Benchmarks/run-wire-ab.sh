#!/usr/bin/env bash
# A/B of the wire between an earlier commit and the working tree: both release builds serve their own demo
# store side by side; rpc-load (C, one thread) loads each in turn, alternating rounds, so the machine's
# noise falls on both. Per side and round: health.check and deletion.status at 50 connections, health.check
# on one connection (sequential latency), and the server's CPU per call read from /proc (utime + stime),
# the figure that moves least with the noise.
#   Benchmarks/run-wire-ab.sh BASE_COMMIT [rounds, default 3]
#   BASE_BIN=/path/to/deletiond Benchmarks/run-wire-ab.sh -     (a base binary built earlier)
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:?usage: Benchmarks/run-wire-ab.sh BASE_COMMIT|- [rounds]}
rounds=${2:-3}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; [ -d "$work/base/main" ] && git worktree remove --force "$work/base/main"; rm -rf "$work"' EXIT
if [ -z "${BASE_BIN:-}" ]; then
    # The Benchmarks package finds the service package as ../main, so the base checkout is named main too.
    git worktree add -f "$work/base/main" "$base" -q
    (cd "$work/base/main" && swift build -c release --product deletiond >&2)
    BASE_BIN="$work/base/main/.build/release/deletiond"
fi
swift build -c release --product deletiond >&2
mkdir -p .build
cc -O2 -o .build/rpc-load Benchmarks/rpc-load/rpc-load.c
load=.build/rpc-load
declare -A binary=([base]="$BASE_BIN" [head]="$(swift build -c release --show-bin-path)/deletiond")
declare -A port=([base]=17811 [head]=17812)
declare -A pid
for side in base head; do
    mkdir -p "$work/$side"
    "${binary[$side]}" seed --db "$work/$side/alt.sqlite" --profile demo >/dev/null
    "${binary[$side]}" serve --dev --port "${port[$side]}" --db "$work/$side/alt.sqlite" --log-level warning >/dev/null 2>&1 &
    pid[$side]=$!
done
sleep 2
status=(--method deletion.status --params '{"requestId":"req_demo_ig"}' --token dev)
for side in base head; do "$load" --port "${port[$side]}" -c 50 -n 20000 >/dev/null; done
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
# measure SIDE LABEL CALLS rpc-load-arguments…: one row, with the server's CPU µs per call.
measure() {
    local side=$1 label=$2 calls=$3 before after run
    shift 3
    before=$(ticks "${pid[$side]}")
    run=$("$load" --port "${port[$side]}" -n "$calls" "$@" --json)
    after=$(ticks "${pid[$side]}")
    python3 -c '
import json, sys
j = json.loads(sys.argv[5]); cpu = (int(sys.argv[7]) - int(sys.argv[6])) * 1e6 / int(sys.argv[8]) / int(sys.argv[4])
print("| %s | %s | %s | %s | %.0f | %.2f | %.0f | %.0f%% |" % (sys.argv[1], sys.argv[2], sys.argv[3], format(j["rps"], ",.0f"), j["p50_ms"] * 1000, j["p99_ms"], cpu, j["client_cpu_share"] * 100))
' "$round" "$side" "$label" "$calls" "$run" "$before" "$after" "$hz"
}
echo "| round | build | call | calls/s | p50 µs | p99 ms | server CPU µs/call | rpc-load CPU |"
echo "|---:|---|---|---:|---:|---:|---:|---:|"
for round in $(seq "$rounds"); do
    for side in base head; do
        measure "$side" "health.check, 50 conn" 200000 -c 50
        measure "$side" "deletion.status, 50 conn" 50000 -c 50 "${status[@]}"
        measure "$side" "health.check, 1 conn" 20000 -c 1
    done
done
